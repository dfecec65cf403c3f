package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.TestReports;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest {
  @TempDir Path dir;
  private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");

  @Test
  void aNewDatabaseIsMigratedToTheLatestSchemaAndUsesWal() throws Exception {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      assertThat(store.schemaVersion()).isEqualTo(Migrations.latest());
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("c.db"));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
    }
  }

  @Test
  void aDatabaseFromANewerControllerIsRefusedWithAClearMessage() throws Exception {
    Storage.open(dir.resolve("c.db")).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("c.db"));
        Statement st = c.createStatement()) {
      st.execute("INSERT INTO schema_version(version, description, applied_ms) VALUES (99, 'future', 0)");
    }
    assertThatThrownBy(() -> Storage.open(dir.resolve("c.db")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version 99")
        .hasMessageContaining("newer LabScan");
  }

  @Test
  void manyConcurrentReportsAreAllStoredOnce() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      List<CompletableFuture<Store.IngestOutcome>> futures = new ArrayList<>();
      var reports = new ArrayList<io.labscan.proto.v1.Report>();
      for (int i = 0; i < 500; i++) {
        reports.add(TestReports.fullScan(TestReports.newHostId(), "pc-" + i, T0, 1, "10.0.0." + (i % 250)));
      }
      for (var r : reports) {
        futures.add(store.ingest(r, T0, "test"));
        futures.add(store.ingest(r, T0, "test"));
      }
      long stored = futures.stream().map(CompletableFuture::join)
          .filter(o -> o == Store.IngestOutcome.STORED).count();
      assertThat(stored).isEqualTo(500);
      assertThat(store.reportCount()).isEqualTo(500);
      assertThat(store.hosts()).hasSize(500);
    }
  }

  @Test
  void addressHistoryKeepsWhoHeldAnAddressWhen() throws Exception {
    String linda = TestReports.newHostId();
    String harold = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"), T0, "t").join();
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(3600), 2, "10.20.3.17"),
          T0.plusSeconds(3600), "t").join();
      // DHCP renumbers Linda's PC and hands her old address to Harold's.
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(7200), 3, "10.20.3.99"),
          T0.plusSeconds(7200), "t").join();
      store.ingest(TestReports.fullScan(harold, "lab-pc-12", T0.plusSeconds(7300), 1, "10.20.3.17"),
          T0.plusSeconds(7300), "t").join();

      assertThat(store.host(linda).orElseThrow().currentAddresses()).containsExactly("10.20.3.99");
      assertThat(store.host(harold).orElseThrow().currentAddresses()).containsExactly("10.20.3.17");
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("c.db"));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT host_id, first_seen_ms, last_seen_ms, is_current FROM host_addresses "
            + "WHERE ip = '10.20.3.17' ORDER BY first_seen_ms")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(linda);
      assertThat(rs.getLong(2)).isEqualTo(T0.toEpochMilli());
      assertThat(rs.getLong(3)).isEqualTo(T0.plusSeconds(3600).toEpochMilli());
      assertThat(rs.getInt(4)).isZero();
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(harold);
      assertThat(rs.getInt(4)).isEqualTo(1);
      assertThat(rs.next()).isFalse();
    }
  }

  private static io.labscan.proto.v1.Report withEgressWindows(io.labscan.proto.v1.Report report, int windows) {
    io.labscan.proto.v1.Report.Builder b = report.toBuilder();
    long at = com.google.protobuf.util.Timestamps.toMillis(report.getCreated());
    for (int i = 0; i < windows; i++) {
      b.addEgress(io.labscan.proto.v1.SmtpEgressWindow.newBuilder()
          .setWindowStart(com.google.protobuf.util.Timestamps.fromMillis(at - 120_000 + i * 60_000L))
          .setWindowEnd(com.google.protobuf.util.Timestamps.fromMillis(at - 60_000 + i * 60_000L))
          .setPid(1312).setProcessName("winkabcd.exe").setConnections(3).setDistinctDestinations(1)
);
    }
    return b.build();
  }

  @Test
  void aHostsReportListCountsEachReportsOwnEgressWindows() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      String host = TestReports.newHostId();
      String other = TestReports.newHostId();
      Instant t = Instant.parse("2026-11-27T08:00:00Z");
      store.ingest(withEgressWindows(TestReports.fullScan(host, "pc-1", t, 1, "10.0.0.1"), 2), t, "test").join();
      store.ingest(TestReports.fullScan(host, "pc-1", t.plusSeconds(600), 2, "10.0.0.1"), t, "test").join();
      store.ingest(withEgressWindows(TestReports.fullScan(other, "pc-2", t, 1, "10.0.0.2"), 5), t, "test").join();

      List<ReportEntry> reports = store.reports(host, 10);

      assertThat(reports).extracting(ReportEntry::sequence, ReportEntry::egressWindows)
          .containsExactly(org.assertj.core.api.Assertions.tuple(2L, 0), org.assertj.core.api.Assertions.tuple(1L, 2));
    }
  }

  @Test
  void aLateOlderReportDoesNotRewindTheHostDescription() {
    String id = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(id, "new-name", T0.plusSeconds(600), 2, "10.0.0.2"), T0.plusSeconds(600), "t")
          .join();
      store.ingest(TestReports.fullScan(id, "old-name", T0, 1, "10.0.0.1"), T0.plusSeconds(700), "t").join();
      HostSummary h = store.host(id).orElseThrow();
      assertThat(h.hostname()).isEqualTo("new-name");
      assertThat(h.currentAddresses()).containsExactly("10.0.0.2");
      assertThat(h.firstSeen()).isEqualTo(T0);
    }
  }

  @Test
  void theFleetSecretIsGeneratedOnceAndKept() {
    byte[] first;
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      first = store.secret("fleet");
      assertThat(first).hasSize(32);
    }
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      assertThat(store.secret("fleet")).isEqualTo(first);
    }
  }
  @Test
  void anUnchangedAssessmentIsNotWrittenAgain() throws Exception {
    String id = TestReports.newHostId();
    var clean = new io.labscan.controller.verdict.Assessment(io.labscan.controller.verdict.Verdict.CLEAN,
        List.of(new io.labscan.controller.verdict.Reason("av-fresh", "ClamAV definitions are fresh", "")));
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(id, "pc", T0, 1, "10.0.0.1"), T0, "t").join();
      assertThat(store.saveAssessment(id, clean, T0)).isTrue();

      assertThat(store.saveAssessment(id, clean, T0.plusSeconds(60))).isFalse();

      assertThat(computedMs(id)).isEqualTo(T0.toEpochMilli());
      assertThat(store.history(id)).hasSize(1);
    }
  }

  @Test
  void newReasonsForTheSameVerdictAreWrittenWithoutGrowingTheHistory() throws Exception {
    String id = TestReports.newHostId();
    var first = new io.labscan.controller.verdict.Assessment(io.labscan.controller.verdict.Verdict.AT_RISK,
        List.of(new io.labscan.controller.verdict.Reason("av-stale", "definitions 4 days old", "")));
    var later = new io.labscan.controller.verdict.Assessment(io.labscan.controller.verdict.Verdict.AT_RISK,
        List.of(new io.labscan.controller.verdict.Reason("av-stale", "definitions 5 days old", "")));
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(id, "pc", T0, 1, "10.0.0.1"), T0, "t").join();
      store.saveAssessment(id, first, T0);

      store.saveAssessment(id, later, T0.plusSeconds(86_400));

      assertThat(store.verdict(id).orElseThrow().reasons().get(0).text()).isEqualTo("definitions 5 days old");
      assertThat(computedMs(id)).isEqualTo(T0.plusSeconds(86_400).toEpochMilli());
      assertThat(store.history(id)).hasSize(1);
    }
  }

  @Test
  void anIngestRefusedByTheDatabaseDoesNotBreakTheIngestsAfterIt() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(TestReports.newHostId(), "pc-1", T0, 1, "10.0.0.1"), T0, "t").join();
      queryOnly(store, true);
      assertThatThrownBy(() -> store.ingest(TestReports.fullScan(TestReports.newHostId(), "pc-2", T0, 1, "10.0.0.2"),
          T0, "t").join()).hasMessageContaining("readonly");
      queryOnly(store, false);

      var stored = store.ingest(TestReports.fullScan(TestReports.newHostId(), "pc-3", T0, 1, "10.0.0.3"), T0, "t")
          .join();

      assertThat(stored).isEqualTo(Store.IngestOutcome.STORED);
      assertThat(store.reportCount()).isEqualTo(2);
    }
  }

  private static void queryOnly(Storage store, boolean on) {
    store.write(db -> {
      try (Statement st = db.createStatement()) {
        st.execute("PRAGMA query_only = " + (on ? "ON" : "OFF"));
      }
      return null;
    }).join();
  }

  private long computedMs(String hostId) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("c.db"));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT computed_ms FROM verdicts WHERE host_id = '" + hostId + "'")) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
  }
}
