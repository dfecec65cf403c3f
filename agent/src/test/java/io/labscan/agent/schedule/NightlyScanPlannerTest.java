package io.labscan.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.contract.policy.PolicyDefaults;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NightlyScanPlannerTest {
  private static final ZoneId LAB = ZoneId.of("Europe/Berlin");
  private static final Duration JITTER = Duration.ofMinutes(17);
  /** 2026-03-03 02:17 in the lab: 02:00 from the cron plus this host's 17 minutes. */
  private static final Instant DUE = local("2026-03-03T02:17");
  private static final ScheduleState RUNNING_FOR_A_WEEK = ScheduleState.firstStartAt(local("2026-02-24T10:00"));

  private final TestClock clock = new TestClock(DUE, LAB);
  private final NightlyScanPlanner planner = new NightlyScanPlanner("0 0 2 * * ?", LAB, JITTER, clock);

  private static Instant local(String dateTime) {
    return LocalDateTime.parse(dateTime).atZone(LAB).toInstant();
  }

  @Test
  void nextRunIsTheCronTimeInLocalTimePlusTheHostsJitter() {
    assertThat(planner.nextDue(local("2026-03-02T12:00"))).contains(DUE);
  }

  @Test
  void scanRunsWhenDue() {
    clock.set(DUE.plusSeconds(30));

    var decision = planner.decide(RUNNING_FOR_A_WEEK);

    assertThat(decision.runNow()).isTrue();
    assertThat(decision.trigger()).isEqualTo("schedule");
    assertThat(decision.occurrence()).contains(DUE);
  }

  @Test
  void nothingRunsBeforeTheJitteredTime() {
    clock.set(local("2026-03-03T02:10"));

    assertThat(planner.decide(RUNNING_FOR_A_WEEK.withCompletedFullScan(local("2026-03-02T02:40"))).runNow())
        .isFalse();
  }

  @Test
  void nightMissedWhileTheMachineWasOffIsCaughtUpAtStartWhenLessThan12HoursLate() {
    clock.set(local("2026-03-03T08:05")); // booted in the morning: 5 h 48 min late

    var decision = planner.decide(RUNNING_FOR_A_WEEK.withCompletedFullScan(local("2026-03-02T02:40")));

    assertThat(decision.runNow()).isTrue();
    assertThat(decision.trigger()).isEqualTo("catch-up");
    assertThat(decision.occurrence()).contains(DUE);
  }

  @Test
  void nightMissedByMoreThan12HoursWaitsForTheNextNight() {
    clock.set(local("2026-03-03T14:30")); // 12 h 13 min late

    var decision = planner.decide(RUNNING_FOR_A_WEEK.withCompletedFullScan(local("2026-03-02T02:40")));

    assertThat(decision.runNow()).isFalse();
    assertThat(decision.reason()).contains("missed").contains("2026-03-04T01:17:00Z");
  }

  @Test
  void scanCompletedAfterTheDueTimeIsNotRepeated() {
    clock.set(local("2026-03-03T08:00"));

    assertThat(planner.decide(RUNNING_FOR_A_WEEK.withCompletedFullScan(local("2026-03-03T02:50"))).runNow())
        .isFalse();
  }

  @Test
  void fullScanFinishedBeforeTheDueTimeDoesNotReplaceTheNightlyOne() {
    clock.set(DUE.plusSeconds(10));

    assertThat(planner.decide(RUNNING_FOR_A_WEEK.withCompletedFullScan(local("2026-03-03T01:00"))).runNow())
        .isTrue();
  }

  @Test
  void scanStartedForThisNightIsNotStartedAgainAfterARestart() {
    clock.set(local("2026-03-03T03:30")); // the agent died during the scan and came back

    assertThat(planner.decide(RUNNING_FOR_A_WEEK.withStartedOccurrence(DUE)).runNow()).isFalse();
  }

  @Test
  void nightsBeforeTheAgentsFirstStartAreNotOwed() {
    clock.set(local("2026-03-03T09:00"));

    assertThat(planner.decide(ScheduleState.firstStartAt(local("2026-03-03T08:59"))).runNow()).isFalse();
  }

  @Test
  void policyDefaultsPlanTwoInTheMorningWithinNinetyMinutes() {
    var p = NightlyScanPlanner.forPolicy(PolicyDefaults.defaults(), "host-a", LAB, clock);

    Instant next = p.nextDue(local("2026-03-02T12:00")).orElseThrow();

    assertThat(next).isBetween(local("2026-03-03T02:00"), local("2026-03-03T03:30"));
    assertThat(p.jitter()).isEqualTo(Jitter.forHost("host-a", Duration.ofMinutes(90)));
  }

  @Test
  void invalidCronIsRefusedWithTheExpressionInTheMessage() {
    assertThatThrownBy(() -> new NightlyScanPlanner("every night", LAB, JITTER, clock))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("every night");
  }

  @Test
  void expressionThatNeverFiresAgainPlansNothing() {
    var past = new NightlyScanPlanner("0 0 2 1 1 ? 2020", LAB, JITTER, clock);

    assertThat(past.nextDue(DUE)).isEqualTo(Optional.empty());
    assertThat(past.decide(RUNNING_FOR_A_WEEK).runNow()).isFalse();
  }
}
