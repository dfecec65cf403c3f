package io.labscan.agent.checks.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a connection event gets an extra sample: times are given by hand, in milliseconds. */
class EventSampleThrottleTest {
  private final EventSampleThrottle throttle = new EventSampleThrottle(Duration.ofMillis(50));

  private static long ms(long millis) {
    return Duration.ofMillis(millis).toNanos();
  }

  @Test
  void anEventBeforeAnySampleIsSampledAtOnce() {
    assertThat(throttle.request(ms(1_000))).hasValue(0);
  }

  @Test
  void anEventLongAfterTheLastSampleIsSampledAtOnce() {
    throttle.sampleStarted(ms(1_000));

    assertThat(throttle.request(ms(1_200))).hasValue(0);
  }

  @Test
  void anEventSoonAfterASampleWaitsUntilTheGapHasPassed() {
    throttle.sampleStarted(ms(1_000));

    assertThat(throttle.request(ms(1_010))).hasValue(ms(40));
  }

  @Test
  void eventsWhileASampleIsPendingShareIt() {
    throttle.request(ms(1_000));

    assertThat(throttle.request(ms(1_001))).isEmpty();
    assertThat(throttle.request(ms(1_030))).isEmpty();
  }

  @Test
  void thePendingSampleRunsWhenNoOtherSampleStartedSinceTheEvent() {
    throttle.sampleStarted(ms(1_000));
    throttle.request(ms(1_100));

    assertThat(throttle.runRequested()).isTrue();
  }

  @Test
  void thePendingSampleIsSkippedWhenAPeriodicSampleStartedAfterTheEvent() {
    throttle.request(ms(1_000));
    throttle.sampleStarted(ms(1_020));

    assertThat(throttle.runRequested()).isFalse();
  }

  @Test
  void afterThePendingSampleANewEventMayAskAgainButNotBeforeTheGap() {
    throttle.request(ms(1_000));
    throttle.runRequested();
    throttle.sampleStarted(ms(1_000));

    assertThat(throttle.request(ms(1_005))).hasValue(ms(45));
  }
}
