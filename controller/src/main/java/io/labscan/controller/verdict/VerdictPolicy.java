package io.labscan.controller.verdict;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The thresholds of the verdict rules (docs/verdicts.md).
 *
 * @param fullScanMaxAge a host without a completed full scan this recent is UNKNOWN
 * @param silenceMax a host whose agent was silent this long is UNKNOWN
 * @param egressLookback unauthorised SMTP egress this recent counts
 * @param complaintLookback complaints traced this recently count
 * @param complaintMinConfidence a complaint counts against a host from this confidence on
 */
public record VerdictPolicy(Duration fullScanMaxAge, Duration silenceMax, Duration egressLookback,
    Duration complaintLookback, double complaintMinConfidence) {

  public VerdictPolicy {
    requireNonNull(fullScanMaxAge, "fullScanMaxAge");
    requireNonNull(silenceMax, "silenceMax");
    requireNonNull(egressLookback, "egressLookback");
    requireNonNull(complaintLookback, "complaintLookback");
  }

  public static VerdictPolicy defaults() {
    return new VerdictPolicy(Vocabulary.FULL_SCAN_WITHIN, Vocabulary.SEEN_WITHIN, Duration.ofDays(7),
        Duration.ofDays(30), Vocabulary.COMPLAINT_THRESHOLD);
  }
}
