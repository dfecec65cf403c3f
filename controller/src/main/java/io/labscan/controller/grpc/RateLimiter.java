package io.labscan.controller.grpc;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (per agent): {@code burst} calls at once, refilled at
 * {@code perSecond}. Buckets of idle keys are dropped when the table grows, so keys an
 * attacker makes up cannot grow it without bound.
 */
public final class RateLimiter {
  static final int MAX_KEYS = 50_000;

  /** How fast and how bursty one key may call. */
  public record Rate(double perSecond, int burst) {
    public Rate {
      if (!(perSecond > 0) || Double.isInfinite(perSecond) || burst < 1) {
        throw new IllegalArgumentException("a rate needs a positive refill and a burst of at least 1");
      }
    }

    /** 10 reports a second with bursts of 50: far above what an honest agent sends. */
    public static Rate reportDefault() {
      return new Rate(10, 50);
    }

    @Override
    public String toString() {
      return perSecond + "/s (burst " + burst + ")";
    }
  }

  private final Rate rate;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(Rate rate) {
    this(rate, System::nanoTime);
  }

  RateLimiter(Rate rate, LongSupplier nanoTime) {
    this.rate = requireNonNull(rate, "rate");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
  }

  public Rate rate() {
    return rate;
  }

  /** Takes one token from the key's bucket; false when it is empty. */
  public boolean tryAcquire(String key) {
    requireNonNull(key, "key");
    long now = nanoTime.getAsLong();
    if (buckets.size() > MAX_KEYS) {
      buckets.values().removeIf(b -> b.full(now));
    }
    return buckets.computeIfAbsent(key, k -> new Bucket(rate, now)).take(now);
  }

  private static final class Bucket {
    private final Rate rate;
    private double tokens;
    private long last;

    Bucket(Rate rate, long now) {
      this.rate = rate;
      this.tokens = rate.burst();
      this.last = now;
    }

    synchronized boolean take(long now) {
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }

    synchronized boolean full(long now) {
      refill(now);
      return tokens >= rate.burst();
    }

    private void refill(long now) {
      double elapsedSeconds = Math.max(0, now - last) / 1e9;
      tokens = Math.min(rate.burst(), tokens + elapsedSeconds * rate.perSecond());
      last = now;
    }
  }
}
