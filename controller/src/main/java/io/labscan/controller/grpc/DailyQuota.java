package io.labscan.controller.grpc;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * How many report bytes one host may store per UTC day ({@code serve --host-daily-quota},
 * default {@link #DEFAULT_BYTES}). An honest agent sends a few hundred KiB a day; without a
 * quota one compromised agent, within its rate limit, could add tens of MB a second until the
 * disk is full. Over the quota, Report answers {@code RESOURCE_EXHAUSTED}: the agent keeps the
 * report in its spool and sends it again later (after midnight UTC it fits again), so nothing an
 * honest agent found is lost.
 *
 * <p>The first report of a host on a day seeds the count from what the store already holds for
 * that host since midnight (by receive time), so restarting the controller does not reset it.
 * Only bytes the controller accepted are counted.
 */
public final class DailyQuota {
  public static final long DEFAULT_BYTES = 64L * 1024 * 1024;
  private static final int MAX_HOSTS = 100_000;

  private final long bytesPerDay;
  private final Clock clock;
  private final BiFunction<String, Instant, Long> storedSince;
  private final Map<String, Day> days = new ConcurrentHashMap<>();

  /**
   * @param storedSince report bytes the store holds for a host received since an instant
   */
  public DailyQuota(long bytesPerDay, Clock clock, BiFunction<String, Instant, Long> storedSince) {
    if (bytesPerDay < 1) {
      throw new IllegalArgumentException("the daily quota must be at least 1 byte, not " + bytesPerDay);
    }
    this.bytesPerDay = bytesPerDay;
    this.clock = requireNonNull(clock, "clock");
    this.storedSince = requireNonNull(storedSince, "storedSince");
  }

  /** No quota (tests and imports). */
  public static DailyQuota unlimited(Clock clock) {
    return new DailyQuota(Long.MAX_VALUE, clock, (h, t) -> 0L);
  }

  public long bytesPerDay() {
    return bytesPerDay;
  }

  private static final class Day {
    final LocalDate date;
    long used;

    Day(LocalDate date, long used) {
      this.date = date;
      this.used = used;
    }
  }

  /** Counts {@code bytes} for the host if they fit in today's quota; false (nothing counted) if not. */
  public boolean tryCharge(String hostId, long bytes) {
    requireNonNull(hostId, "hostId");
    if (bytesPerDay == Long.MAX_VALUE) {
      return true;
    }
    Instant now = clock.instant();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    if (days.size() > MAX_HOSTS) {
      days.values().removeIf(d -> !d.date.equals(today));
    }
    Day day = days.compute(hostId, (k, d) -> d != null && d.date.equals(today) ? d
        : new Day(today, Math.max(0, storedSince.apply(hostId, today.atStartOfDay(ZoneOffset.UTC).toInstant()))));
    synchronized (day) {
      if (day.used + bytes > bytesPerDay) {
        return false;
      }
      day.used += bytes;
      return true;
    }
  }

  /** Gives back bytes counted for a report that was then not stored (a duplicate or a refusal). */
  public void refund(String hostId, long bytes) {
    Day day = days.get(hostId);
    if (day != null) {
      synchronized (day) {
        day.used = Math.max(0, day.used - bytes);
      }
    }
  }

  @Override
  public String toString() {
    return bytesPerDay + " bytes per host per day";
  }
}
