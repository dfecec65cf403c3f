package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a host last claimed about time, against the controller's clock.
 *
 * @param skew the agent's clock minus the controller's at {@code observed} (positive: fast)
 * @param observed when the controller saw that claim
 * @param lastReportClaimed the creation time its newest report claimed, unchanged
 */
public record ClockClaim(Duration skew, Instant observed, Optional<Instant> lastReportClaimed) {
  /** A clock reading farther than this from the controller's is shown on the host as skewed. */
  public static final Duration CLOCK_SKEW_FLAG = Duration.ofMinutes(5);

  public ClockClaim {
    requireNonNull(skew, "skew");
    requireNonNull(observed, "observed");
    requireNonNull(lastReportClaimed, "lastReportClaimed");
  }

  /** True when the skew exceeds {@link #CLOCK_SKEW_FLAG} in either direction. */
  public boolean flagged() {
    return skew.abs().compareTo(CLOCK_SKEW_FLAG) > 0;
  }

  /** "3 h 12 min ahead of the controller's clock", for people. */
  public String describe() {
    Duration d = skew.abs();
    String amount = d.toHours() > 0 ? d.toHours() + " h " + d.toMinutesPart() + " min"
        : d.toMinutes() > 0 ? d.toMinutes() + " min " + d.toSecondsPart() + " s" : d.toSeconds() + " s";
    return amount + (skew.isNegative() ? " behind" : " ahead of") + " the controller's clock"
        + (flagged() ? " (over " + CLOCK_SKEW_FLAG.toMinutes() + " min: the agent's times are not trusted)" : "");
  }
}
