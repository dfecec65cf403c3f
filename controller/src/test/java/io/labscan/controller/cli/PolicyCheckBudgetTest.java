package io.labscan.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.Policy;
import io.labscan.testsupport.TestWiring;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Operators set how long each scan check may run on the fleet's agents. */
class PolicyCheckBudgetTest {
  @TempDir Path dir;

  @BeforeEach
  void controllerDatabase() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      TestWiring.policies(store, Clock.systemUTC()).current();
    }
  }

  private int policy(String... options) {
    String[] args = new String[options.length + 3];
    args[0] = "policy";
    args[1] = "--db";
    args[2] = dir.resolve("c.db").toString();
    System.arraycopy(options, 0, args, 3, options.length);
    return ControllerMain.commandLine().execute(args);
  }

  private Policy current() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      return TestWiring.policies(store, Clock.systemUTC()).current();
    }
  }

  @Test
  void aBudgetSetByTheOperatorReachesThePolicyInSecondsWithANewVersion() {
    long before = current().getVersion();

    assertThat(policy("--check-budget", "harvest=30m", "--check-budget", "artifacts=2h")).isZero();

    Policy policy = current();
    assertThat(policy.getCheckBudgetSecondsMap()).isEqualTo(Map.of("harvest", 1800L, "artifacts", 7200L));
    assertThat(policy.getVersion()).isGreaterThan(before);
  }

  @Test
  void defaultGivesACheckItsBuiltInBudgetBack() {
    policy("--check-budget", "harvest=30m", "--check-budget", "mail=2h");

    assertThat(policy("--check-budget", "harvest=default")).isZero();

    assertThat(current().getCheckBudgetSecondsMap()).isEqualTo(Map.of("mail", 7200L));
  }

  @Test
  void anUnknownCheckOrABudgetOutOfRangeIsRefusedAndChangesNothing() {
    policy("--check-budget", "harvest=30m");
    long version = current().getVersion();

    assertThat(policy("--check-budget", "harvset=30m")).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(policy("--check-budget", "harvest=500ms")).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(policy("--check-budget", "harvest=25h")).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(policy("--check-budget", "harvest")).isEqualTo(ControllerMain.EXIT_BAD_INPUT);

    assertThat(current().getCheckBudgetSecondsMap()).isEqualTo(Map.of("harvest", 1800L));
    assertThat(current().getVersion()).isEqualTo(version);
  }
}
