package io.labscan.controller.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.contract.enrolment.EnrolmentToken;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7: "controllers restart. No acknowledged report may be lost."
 *
 * <p>200 agents, each with its own state folder, enrolled certificate and durable spool, run
 * the agent's real delivery code (spool, {@code ReportSender}, {@code ControllerClient} over
 * mutual TLS) in this JVM. The controller is the real runnable jar in a JVM of its own. It is
 * killed with SIGKILL three times while reports are streaming in (once 100 more were
 * acknowledged, with hundreds still in flight), and restarted each time on the same ports
 * and database; the agents keep producing reports while it is dead.
 *
 * <p>Every acknowledgement any agent received is recorded as it arrives. Afterwards, with the
 * controller killed once more after the last acknowledgement, the database file must hold
 * every acknowledged report, every report produced, each exactly once, with its evidence rows
 * exactly once; and every agent's spool must be empty.
 *
 * <p>Enrolment is the real thing (one token with 200 uses, a TLS handshake, a key and a
 * certificate per agent): it costs a few seconds, and it means the controller restarts face
 * 200 mutual-TLS reconnections, as a real lab would give it.
 */
class ControllerCrashIT {
  private static final int AGENTS = 200;
  private static final int KILLS = 3;
  /** Every 25th machine is infected: its reports carry Klez findings and change its verdict. */
  private static final IntUnaryOperator KLEZ_ON_EVERY_25TH = n -> n % 25 == 0 ? 3 : 0;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedReportSurvivesSigkillAndEveryReportIsStoredExactlyOnce() {
    Path database = dir.resolve("controller").resolve("labscan.db");
    long inFlightAtKills = 0;
    try (ControllerProcess controller = new ControllerProcess(database,
        ControllerProcess.logFor("ControllerCrashIT"))) {
      EnrolmentToken token = controller.enrolmentToken(AGENTS);
      controller.start();
      DeliveryLedger ledger;
      try (ScratchDir agentsDir = ScratchDir.inMemory("labscan-agents");
          AgentFleet fleet = AgentFleet.enrol(AGENTS, agentsDir.path(), token, controller)) {
        ledger = fleet.ledger();
        fleet.startHeartbeats(Duration.ofSeconds(3));
        for (int kill = 1; kill <= KILLS; kill++) {
          long acksBefore = ledger.acks();
          CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> fleet.reportRound(KLEZ_ON_EVERY_25TH));
          await("reports streaming in").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
              .until(() -> ledger.acks() >= acksBefore + AGENTS / 2);

          long inFlight = fleet.spooled();
          assertThat(controller.kill()).as("exit status of a SIGKILLed controller").isEqualTo(ControllerProcess.KILLED);
          inFlightAtKills += inFlight;
          System.out.printf("kill %d: %d reports in flight; %s%n", kill, inFlight, ledger);
          producing.join();
          fleet.reportRound(KLEZ_ON_EVERY_25TH); // produced while the controller is dead
          controller.startAgentPorts();
        }
        fleet.reportRound(KLEZ_ON_EVERY_25TH);
        fleet.awaitDrained(Duration.ofSeconds(120));
        // After the last acknowledgement, no clean shutdown either: what was acknowledged must be on disk.
        assertThat(controller.kill()).isEqualTo(ControllerProcess.KILLED);
      }
      // Duplicate acks are reports the controller had committed when it died but never acknowledged.
      System.out.println("done: " + ledger + "; refusals other than UNAVAILABLE: " + ledger.refusalDescriptions()
          .stream().filter(d -> !d.startsWith("UNAVAILABLE")).toList());

      assertThat(inFlightAtKills).as("reports in flight when the controller was killed").isPositive();
      assertThat(ledger.producedCount()).isEqualTo(AGENTS * (2 * KILLS + 1));
      ExactlyOnce.verify(StoredReports.read(database), ledger, AGENTS);
    }
  }
}
