package io.labscan.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.controller.store.Storage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code labscan-controller prune}. */
class PruneCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;
  private Path db;

  @BeforeEach
  void capture() {
    savedOut = System.out;
    savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    db = dir.resolve("controller.db");
    String id = TestReports.newHostId();
    try (Storage store = Storage.open(db)) {
      for (int i = 0; i < 3; i++) {
        Instant at = Instant.now().minus(Duration.ofDays(60 - i));
        store.ingest(TestReports.fullScan(id, "lab-pc-07", at, i + 1, "10.20.3.17"), at, "t").join();
      }
    }
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
  }

  private long reports() {
    try (Storage store = Storage.open(db)) {
      return store.reportCount();
    }
  }

  @Test
  void aDryRunSaysWhatWouldGoAndKeepsEverything() {
    int exit = ControllerMain.commandLine().execute("prune", "--db", db.toString(), "--dry-run");

    assertThat(exit).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Would delete 2 rows").containsPattern("reports +2");
    assertThat(reports()).isEqualTo(3);
  }

  @Test
  void pruneDeletesOldReportsButTheHostsLatestFullScan() {
    int exit = ControllerMain.commandLine().execute("prune", "--db", db.toString());

    assertThat(exit).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Deleted 2 rows");
    assertThat(reports()).isEqualTo(1);
  }

  @Test
  void aRetentionShorterThanTheVerdictRulesNeedIsABadInput() {
    int exit = ControllerMain.commandLine().execute("prune", "--db", db.toString(), "--keep-findings-days", "7");

    assertThat(exit).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("at least 31");
    assertThat(reports()).isEqualTo(3);
  }
}
