package io.labscan.controller.triage;

import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of the ranking.
 *
 * @param egressSlack how far from the origin time an SMTP egress window may lie and still
 *     count (default ±10 min: agent windows, clock skew and MTA queueing)
 * @param maxCandidates how many candidates the result lists at most
 * @param holdingGrace how long after its last report a silent host still holds the addresses
 *     it reported (default 2 h: agents report at least hourly, and a DHCP lease outlives a
 *     short outage); after it, the host is a weaker "silent since" candidate
 */
public record TriageOptions(Duration egressSlack, int maxCandidates, Duration holdingGrace) {
  /** Default holding grace. */
  public static final Duration HOLDING_GRACE = Duration.ofHours(2);
  /**
   * The longest a reported DHCP lease end keeps a silent host holding an address after its last
   * report: a lease end is the agent's claim, and an agent that reported a lease ending in a year
   * must not hold the address (and stay the candidate for its mail) that long. Most leases are
   * renewed at half their time, so an honest host that falls silent is rarely cut short.
   */
  public static final Duration MAX_LEASE_HOLD = Duration.ofHours(24);

  public TriageOptions {
    Objects.requireNonNull(egressSlack, "egressSlack");
    Objects.requireNonNull(holdingGrace, "holdingGrace");
    if (holdingGrace.isNegative()) {
      throw new IllegalArgumentException("holdingGrace must not be negative: " + holdingGrace);
    }
    if (egressSlack.isNegative()) {
      throw new IllegalArgumentException("egressSlack must not be negative: " + egressSlack);
    }
    if (maxCandidates < 1) {
      throw new IllegalArgumentException("maxCandidates must be at least 1: " + maxCandidates);
    }
  }

  public TriageOptions(Duration egressSlack, int maxCandidates) {
    this(egressSlack, maxCandidates, HOLDING_GRACE);
  }

  public static TriageOptions defaults() {
    return new TriageOptions(Duration.ofMinutes(10), 20);
  }
}
