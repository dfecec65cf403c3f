package io.labscan.agent.selfwatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The budget decisions, fed one reading a minute on a scripted clock. The budget is the default
 * one: 96 MiB, 2 % of one core over 5 minutes, 5 minutes over the memory budget before a restart.
 */
class ResourceBudgetTest {
  private static final long MIB = 1024 * 1024;
  private static final Instant T0 = Instant.parse("2026-12-07T06:00:00Z");
  private static final BudgetPolicy DEFAULTS = BudgetPolicy.defaults();

  /** A scripted agent: its resident size and the CPU it burns per minute, read every minute. */
  private static final class Agent {
    final ResourceBudget budget;
    Instant now = T0;
    Duration cpu = Duration.ofSeconds(3);
    long rss = 60 * MIB;

    Agent(List<Instant> pastRestarts) {
      budget = new ResourceBudget(DEFAULTS, pastRestarts);
    }

    Agent() {
      this(List.of());
    }

    /** One minute at {@code percent} of a core, then a reading. */
    BudgetState minute(double percent) {
      now = now.plus(Duration.ofMinutes(1));
      cpu = cpu.plusNanos((long) (60e9 * percent / 100));
      return read();
    }

    BudgetState read() {
      return budget.observe(new SelfUsage(rss, OptionalLong.empty(), OptionalLong.empty(), cpu, 20), now);
    }

    List<BudgetState> minutes(int n, double percent) {
      List<BudgetState> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        out.add(minute(percent));
      }
      return out;
    }
  }

  @Test
  void theDefaultBudgetIs96MibAnd2PercentOverFiveMinutes() {
    assertThat(DEFAULTS.memoryBytes()).isEqualTo(96 * MIB);
    assertThat(DEFAULTS.cpuPercent()).isEqualTo(2.0);
    assertThat(DEFAULTS.cpuWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(DEFAULTS.memoryOverMinutes()).isEqualTo(5);
  }

  @Test
  void cpuUseIsMeasuredInPercentOfOneCoreBetweenReadings() {
    Agent agent = new Agent();
    agent.read();

    BudgetState s = agent.minute(1.5);

    assertThat(s.cpuPercent()).isCloseTo(1.5, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void anAgentOverItsMemoryBudgetRestartsOnlyAfterFiveMinutesWithoutABreak() {
    Agent agent = new Agent();
    agent.read();
    agent.rss = 120 * MIB;

    List<BudgetState> states = agent.minutes(6, 0.5);

    assertThat(states).extracting(BudgetState::overMemoryMinutes).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(states).extracting(BudgetState::restart).containsExactly(false, false, false, false, false, true);
  }

  @Test
  void aReadingUnderTheMemoryBudgetStartsTheCountAgain() {
    Agent agent = new Agent();
    agent.rss = 120 * MIB;
    agent.read();
    agent.minutes(4, 0.5);
    agent.rss = 90 * MIB;
    agent.minute(0.5);
    agent.rss = 120 * MIB;

    List<BudgetState> states = agent.minutes(5, 0.5);

    assertThat(states).extracting(BudgetState::restart).containsOnly(false);
  }

  @Test
  void aGapBetweenReadingsLongerThanThreeMinutesStartsTheCountAgain() {
    Agent agent = new Agent();
    agent.rss = 120 * MIB;
    agent.read();
    agent.minutes(3, 0.5);
    agent.now = agent.now.plus(Duration.ofHours(2)); // the laptop slept

    BudgetState afterSleep = agent.minute(0.5);

    assertThat(afterSleep.overMemoryMinutes()).isZero();
    assertThat(afterSleep.restart()).isFalse();
  }

  @Test
  void afterARestartWithinTheDayTheAgentWaitsTwiceAsLongOverBudget() {
    Agent agent = new Agent(List.of(T0.minus(Duration.ofHours(2))));
    agent.rss = 120 * MIB;
    agent.read();

    List<BudgetState> states = agent.minutes(10, 0.5);

    assertThat(states.subList(0, 9)).extracting(BudgetState::restart).containsOnly(false);
    assertThat(states.get(9).restart()).isTrue();
    assertThat(states.get(9).restartsToday()).isEqualTo(1);
    assertThat(states.get(9).lastRestart()).hasValue(T0.minus(Duration.ofHours(2)));
  }

  @Test
  void afterThreeRestartsWithinADayTheAgentStopsRestartingAndReportsItselfOverBudget() {
    Agent agent = new Agent(List.of(T0.minus(Duration.ofHours(20)), T0.minus(Duration.ofHours(10)),
        T0.minus(Duration.ofHours(1))));
    agent.rss = 120 * MIB;
    agent.read();

    List<BudgetState> states = agent.minutes(60, 0.5);

    assertThat(states).extracting(BudgetState::restart).containsOnly(false);
    assertThat(states.get(59).restartHeld()).isTrue();
    assertThat(states.get(59).overMemory()).isTrue();
  }

  @Test
  void restartsOlderThanADayNoLongerCountForTheBackOff() {
    Agent agent = new Agent(List.of(T0.minus(Duration.ofHours(30)), T0.minus(Duration.ofHours(26)),
        T0.minus(Duration.ofHours(25))));
    agent.rss = 120 * MIB;
    agent.read();

    List<BudgetState> states = agent.minutes(5, 0.5);

    assertThat(states.get(4).restart()).isTrue();
    assertThat(states.get(4).restartsToday()).isZero();
  }

  @Test
  void noCpuDecisionIsMadeBeforeAWholeWindowWasSeen() {
    Agent agent = new Agent();
    agent.read();

    List<BudgetState> states = agent.minutes(4, 50);

    assertThat(states).extracting(BudgetState::windowComplete).containsOnly(false);
    assertThat(states).extracting(BudgetState::slowFactor).containsOnly(1);
  }

  @Test
  void anAgentOverItsCpuBudgetForAWindowSamplesTwiceAsSlowly() {
    Agent agent = new Agent();
    agent.read();

    List<BudgetState> states = agent.minutes(5, 3.0);

    BudgetState last = states.get(4);
    assertThat(last.windowComplete()).isTrue();
    assertThat(last.cpuPercentWindow()).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(last.slowFactor()).isEqualTo(2);
    assertThat(last.paceChanged()).isTrue();
  }

  @Test
  void aShortBurstAveragedOverTheWindowStaysWithinTheBudget() {
    Agent agent = new Agent();
    agent.read();
    agent.minutes(4, 0.2);

    BudgetState afterBurst = agent.minute(8.0); // one minute of SMTP sessions: (0.8 + 8) / 5 = 1.76 %

    assertThat(afterBurst.cpuPercentWindow()).isLessThan(2.0);
    assertThat(afterBurst.slowFactor()).isEqualTo(1);
  }

  @Test
  void theSlowDownStepsUpOncePerWindowUpToEightTimes() {
    Agent agent = new Agent();
    agent.read();

    List<BudgetState> states = agent.minutes(30, 5.0);

    assertThat(states).extracting(BudgetState::slowFactor)
        .containsSubsequence(2, 4, 8).doesNotContain(16);
    assertThat(states.stream().filter(BudgetState::paceChanged).count()).isEqualTo(3);
  }

  @Test
  void anAgentBackUnderHalfItsCpuBudgetRecoversItsPaceStepByStep() {
    Agent agent = new Agent();
    agent.read();
    agent.minutes(10, 5.0); // slowed to 4x
    assertThat(agent.budget.slowFactor()).isEqualTo(4);

    List<BudgetState> quiet = agent.minutes(15, 0.3);

    assertThat(quiet).extracting(BudgetState::slowFactor).containsSubsequence(2, 1);
    assertThat(quiet.get(14).slowFactor()).isEqualTo(1);
    assertThat(quiet.get(14).cpuSlowed()).isFalse();
  }

  @Test
  void betweenHalfAndTheWholeBudgetThePaceStaysAsItIs() {
    Agent agent = new Agent();
    agent.read();
    agent.minutes(5, 5.0);
    assertThat(agent.budget.slowFactor()).isEqualTo(2);

    List<BudgetState> states = agent.minutes(20, 1.5);

    assertThat(states).extracting(BudgetState::slowFactor).containsOnly(2);
  }

  @Test
  void aClockThatGoesBackStartsTheReadingsAgainInsteadOfDividingByANegativeTime() {
    Agent agent = new Agent();
    agent.read();
    agent.minutes(3, 1.0);
    agent.now = agent.now.minus(Duration.ofHours(1));

    BudgetState s = agent.read();

    assertThat(s.cpuPercent()).isZero();
    assertThat(s.windowComplete()).isFalse();
  }
}
