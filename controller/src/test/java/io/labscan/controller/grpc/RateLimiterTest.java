package io.labscan.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final RateLimiter limiter = new RateLimiter(new RateLimiter.Rate(10, 3), nanos::get);

  private void advanceMillis(long ms) {
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void aBurstIsAllowedAndTheNextCallRefused() {
    assertThat(limiter.tryAcquire("a")).isTrue();
    assertThat(limiter.tryAcquire("a")).isTrue();
    assertThat(limiter.tryAcquire("a")).isTrue();
    assertThat(limiter.tryAcquire("a")).isFalse();
  }

  @Test
  void tokensComeBackAtTheConfiguredRate() {
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire("a");
    }
    advanceMillis(100); // 10 per second: one token

    assertThat(limiter.tryAcquire("a")).isTrue();
    assertThat(limiter.tryAcquire("a")).isFalse();
  }

  @Test
  void anIdleKeyNeverSavesMoreThanItsBurst() {
    advanceMillis(60_000);
    int allowed = 0;
    while (limiter.tryAcquire("a")) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(3);
  }

  @Test
  void eachKeyHasItsOwnBucket() {
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire("a");
    }
    assertThat(limiter.tryAcquire("b")).isTrue();
  }
}
