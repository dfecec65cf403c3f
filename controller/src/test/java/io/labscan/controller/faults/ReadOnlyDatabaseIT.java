package io.labscan.controller.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.enrolment.EnrolmentToken;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7: the controller's database is read-only when the controller (re)starts — a file
 * system remounted read-only after errors, a backup restored read-only. The controller must
 * say so and stop (exit status 1, so systemd's {@code Restart=on-failure} tries again),
 * rather than serve on with a database it can never write; agents keep their reports
 * spooled; once the database is writable, everything arrives exactly once.
 *
 * <p>Read-only is a read-only bind mount of the database file onto itself, in a private
 * mount namespace ({@code unshare --mount}) the controller runs in: the kernel answers EROFS,
 * which root cannot override (file modes would not stop root). A database turning read-only
 * while the controller runs is {@link DatabaseTurnsReadOnlyTest}. Needs root for the
 * namespace; skipped, loudly, without it.
 */
class ReadOnlyDatabaseIT {
  private static final int AGENTS = 10;
  private static final IntUnaryOperator CLEAN = n -> 0;

  @TempDir Path dir;

  @BeforeAll
  static void needsMountNamespaces() {
    MountNamespace.assumeAvailable();
  }

  @Test
  void aControllerFacingAReadOnlyDatabaseRefusesToStartNamingItAndNothingIsLost() {
    Path database = dir.resolve("controller").resolve("labscan.db");
    try (MountNamespace ns = MountNamespace.create();
        ControllerProcess controller = new ControllerProcess(database, ControllerProcess.logFor("ReadOnlyDatabaseIT"),
            ns.enter())) {
      EnrolmentToken token = controller.enrolmentToken(AGENTS);
      controller.start();
      DeliveryLedger ledger;
      try (ScratchDir agentsDir = ScratchDir.inMemory("labscan-agents");
          AgentFleet fleet = AgentFleet.enrol(AGENTS, agentsDir.path(), token, controller)) {
        ledger = fleet.ledger();
        fleet.startHeartbeats(Duration.ofSeconds(2));
        fleet.reportRound(CLEAN);
        fleet.awaitDrained(Duration.ofSeconds(60));
        controller.stop();

        ns.readOnly(database);
        fleet.reportRound(CLEAN);
        ControllerProcess.Exit refused = controller.startExpectingExit();
        fleet.reportRound(CLEAN);

        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.output()).contains("serve: The database " + database + " is read-only");
        assertThat(fleet.spooled()).as("reports kept by the agents").isEqualTo(2L * AGENTS);

        ns.writable(database);
        controller.start();
        fleet.awaitDrained(Duration.ofSeconds(120));
        assertThat(controller.kill()).isEqualTo(ControllerProcess.KILLED);
      }
      ExactlyOnce.verify(StoredReports.read(database), ledger, AGENTS);
    }
  }
}
