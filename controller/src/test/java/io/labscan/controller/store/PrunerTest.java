package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.TestReports;
import io.labscan.controller.verdict.VerdictPolicy;
import com.google.protobuf.ByteString;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.HarvestDigests;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.RuleKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention on a real SQLite file: old evidence goes, what current verdicts rest on stays. */
class PrunerTest {

  /** The storage under test: a SQLite file here; PostgreSQL in {@link PrunerOnPostgresTest}. */
  Storage open(Path file) {
    return Storage.open(file);
  }
  private static final Instant NOW = Instant.parse("2026-12-01T09:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  @TempDir Path dir;

  private static Instant daysAgo(long days) {
    return NOW.minus(Duration.ofDays(days));
  }

  /** One host: an infected full scan 100 days ago (its latest), then {@code later} inventory-only reports. */
  private static String fillHost(Storage store, int later) {
    String id = TestReports.newHostId();
    Report infected = TestReports.fullScan(id, "lab-pc-07", daysAgo(100), 1, "10.20.3.17").toBuilder()
        .addFindings(ArtifactFinding.newBuilder().setRuleId("klez.system.wink-exe")
            .setRuleKind(RuleKind.RULE_KIND_FILE_NAME).setPath("WINDOWS/SYSTEM32/WINKABCD.EXE"))
        .build();
    store.ingest(infected, daysAgo(100), "t").join();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int i = 0; i < later; i++) {
      Instant at = daysAgo(99).plus(Duration.ofMinutes(60L * i));
      Report inventoryOnly = TestReports.fullScan(id, "lab-pc-07", at, 2 + i, "10.20.3.17").toBuilder()
          .clearScan().build();
      pending.add(store.ingest(inventoryOnly, at, "t"));
    }
    pending.forEach(CompletableFuture::join);
    return id;
  }

  @Test
  void oldReportsArePrunedInBatchesButTheLatestFullScanAndItsFindingsStay() {
    try (Storage store = open(dir.resolve("c.db"))) {
      String id = fillHost(store, Pruner.BATCH * 2 + 100);
      store.ingest(TestReports.fullScan(id, "lab-pc-07", daysAgo(1), 10_000, "10.20.3.17").toBuilder().clearScan()
          .build(), daysAgo(1), "t").join();
      long before = store.reportCount();

      Pruner.Result result = new Pruner(store, Pruner.Retention.defaults(), CLOCK).prune(false);

      assertThat(result.rows().get("reports")).isEqualTo(Pruner.BATCH * 2 + 100);
      assertThat(store.reportCount()).isEqualTo(before - result.rows().get("reports"));
      assertThat(store.evidence(id, NOW, VerdictPolicy.defaults()).orElseThrow().findings())
          .as("the latest full scan's findings are what the verdict rests on")
          .extracting(f -> f.ruleId()).containsExactly("klez.system.wink-exe");
      assertThat(store.host(id)).isPresent();
    }
  }

  @Test
  void harvestDigestsNoScanReportedSinceTheFindingsCutoffArePruned() {
    try (Storage store = open(dir.resolve("c.db"))) {
      String id = TestReports.newHostId();
      byte[] old = new byte[32];
      byte[] current = new byte[32];
      current[0] = 1;
      store.ingest(TestReports.fullScan(id, "lab-pc-07", daysAgo(100), 1, "10.20.3.17").toBuilder()
          .setHarvest(HarvestDigests.newBuilder().setKeyId("k1").addDigests(ByteString.copyFrom(old))
              .addDigests(ByteString.copyFrom(current)))
          .build(), daysAgo(100), "t").join();
      store.ingest(TestReports.fullScan(id, "lab-pc-07", daysAgo(1), 2, "10.20.3.17").toBuilder()
          .setHarvest(HarvestDigests.newBuilder().setKeyId("k1").addDigests(ByteString.copyFrom(current)))
          .build(), daysAgo(1), "t").join();

      Pruner.Result result = new Pruner(store, Pruner.Retention.defaults(), CLOCK).prune(false);

      assertThat(result.rows().get("harvest_digests")).as("the digest last reported 100 days ago").isEqualTo(1);
    }
  }

  @Test
  void aDryRunCountsWhatARealRunDeletesAndDeletesNothing() {
    try (Storage store = open(dir.resolve("c.db"))) {
      fillHost(store, 40);
      long before = store.reportCount();
      Pruner pruner = new Pruner(store, Pruner.Retention.defaults(), CLOCK);

      Pruner.Result counted = pruner.prune(true);

      assertThat(store.reportCount()).isEqualTo(before);
      assertThat(pruner.prune(false).rows()).isEqualTo(counted.rows());
      assertThat(counted.total()).isPositive();
    }
  }

  @Test
  void reportsYoungerThanTheRetentionAreKept() {
    try (Storage store = open(dir.resolve("c.db"))) {
      String id = TestReports.newHostId();
      for (int i = 0; i < 5; i++) {
        store.ingest(TestReports.fullScan(id, "lab-pc-07", daysAgo(29 - i), i + 1, "10.20.3.17"), daysAgo(29 - i), "t")
            .join();
      }

      assertThat(new Pruner(store, Pruner.Retention.defaults(), CLOCK).prune(false).total()).isZero();
      assertThat(store.reportCount()).isEqualTo(5);
    }
  }

  @Test
  void retentionShorterThanTheVerdictRulesLookBackIsRefused() {
    assertThatThrownBy(() -> new Pruner.Retention(30, 7, 730))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 31");
    assertThatThrownBy(() -> new Pruner.Retention(30, 90, 60))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("verdict history");
  }

  @Test
  void theRunningControllersPruneCountsWhatItDeletedForMetrics() {
    try (io.labscan.controller.ControllerRuntime runtime = io.labscan.controller.ControllerRuntime.start(
        new io.labscan.controller.ControllerRuntime.Options(dir.resolve("c.db"), "127.0.0.1", 0, true), CLOCK)) {
      fillHost(runtime.store(), 12);

      runtime.pruneNow(new Pruner(runtime.store(), Pruner.Retention.defaults(), CLOCK));

      // Twelve old inventory reports: all but the host's newest go (the full scan is kept too).
      assertThat(runtime.prunedRows()).containsEntry("reports", 11L);
    }
  }
}
