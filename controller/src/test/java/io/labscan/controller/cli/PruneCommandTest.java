package io.labscan.controller.cli;

import static io.labscan.testsupport.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.controller.store.Storage;
import io.labscan.testsupport.CliRun;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code labscan-controller prune}. */
class PruneCommandTest {
  @TempDir Path dir;
  private Path db;

  @BeforeEach
  void aControllerWithThreeReportsOfOneHost() {
    db = dir.resolve("controller.db");
    String id = TestReports.newHostId();
    try (Storage store = Storage.open(db)) {
      for (int i = 0; i < 3; i++) {
        Instant at = Instant.now().minus(Duration.ofDays(60 - i));
        store.ingest(TestReports.fullScan(id, "lab-pc-07", at, i + 1, "10.20.3.17"), at, "t").join();
      }
    }
  }

  private long reports() {
    try (Storage store = Storage.open(db)) {
      return store.reportCount();
    }
  }

  @Test
  void aDryRunSaysWhatWouldGoAndKeepsEverything() {
    CliRun r = run("prune", "--db", db.toString(), "--dry-run");

    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Would delete 2 rows").containsPattern("reports +2");
    assertThat(reports()).isEqualTo(3);
  }

  @Test
  void pruneDeletesOldReportsButTheHostsLatestFullScan() {
    CliRun r = run("prune", "--db", db.toString());

    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Deleted 2 rows");
    assertThat(reports()).isEqualTo(1);
  }

  @Test
  void aRetentionShorterThanTheVerdictRulesNeedIsABadInput() {
    CliRun r = run("prune", "--db", db.toString(), "--keep-findings-days", "7");

    assertThat(r.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(r.err()).contains("at least 31");
    assertThat(reports()).isEqualTo(3);
  }
}
