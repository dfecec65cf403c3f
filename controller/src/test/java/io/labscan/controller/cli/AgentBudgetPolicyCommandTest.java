package io.labscan.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.Policy;
import io.labscan.testsupport.CliRun;
import io.labscan.testsupport.TestWiring;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agents' resource budget (issue 21) set with {@code labscan-controller policy
 * --agent-memory-budget SIZE --agent-cpu-budget PERCENT}: it goes out in policy fields 80-81 with
 * a new policy version (defaults 96 MiB, 2 % of a core), and a value out of range or not a number
 * is refused naming the flag, changing nothing. That the agents apply it is
 * {@code AgentSelfWatchEndToEndTest}'s.
 */
class AgentBudgetPolicyCommandTest {
  private static final long MIB = 1024 * 1024;
  private static final String WORKSTATION = "5d2c8e1f-3a4b-4c6d-8e7f-9a0b1c2d3e4f";

  @TempDir Path dir;

  @BeforeEach
  void enrolOneHost() {
    try (Storage store = Storage.open(db())) {
      store.enroll(WORKSTATION, "lab-pc-12", Instant.now()).join();
    }
  }

  private Path db() {
    return dir.resolve("c.db");
  }

  private CliRun policy(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "policy";
    all[1] = "--db";
    all[2] = db().toString();
    System.arraycopy(args, 0, all, 3, args.length);
    return CliRun.run(all);
  }

  private Policy hostPolicy() {
    try (Storage store = Storage.open(db())) {
      return TestWiring.policies(store, Clock.systemUTC()).policyFor(WORKSTATION);
    }
  }

  @Test
  void withoutABudgetSetTheAgentsGet96MiBAnd2PercentOfACore() {
    Policy p = hostPolicy();

    assertThat(p.getAgentMemoryBudgetBytes()).isEqualTo(96 * MIB);
    assertThat(p.getAgentCpuBudgetPercent()).isEqualTo(2.0);
  }

  @Test
  void aBudgetSetWithThePolicyCommandGoesOutToTheAgentsWithANewPolicyVersion() {
    long before = hostPolicy().getVersion();

    assertThat(policy("--agent-memory-budget", "64MiB", "--agent-cpu-budget", "0.5%").code()).isZero();

    Policy p = hostPolicy();
    assertThat(p.getVersion()).isGreaterThan(before);
    assertThat(p.getAgentMemoryBudgetBytes()).isEqualTo(64 * MIB);
    assertThat(p.getAgentCpuBudgetPercent()).isEqualTo(0.5);
  }

  @Test
  void aBudgetFlagNotGivenKeepsItsValue() {
    policy("--agent-memory-budget", "128 MiB");

    assertThat(policy("--agent-cpu-budget", "1").code()).isZero();

    assertThat(hostPolicy().getAgentMemoryBudgetBytes()).isEqualTo(128 * MIB);
    assertThat(hostPolicy().getAgentCpuBudgetPercent()).isEqualTo(1.0);
  }

  @Test
  void aMemoryBudgetBelowWhatAJvmNeedsIsRefusedNamingTheFlagAndTheRange() {
    long before = hostPolicy().getVersion();

    CliRun run = policy("--agent-memory-budget", "16MiB");

    assertThat(run.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--agent-memory-budget").contains("32 MiB")
        .contains("4 GiB");
    assertThat(hostPolicy().getVersion()).isEqualTo(before);
    assertThat(hostPolicy().getAgentMemoryBudgetBytes()).isEqualTo(96 * MIB);
  }

  @Test
  void aMemoryBudgetThatIsNotASizeIsRefusedNamingTheFlagAndTheValue() {
    CliRun run = policy("--agent-memory-budget", "lots");

    assertThat(run.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--agent-memory-budget").contains("'lots'")
        .contains("96MiB");
  }

  @Test
  void aCpuBudgetOutOfRangeOrNotANumberIsRefusedNamingTheFlagAndChangesNothing() {
    long before = hostPolicy().getVersion();

    for (String bad : new String[] {"0%", "-1%", "150%", "NaN", "two percent"}) {
      CliRun run = policy("--agent-cpu-budget", bad);
      assertThat(run.code()).as(bad).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
      assertThat(run.err()).as(bad).contains("--agent-cpu-budget");
    }

    assertThat(hostPolicy().getVersion()).isEqualTo(before);
    assertThat(hostPolicy().getAgentCpuBudgetPercent()).isEqualTo(2.0);
  }

  @Test
  void aRefusedBudgetFlagLeavesTheOtherFlagsOfTheSameCommandUnappliedToo() {
    assertThat(policy("--agent-memory-budget", "64MiB", "--agent-cpu-budget", "200%").code())
        .isEqualTo(ControllerMain.EXIT_BAD_INPUT);

    assertThat(hostPolicy().getAgentMemoryBudgetBytes()).isEqualTo(96 * MIB);
  }
}
