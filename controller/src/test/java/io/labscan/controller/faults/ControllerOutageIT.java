package io.labscan.controller.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.enrolment.EnrolmentToken;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7: "networks drop, controllers restart" — the long outage. The controller (the real
 * jar, its own JVM) is stopped the way systemd stops it (SIGTERM); 20 agents keep scanning and
 * spool 50 reports each. When it is back, every spool drains, and every report is stored
 * exactly once.
 *
 * <p>"Long" is counted in reports, not in hours: the agent's backoff and gRPC's reconnect
 * backoff both cap at two minutes, so a longer wall-clock outage would only make this test
 * slower, not different.
 */
class ControllerOutageIT {
  private static final int AGENTS = 20;
  private static final int REPORTS_DURING_OUTAGE = 50;
  private static final IntUnaryOperator CLEAN = n -> 0;

  @TempDir Path dir;

  @Test
  void reportsSpooledDuringALongOutageDrainExactlyOnceWhenTheControllerReturns() {
    Path database = dir.resolve("controller").resolve("labscan.db");
    try (ControllerProcess controller = new ControllerProcess(database,
        ControllerProcess.logFor("ControllerOutageIT"))) {
      EnrolmentToken token = controller.enrolmentToken(AGENTS);
      controller.start();
      DeliveryLedger ledger;
      try (ScratchDir agentsDir = ScratchDir.inMemory("labscan-agents");
          AgentFleet fleet = AgentFleet.enrol(AGENTS, agentsDir.path(), token, controller)) {
        ledger = fleet.ledger();
        fleet.startHeartbeats(Duration.ofSeconds(2));
        fleet.reportRound(CLEAN);
        fleet.awaitDrained(Duration.ofSeconds(60));

        int stopped = controller.stop();
        for (int i = 0; i < REPORTS_DURING_OUTAGE; i++) {
          fleet.reportRound(CLEAN);
        }
        assertThat(fleet.spooled()).as("reports waiting in the agents' spools")
            .isEqualTo((long) AGENTS * REPORTS_DURING_OUTAGE);

        controller.start();
        fleet.awaitDrained(Duration.ofSeconds(120));
        assertThat(controller.kill()).isEqualTo(ControllerProcess.KILLED);
        System.out.println("stopped with exit status " + stopped + "; " + ledger);
      }
      ExactlyOnce.verify(StoredReports.read(database), ledger, AGENTS);
    }
  }
}
