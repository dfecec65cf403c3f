package io.labscan.controller.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.grpc.RateLimiter;
import io.labscan.controller.trust.EnrolmentTokens;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7: the controller's database turns read-only while the controller runs. Reports are
 * refused with UNAVAILABLE naming the problem, the agents keep them, and they all arrive
 * once the database can be written again.
 *
 * <p>How: {@code PRAGMA query_only} on the store's own writer connection (reached through
 * {@code Storage.write}), which makes SQLite refuse every write with the same
 * SQLITE_READONLY a read-only file gives it. The realistic alternatives do not work on a
 * running process: a file system (or bind mount) cannot be remounted read-only while the
 * controller holds the database open for writing (the kernel answers EBUSY), and file modes
 * do not stop root. A database that is read-only when the controller starts is
 * {@link ReadOnlyDatabaseIT}.
 */
class DatabaseTurnsReadOnlyTest {
  private static final int AGENTS = 5;
  private static final IntUnaryOperator CLEAN = n -> 0;

  @TempDir Path dir;

  @Test
  void reportsAreRefusedAsUnavailableNamingTheReadOnlyDatabaseAndAllArriveOnceItIsWritable() {
    Path database = dir.resolve("controller.db");
    DeliveryLedger ledger;
    try (ControllerRuntime controller = ControllerRuntime.start(new ControllerRuntime.Options(database, "127.0.0.1", 0,
        false, OptionalInt.empty(), List.of(), RateLimiter.Rate.reportDefault()), Clock.systemUTC())) {
      EnrolmentToken token = new EnrolmentTokens(controller.store(),
          controller.certificateAuthority().orElseThrow().fingerprint()).issue("", Duration.ofHours(1), AGENTS,
          Instant.now());
      try (ScratchDir agentsDir = ScratchDir.inMemory("labscan-agents");
          AgentFleet fleet = AgentFleet.enrol(AGENTS, agentsDir.path(), token,
              "127.0.0.1:" + controller.enrollPort().orElseThrow(), "127.0.0.1:" + controller.grpcPort())) {
        ledger = fleet.ledger();
        fleet.startHeartbeats(Duration.ofSeconds(1));
        fleet.reportRound(CLEAN);
        fleet.awaitDrained(Duration.ofSeconds(60));

        queryOnly(controller, true);
        fleet.reportRound(CLEAN);
        await("reports refused").atMost(Duration.ofSeconds(60))
            .until(() -> ledger.refusalDescriptions().stream().anyMatch(d -> d.contains("readonly database")));

        assertThat(ledger.refusalDescriptions()).allSatisfy(d -> assertThat(d)
            .startsWith("UNAVAILABLE: controller cannot store right now:").contains("readonly database"));
        assertThat(fleet.spooled()).as("reports kept by the agents").isEqualTo(AGENTS);

        queryOnly(controller, false);
        fleet.awaitDrained(Duration.ofSeconds(60));
      }
    }
    ExactlyOnce.verify(StoredReports.read(database), ledger, AGENTS);
  }

  private static void queryOnly(ControllerRuntime controller, boolean on) {
    controller.store().write(db -> {
      try (Statement st = db.createStatement()) {
        st.execute("PRAGMA query_only = " + (on ? "ON" : "OFF"));
      }
      return null;
    }).join();
  }
}
