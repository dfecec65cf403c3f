package io.labscan.agent.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;

/** A clock the test sets by hand. */
final class TestClock extends Clock {
  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  TestClock(Instant start, ZoneId zone) {
    this.now = new AtomicReference<>(start);
    this.zone = zone;
  }

  void set(Instant t) {
    now.set(t);
  }

  void advance(Duration d) {
    now.updateAndGet(t -> t.plus(d));
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId z) {
    return new TestClock(now.get(), z);
  }

  @Override
  public Instant instant() {
    return now.get();
  }
}
