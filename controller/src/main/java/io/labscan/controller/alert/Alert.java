package io.labscan.controller.alert;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import java.time.Instant;
import java.util.List;

/**
 * A host became INFECTED or SUSPECTED. {@code hostname} and the reasons' texts come from the
 * endpoint: every sink escapes them for its format.
 */
public record Alert(String hostId, String hostname, Verdict verdict, Instant at, List<Reason> reasons) {
  public Alert {
    requireNonNull(hostId, "hostId");
    requireNonNull(hostname, "hostname");
    requireNonNull(verdict, "verdict");
    requireNonNull(at, "at");
    reasons = List.copyOf(reasons);
  }

  /** One line for people: the host, the verdict and the deciding reason. */
  public String summary() {
    return "Host " + hostname + " (" + hostId + ") is now " + verdict
        + (reasons.isEmpty() ? "" : ": " + reasons.get(0).text());
  }
}
