package io.labscan.controller.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.contract.enrolment.EnrolmentToken;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7: the controller's disk fills up. Nothing is lost: the controller answers
 * UNAVAILABLE naming the problem, agents keep their reports spooled, and once space is freed
 * everything arrives, exactly once.
 *
 * <p>The full disk is real: the controller (the runnable jar, in its own JVM) keeps its
 * database on a 24 MiB tmpfs mounted in a private mount namespace ({@code unshare --mount};
 * nothing outside it sees the mount), and the test fills that tmpfs with a plain file until
 * the kernel answers ENOSPC, so SQLite meets the same {@code write()} failure it would on a
 * full disk. (Alternatives considered: SQLite's {@code PRAGMA max_page_count} fakes the limit
 * inside SQLite, which never reaches the WAL's own growth or the kernel's error path, and
 * needs a hook into the controller's connection; a root-level mount would be visible to the
 * whole machine.) Needs root for the namespace; skipped, loudly, without it.
 */
class ControllerDiskFullIT {
  private static final int AGENTS = 20;
  private static final long TMPFS_BYTES = 24L * 1024 * 1024;
  /** 20 Klez findings make a report of about 12 KiB: the disk fills after a few rounds. */
  private static final IntUnaryOperator BIG = n -> 20;

  @TempDir Path dir;

  @BeforeAll
  static void needsMountNamespaces() {
    MountNamespace.assumeAvailable();
  }

  @Test
  void aFullDiskIsRefusedAsUnavailableNamingItAndEverythingArrivesOnceThereIsSpaceAgain() throws IOException {
    Path disk = dir.resolve("disk");
    Path database = disk.resolve("labscan.db");
    try (MountNamespace ns = MountNamespace.withTmpfs(disk, TMPFS_BYTES);
        ControllerProcess controller = new ControllerProcess(database, ControllerProcess.logFor("ControllerDiskFullIT"),
            ns.enter())) {
      EnrolmentToken token = controller.enrolmentToken(AGENTS);
      controller.start();
      DeliveryLedger ledger;
      Path filler = ns.outside(disk.resolve("filler"));
      try (ScratchDir agentsDir = ScratchDir.inMemory("labscan-agents");
          AgentFleet fleet = AgentFleet.enrol(AGENTS, agentsDir.path(), token, controller)) {
        ledger = fleet.ledger();
        fleet.startHeartbeats(Duration.ofSeconds(2));
        fleet.reportRound(BIG);
        fleet.awaitDrained(Duration.ofSeconds(60));

        fillUntilFull(filler);
        await("the controller refusing reports for want of space").atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(200))
            .failFast("the controller exited (see " + controller.logFile() + ")", () -> !controller.isRunning())
            .until(() -> {
              fleet.reportRound(BIG);
              return ledger.refusalDescriptions().stream().anyMatch(d -> d.contains("disk is full"));
            });

        assertThat(ledger.refusalDescriptions()).anySatisfy(d -> assertThat(d)
            .startsWith("UNAVAILABLE: controller cannot store right now:").contains("database or disk is full"));
        assertThat(controller.logText()).contains("database or disk is full");
        assertThat(controller.isRunning()).as("the controller keeps running").isTrue();
        assertThat(fleet.spooled()).as("reports kept by the agents").isPositive();

        Files.delete(filler);
        fleet.reportRound(BIG);
        fleet.awaitDrained(Duration.ofSeconds(120));
        assertThat(controller.kill()).isEqualTo(ControllerProcess.KILLED);
        System.out.println(ledger);
      }
      Path copy = Files.createDirectories(dir.resolve("copy"));
      for (String name : new String[] {"labscan.db", "labscan.db-wal"}) {
        Path file = ns.outside(disk.resolve(name));
        if (Files.exists(file)) {
          Files.copy(file, copy.resolve(name));
        }
      }
      ExactlyOnce.verify(StoredReports.read(copy.resolve("labscan.db")), ledger, AGENTS);
    }
  }

  /** Writes {@code filler} until the file system has no block left. */
  private static void fillUntilFull(Path filler) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(filler)) {
      for (long written = 0; written <= TMPFS_BYTES; written += chunk.length) {
        out.write(chunk);
        out.flush();
      }
      throw new IllegalStateException("wrote more than the tmpfs holds without ENOSPC");
    } catch (IOException full) {
      if (!String.valueOf(full.getMessage()).contains("No space left on device")) {
        throw full;
      }
    }
  }
}
