package io.labscan.agent.selfwatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.proto.v1.AgentBudgetState;
import io.labscan.proto.v1.AgentResources;
import io.labscan.proto.v1.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The self-watch between the budget and the runtime: what it reports, records and asks for. */
class SelfWatchTest {
  private static final long MIB = 1024 * 1024;
  private static final Instant T0 = Instant.parse("2026-12-07T06:00:00Z");

  private final List<Integer> paces = new ArrayList<>();
  private final List<BudgetState> restarts = new ArrayList<>();
  private final List<AgentBudgetState> reported = new ArrayList<>();
  private final SelfWatch.Actions actions = new SelfWatch.Actions() {
    @Override
    public void report(AgentResources resources) {
      reported.add(resources.getBudgetState());
    }

    @Override
    public void pace(int slowFactor) {
      paces.add(slowFactor);
    }

    @Override
    public void restart(BudgetState why) {
      restarts.add(why);
    }
  };

  private static SelfUsage usage(long rss, Duration cpu) {
    return new SelfUsage(rss, OptionalLong.of(rss - 20 * MIB), OptionalLong.of(20 * MIB), cpu, 19);
  }

  @Test
  void theHeartbeatReportsTheNewestReadingWithTheBudgetItWasJudgedBy(@TempDir Path state) {
    SelfWatch watch = new SelfWatch(() -> usage(70 * MIB, Duration.ZERO), new RestartLedger(state),
        PolicyDefaults.defaults(), actions);
    watch.observe(usage(70 * MIB, Duration.ofSeconds(10)), T0, false);

    watch.observe(usage(72 * MIB, Duration.ofSeconds(10).plusMillis(600)), T0.plusSeconds(60), false);

    AgentResources r = watch.latest().orElseThrow();
    assertThat(r.getRssBytes()).isEqualTo(72 * MIB);
    assertThat(r.getRssAnonBytes()).isEqualTo(52 * MIB);
    assertThat(r.getRssFileBytes()).isEqualTo(20 * MIB);
    assertThat(r.getCpuPercent()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(r.getThreads()).isEqualTo(19);
    assertThat(r.getBudgetState()).isEqualTo(AgentBudgetState.AGENT_BUDGET_STATE_WITHIN);
    assertThat(r.getMemoryBudgetBytes()).isEqualTo(96 * MIB);
    assertThat(r.getCpuBudgetPercent()).isEqualTo(2.0);
    assertThat(r.hasRestartedForMemory()).isFalse();
  }

  @Test
  void aDueRestartIsRecordedInTheStateFolderBeforeTheRuntimeIsAskedToRestart(@TempDir Path state) {
    SelfWatch watch = new SelfWatch(() -> usage(0, Duration.ZERO), new RestartLedger(state),
        PolicyDefaults.defaults(), actions);

    for (int minute = 0; minute <= 5; minute++) {
      watch.observe(usage(130 * MIB, Duration.ofSeconds(minute)), T0.plus(Duration.ofMinutes(minute)), false);
    }

    assertThat(restarts).hasSize(1);
    assertThat(new RestartLedger(state).read()).containsExactly(T0.plus(Duration.ofMinutes(5)));
  }

  @Test
  void theNextProcessReportsThatItWasRestartedForMemory(@TempDir Path state) throws Exception {
    new RestartLedger(state).record(T0);
    SelfWatch next = new SelfWatch(() -> usage(0, Duration.ZERO), new RestartLedger(state),
        PolicyDefaults.defaults(), actions);

    next.observe(usage(60 * MIB, Duration.ofSeconds(2)), T0.plusSeconds(90), false);

    AgentResources r = next.latest().orElseThrow();
    assertThat(r.getRestartedForMemory().getSeconds()).isEqualTo(T0.getEpochSecond());
    assertThat(r.getMemoryRestarts()).isEqualTo(1);
  }

  @Test
  void aRestartWaitsWhileAScanIsRunning(@TempDir Path state) {
    SelfWatch watch = new SelfWatch(() -> usage(0, Duration.ZERO), new RestartLedger(state),
        PolicyDefaults.defaults(), actions);
    for (int minute = 0; minute <= 7; minute++) {
      watch.observe(usage(130 * MIB, Duration.ofSeconds(minute)), T0.plus(Duration.ofMinutes(minute)), true);
    }
    assertThat(restarts).isEmpty();

    watch.observe(usage(130 * MIB, Duration.ofSeconds(8)), T0.plus(Duration.ofMinutes(8)), false);

    assertThat(restarts).hasSize(1);
  }

  @Test
  void aRestartThatCannotBeRecordedDoesNotHappen(@TempDir Path state) throws Exception {
    Path notAFolder = Files.writeString(state.resolve("file"), "x");
    SelfWatch watch = new SelfWatch(() -> usage(0, Duration.ZERO), new RestartLedger(notAFolder),
        PolicyDefaults.defaults(), actions);

    for (int minute = 0; minute <= 6; minute++) {
      watch.observe(usage(130 * MIB, Duration.ofSeconds(minute)), T0.plus(Duration.ofMinutes(minute)), false);
    }

    assertThat(restarts).isEmpty();
    assertThat(watch.latest().orElseThrow().getBudgetState()).isEqualTo(AgentBudgetState.AGENT_BUDGET_STATE_OVER_MEMORY);
  }

  @Test
  void overTheCpuBudgetTheRuntimeIsAskedToSlowDownAndTheHeartbeatSaysSo(@TempDir Path state) {
    SelfWatch watch = new SelfWatch(() -> usage(0, Duration.ZERO), new RestartLedger(state),
        PolicyDefaults.defaults(), actions);

    for (int minute = 0; minute <= 5; minute++) {
      watch.observe(usage(60 * MIB, Duration.ofSeconds(6L * minute)), T0.plus(Duration.ofMinutes(minute)), false);
    }

    assertThat(paces).containsExactly(2);
    assertThat(watch.slowFactor()).isEqualTo(2);
    assertThat(watch.latest().orElseThrow().getBudgetState()).isEqualTo(AgentBudgetState.AGENT_BUDGET_STATE_CPU_SLOWED);
  }

  @Test
  void aTighterPolicyBudgetAppliesFromTheNextReading(@TempDir Path state) {
    SelfWatch watch = new SelfWatch(() -> usage(0, Duration.ZERO), new RestartLedger(state),
        PolicyDefaults.defaults(), actions);
    watch.policy(Policy.newBuilder().setAgentMemoryBudgetBytes(48 * MIB).build());

    watch.observe(usage(60 * MIB, Duration.ZERO), T0, false);

    assertThat(watch.latest().orElseThrow().getBudgetState()).isEqualTo(AgentBudgetState.AGENT_BUDGET_STATE_OVER_MEMORY);
    assertThat(watch.latest().orElseThrow().getMemoryBudgetBytes()).isEqualTo(48 * MIB);
  }

  @Test
  void aMeterThatFailsGivesNoReadingAndNoReport(@TempDir Path state) {
    SelfWatch watch = new SelfWatch(SelfUsageMeter.unavailable("no /proc"), new RestartLedger(state),
        PolicyDefaults.defaults(), actions);

    assertThat(watch.measure()).isEmpty();
    assertThat(watch.latest()).isEmpty();
  }

  @Test
  void aDamagedLedgerReadsAsTheRestartsItCanStillRead(@TempDir Path state) throws Exception {
    Files.writeString(state.resolve(RestartLedger.FILE), "1796000000000\ngarbage\n\n1796000060000\n");

    assertThat(new RestartLedger(state).read()).containsExactly(Instant.ofEpochMilli(1796000000000L),
        Instant.ofEpochMilli(1796000060000L));
  }

  @Test
  void aSlowDownAndItsEndAreHandedToTheRuntimeToReportAtOnceASteadyStateOnlyOnce(@TempDir Path state) {
    SelfWatch watch = new SelfWatch(() -> usage(0, Duration.ZERO), new RestartLedger(state),
        PolicyDefaults.defaults(), actions);
    Duration cpu = Duration.ZERO;
    // Five minutes at 10 % of a core, then idle until the budget lets the pace back up.
    for (int minute = 0; minute <= 16; minute++) {
      if (minute > 0 && minute <= 5) {
        cpu = cpu.plusSeconds(6);
      }
      watch.observe(usage(60 * MIB, cpu), T0.plus(Duration.ofMinutes(minute)), false);
    }

    assertThat(paces).containsExactly(2, 1);
    assertThat(reported).containsExactly(AgentBudgetState.AGENT_BUDGET_STATE_WITHIN,
        AgentBudgetState.AGENT_BUDGET_STATE_CPU_SLOWED, AgentBudgetState.AGENT_BUDGET_STATE_WITHIN);
  }
}
