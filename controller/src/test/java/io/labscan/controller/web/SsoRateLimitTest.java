package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The single sign-on rate limit's table (issue 20): bounded, and not a way to lock others out of
 * single sign-on by filling it from many addresses of one network.
 */
class SsoRateLimitTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T12:00:00Z"));
  private final SsoRateLimit limit = new SsoRateLimit(clock);

  /** The {@code n}-th /64 of the /48 {@code 2001:db8:PREFIX::/48}, as a client address. */
  private static String address(int prefix, int n) {
    return String.format(Locale.ROOT, "2001:db8:%x:%x::1", prefix, n);
  }

  @Test
  void aFloodFromEveryOneOfA48sSubnetsDoesNotLockOutAClientOfAnother48() {
    for (int n = 0; n < 65_536; n++) { // one callback from each /64 of one /48
      limit.callback(address(0xbad, n));
    }

    assertThat(limit.callback(address(0xcafe, 1))).isZero();
    assertThat(limit.start("192.0.2.10")).isZero();
  }

  @Test
  void aFloodFromOne48RunsIntoItsOwnSharedLimit() {
    int refused = 0;
    for (int n = 0; n < 10_000; n++) {
      if (!limit.callback(address(0xbad, n)).isZero()) {
        refused++;
      }
    }

    int admitted = 10_000 - refused;
    assertThat(admitted).isEqualTo(SsoRateLimit.ADDRESSES_PER_NETWORK + SsoRateLimit.MAX_CALLBACKS);
  }

  @Test
  void theTableStaysBoundedHoweverManyNetworksCome() {
    for (int n = 0; n < 3 * SsoRateLimit.MAX_ADDRESSES; n++) {
      limit.start(String.format(Locale.ROOT, "2001:db8:%x::1", n)); // each its own /48
    }

    assertThat(limit.tracked()).isEqualTo(SsoRateLimit.MAX_ADDRESSES);
    assertThat(limit.start("2001:db8:ffff:1::1")).as("a newcomer when the table is full").isZero();
  }

  @Test
  void oneAddressIsStillLimitedAndFreeAgainInTheNextWindow() {
    for (int i = 0; i < SsoRateLimit.MAX_CALLBACKS; i++) {
      assertThat(limit.callback("198.51.100.7")).isZero();
    }
    Duration wait = limit.callback("198.51.100.7");
    assertThat(wait).isPositive().isLessThanOrEqualTo(SsoRateLimit.WINDOW);
    assertThat(limit.callback("198.51.100.8")).as("its neighbour in the /24").isZero();

    clock.advance(SsoRateLimit.WINDOW);

    assertThat(limit.callback("198.51.100.7")).isZero();
  }

  @Test
  void entriesWhoseWindowEndedAreDropped() {
    for (int n = 0; n < 100; n++) {
      limit.start("203.0.113." + n);
    }
    clock.advance(SsoRateLimit.WINDOW);

    limit.start("192.0.2.1");

    assertThat(limit.tracked()).isEqualTo(1);
  }
}
