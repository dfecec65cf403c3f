package io.labscan.controller.alert;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import java.time.Instant;
import java.util.List;

/**
 * A host became INFECTED or SUSPECTED ({@code kind} {@value #VERDICT}), or started to report an
 * address another host reports too ({@value #ADDRESS_CONFLICT}; {@code verdict} is then the
 * host's current one and the only reason the conflict). {@code hostname} and the reasons' texts
 * come from the endpoint: every sink escapes them for its format.
 */
public record Alert(String hostId, String hostname, Verdict verdict, Instant at, List<Reason> reasons, String kind) {
  /** A verdict change. */
  public static final String VERDICT = "verdict";
  /** An address claimed by two hosts at once. */
  public static final String ADDRESS_CONFLICT = "address-conflict";

  public Alert(String hostId, String hostname, Verdict verdict, Instant at, List<Reason> reasons) {
    this(hostId, hostname, verdict, at, reasons, VERDICT);
  }

  public Alert {
    requireNonNull(kind, "kind");
    requireNonNull(hostId, "hostId");
    requireNonNull(hostname, "hostname");
    requireNonNull(verdict, "verdict");
    requireNonNull(at, "at");
    reasons = List.copyOf(reasons);
  }

  /** One line for people: the host, the verdict and the deciding reason. */
  public String summary() {
    if (ADDRESS_CONFLICT.equals(kind)) {
      return "Address conflict on host " + hostname + " (" + hostId + ")"
          + (reasons.isEmpty() ? "" : ": " + reasons.get(0).text());
    }
    return "Host " + hostname + " (" + hostId + ") is now " + verdict
        + (reasons.isEmpty() ? "" : ": " + reasons.get(0).text());
  }
}
