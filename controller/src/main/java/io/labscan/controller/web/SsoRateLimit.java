package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-address limit on single sign-on starts and callbacks (issue 18): both are anonymous, and
 * each callback with a state cookie from a fresh start makes the controller call the provider's
 * token endpoint under LabScan's client credentials, so without a limit one client could flood
 * the campus provider and hold web threads. Counted per client address (an IPv6 address by its
 * /64, as {@link LoginThrottle} counts it) in fixed windows of {@link #WINDOW}; checked before
 * any provider call. A person needs one start and one callback per login, so the limits leave
 * room for a handful of people behind one NAT address retrying; at most {@link #MAX_ADDRESSES}
 * addresses are tracked (beyond that they share one bucket), so memory is constant.
 */
final class SsoRateLimit {
  static final Duration WINDOW = Duration.ofMinutes(5);
  static final int MAX_STARTS = 40;
  static final int MAX_CALLBACKS = 20;
  static final int MAX_ADDRESSES = 10_000;

  private static final class Count {
    final Instant start;
    int starts;
    int callbacks;

    Count(Instant start) {
      this.start = start;
    }
  }

  private final Clock clock;
  /** In the order the windows started, so ended ones are at the head. */
  private final Map<String, Count> counts = new LinkedHashMap<>();

  SsoRateLimit(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  /** Zero when {@code clientIp} may start a login now, else how long until it may. */
  synchronized Duration start(String clientIp) {
    Count c = count(clientIp);
    if (c.starts >= MAX_STARTS) {
      return retryAfter(c);
    }
    c.starts++;
    return Duration.ZERO;
  }

  /** Zero when {@code clientIp} may complete a login (and so cause a token call) now, else how long until it may. */
  synchronized Duration callback(String clientIp) {
    Count c = count(clientIp);
    if (c.callbacks >= MAX_CALLBACKS) {
      return retryAfter(c);
    }
    c.callbacks++;
    return Duration.ZERO;
  }

  private Duration retryAfter(Count c) {
    Duration d = Duration.between(clock.instant(), c.start.plus(WINDOW));
    return d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d;
  }

  private Count count(String clientIp) {
    Instant now = clock.instant();
    for (Iterator<Count> it = counts.values().iterator(); it.hasNext();) {
      if (it.next().start.plus(WINDOW).isAfter(now)) {
        break;
      }
      it.remove();
    }
    String key = LoginThrottle.addressOf(clientIp);
    if (!counts.containsKey(key) && counts.size() >= MAX_ADDRESSES) {
      key = RefusalAudit.OTHERS;
    }
    return counts.computeIfAbsent(key, k -> new Count(now));
  }
}
