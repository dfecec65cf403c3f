package io.labscan.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * When an agent away from its home controller goes back: the decisions of {@link HomeReturn}, on
 * the times a probe would end (ControllerClientReturnHomeTest runs them over real gRPC).
 */
class HomeReturnTest {
  private static final HomeReturn.Settings SETTINGS = new HomeReturn.Settings(Duration.ofMinutes(5),
      Duration.ofMinutes(1), Duration.ofHours(1));
  private static final Instant T0 = Instant.parse("2026-12-07T09:00:00Z");

  @Test
  void aHomeThatAnswersOnceIsNotReturnedToYet() {
    HomeReturn back = new HomeReturn(SETTINGS);

    assertThat(back.probed(true, T0)).isEqualTo(HomeReturn.Decision.STAY);
  }

  @Test
  void aHomeThatStillAnswersAfterTheSettleTimeIsReturnedTo() {
    HomeReturn back = new HomeReturn(SETTINGS);
    back.probed(true, T0);

    assertThat(back.probed(true, T0.plusSeconds(30))).isEqualTo(HomeReturn.Decision.STAY);
    assertThat(back.probed(true, T0.plusSeconds(61))).isEqualTo(HomeReturn.Decision.RETURN);
  }

  @Test
  void aFailedProbeDuringTheSettleStartsItOver() {
    HomeReturn back = new HomeReturn(SETTINGS);
    back.probed(true, T0);
    back.probed(false, T0.plusSeconds(40));

    assertThat(back.probed(true, T0.plusSeconds(70))).isEqualTo(HomeReturn.Decision.STAY);
    assertThat(back.probed(true, T0.plusSeconds(131))).isEqualTo(HomeReturn.Decision.RETURN);
  }

  @Test
  void aHomeThatAnswersEveryOtherProbeIsNeverReturnedTo() {
    HomeReturn back = new HomeReturn(SETTINGS);
    Instant at = T0;
    for (int probe = 0; probe < 100; probe++) {
      at = at.plus(SETTINGS.period());
      assertThat(back.probed(probe % 2 == 0, at)).as("probe " + probe).isEqualTo(HomeReturn.Decision.STAY);
    }
  }

  @Test
  void probesAreSpreadAroundThePeriodAndWhileHomeSettlesComeAfterTheSettleTime() {
    HomeReturn back = new HomeReturn(SETTINGS);

    assertThat(back.nextDelay(0.0)).isEqualTo(Duration.ofSeconds(225));
    assertThat(back.nextDelay(0.999)).isBetween(Duration.ofSeconds(374), Duration.ofSeconds(375));
    back.probed(true, T0);
    assertThat(back.nextDelay(0.0)).isEqualTo(SETTINGS.settle());
    assertThat(back.nextDelay(0.999)).isLessThanOrEqualTo(Duration.ofSeconds(75));
  }

  @Test
  void leavingHomeSoonAfterReturningDoublesTheProbePeriodUpToTheMaximum() {
    HomeReturn back = new HomeReturn(SETTINGS);
    Instant at = T0;
    for (Duration expected : new Duration[] {Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(40),
        Duration.ofHours(1), Duration.ofHours(1)}) {
      back.probed(true, at);
      at = at.plus(SETTINGS.settle());
      assertThat(back.probed(true, at)).isEqualTo(HomeReturn.Decision.RETURN);
      at = at.plusSeconds(120); // home fails again two minutes later: a flap
      back.leftHome(at);
      assertThat(back.period()).isEqualTo(expected);
    }
  }

  @Test
  void aReturnThatLastedPutsTheProbePeriodBackToItsStart() {
    HomeReturn back = new HomeReturn(SETTINGS);
    back.probed(true, T0);
    back.probed(true, T0.plus(SETTINGS.settle()));
    back.leftHome(T0.plusSeconds(180));
    assertThat(back.period()).isEqualTo(Duration.ofMinutes(10));

    back.probed(true, T0.plus(Duration.ofMinutes(20)));
    back.probed(true, T0.plus(Duration.ofMinutes(21)));
    back.leftHome(T0.plus(Duration.ofHours(3)));

    assertThat(back.period()).isEqualTo(SETTINGS.period());
  }

  @Test
  void settingsWhoseMaximumIsBelowThePeriodAreRefused() {
    assertThatThrownBy(() -> new HomeReturn.Settings(Duration.ofMinutes(5), Duration.ofMinutes(1),
        Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPeriod");
  }
}
