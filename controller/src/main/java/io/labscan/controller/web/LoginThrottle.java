package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: at most {@link #MAX_FAILURES} failed logins per client address and
 * per user name within {@link #WINDOW}; further attempts are refused without checking the
 * password until the oldest failure leaves the window.
 */
public final class LoginThrottle {
  public static final int MAX_FAILURES = 5;
  public static final Duration WINDOW = Duration.ofMinutes(15);
  private static final int MAX_KEYS = 50_000;

  private final Clock clock;
  private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

  public LoginThrottle(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  /** How long the caller must wait before trying again; zero when it may try now. */
  public Duration retryAfter(String clientIp, String username) {
    Instant now = clock.instant();
    Duration wait = waitFor("ip:" + clientIp, now);
    Duration userWait = waitFor("user:" + normalise(username), now);
    return wait.compareTo(userWait) >= 0 ? wait : userWait;
  }

  public void failed(String clientIp, String username) {
    Instant now = clock.instant();
    if (failures.size() >= MAX_KEYS) {
      failures.entrySet().removeIf(e -> pruned(e.getValue(), now).isEmpty());
    }
    record("ip:" + clientIp, now);
    record("user:" + normalise(username), now);
  }

  /** A successful login clears the user's failures (not the address's). */
  public void succeeded(String username) {
    failures.remove("user:" + normalise(username));
  }

  private void record(String key, Instant now) {
    Deque<Instant> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (times) {
      pruned(times, now).addLast(now);
      while (times.size() > MAX_FAILURES) {
        times.removeFirst();
      }
    }
  }

  private Duration waitFor(String key, Instant now) {
    Deque<Instant> times = failures.get(key);
    if (times == null) {
      return Duration.ZERO;
    }
    synchronized (times) {
      pruned(times, now);
      if (times.size() < MAX_FAILURES) {
        return Duration.ZERO;
      }
      return Duration.between(now, times.peekFirst().plus(WINDOW));
    }
  }

  private static Deque<Instant> pruned(Deque<Instant> times, Instant now) {
    synchronized (times) {
      while (!times.isEmpty() && !times.peekFirst().plus(WINDOW).isAfter(now)) {
        times.removeFirst();
      }
      return times;
    }
  }

  private static String normalise(String username) {
    return username == null ? "" : username.toLowerCase(Locale.ROOT);
  }
}
