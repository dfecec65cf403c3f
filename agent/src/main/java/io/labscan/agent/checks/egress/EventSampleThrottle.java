package io.labscan.agent.checks.egress;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Decides when a connection event gets an extra sample of its own (to name the process while
 * the socket still exists). Unthrottled, a burst of events made the sampler run back to back
 * (200 connections in 3 s cost 17–58 % of a core, docs/PERFORMANCE.md). Rules:
 *
 * <ul>
 *   <li>at most one extra sample is pending at a time: events arriving meanwhile share it;
 *   <li>it runs no sooner than {@code minGap} after the previous sample (any sample);
 *   <li>it is skipped when another sample started after the request: that sample already
 *       looked at the table after the event.
 * </ul>
 *
 * <p>Times are {@link System#nanoTime()} values passed in, so the rules can be tested without
 * a clock. Thread-safe: the event reader requests, the sampler thread reports samples.
 */
final class EventSampleThrottle {
  /** Default gap: a 5 ms session may be missed by the extra sample, its event is still counted. */
  static final Duration DEFAULT_MIN_GAP = Duration.ofMillis(50);

  private final long minGapNanos;
  private boolean sampledOnce;
  private long lastSampleStart;
  private boolean pending;
  private long requestedAt;

  EventSampleThrottle(Duration minGap) {
    if (minGap.isNegative()) {
      throw new IllegalArgumentException("negative gap " + minGap);
    }
    this.minGapNanos = minGap.toNanos();
  }

  /**
   * An event asks for a sample at {@code now}: the delay (ns) after which to run one, or empty
   * when an extra sample is already pending (it will see this event's socket too).
   */
  synchronized OptionalLong request(long now) {
    if (pending) {
      return OptionalLong.empty();
    }
    pending = true;
    requestedAt = now;
    long due = sampledOnce ? lastSampleStart + minGapNanos : now;
    return OptionalLong.of(Math.max(0, due - now));
  }

  /**
   * The pending extra sample is due: true when it should run, false when a sample has started
   * since it was requested. Either way it is no longer pending.
   */
  synchronized boolean runRequested() {
    pending = false;
    return !(sampledOnce && lastSampleStart - requestedAt >= 0);
  }

  /** Any sample (periodic or extra) starts at {@code now}. */
  synchronized void sampleStarted(long now) {
    sampledOnce = true;
    lastSampleStart = now;
  }
}
