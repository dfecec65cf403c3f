package io.labscan.controller.triage;

import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of the ranking.
 *
 * @param egressSlack how far from the origin time an SMTP egress window may lie and still
 *     count (default ±10 min: agent windows, clock skew and MTA queueing)
 * @param maxCandidates how many candidates the result lists at most
 */
public record TriageOptions(Duration egressSlack, int maxCandidates) {
  public TriageOptions {
    Objects.requireNonNull(egressSlack, "egressSlack");
    if (egressSlack.isNegative()) {
      throw new IllegalArgumentException("egressSlack must not be negative: " + egressSlack);
    }
    if (maxCandidates < 1) {
      throw new IllegalArgumentException("maxCandidates must be at least 1: " + maxCandidates);
    }
  }

  public static TriageOptions defaults() {
    return new TriageOptions(Duration.ofMinutes(10), 20);
  }
}
