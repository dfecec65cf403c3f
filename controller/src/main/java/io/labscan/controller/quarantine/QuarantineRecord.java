package io.labscan.controller.quarantine;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One quarantine or release of a host, as recorded (table {@code quarantine_orders}).
 *
 * @param revision the order's number; agents apply only a higher one than they hold
 * @param quarantined true for a quarantine, false for a release
 * @param by who: {@code admin NAME} (web), {@code OS-USER (command line)}, or {@code policy: ...}
 * @param reason why, in the operator's words or the rule's
 */
public record QuarantineRecord(long revision, String hostId, boolean quarantined, String by, String reason,
    Instant at) {
  public QuarantineRecord {
    requireNonNull(hostId, "hostId");
    requireNonNull(by, "by");
    requireNonNull(reason, "reason");
    requireNonNull(at, "at");
  }

  /** "quarantined by linda (web) at 2026-12-07T03:00:00Z: worm mail" */
  public String describe() {
    return (quarantined ? "quarantined" : "released") + " by " + by + " at " + at
        + (reason.isEmpty() ? "" : ": " + reason);
  }
}
