package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.labscan.controller.TestReports;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.HarvestDigests;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.RuleKind;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reports of one write transaction are stored together ({@link SqlReports#ingestAll}): each
 * statement kind runs once for all of them, and the rows are the same as storing them one by
 * one; a report id is stored once, whichever store (controller) gets it.
 */
class GroupedIngestTest {
  @TempDir Path dir;

  /** The storage under test: a SQLite file here; PostgreSQL in {@link GroupedIngestOnPostgresTest}. */
  Storage open(Path file) {
    return Storage.open(file);
  }

  static final Instant T0 = Instant.parse("2026-12-06T22:00:00Z");
  /** The tables a report writes. */
  static final List<String> INGEST_TABLES = List.of("reports", "hosts", "host_addresses", "host_users", "scans",
      "av_status", "findings", "egress_windows", "harvest_digests");

  /** A nightly report as the agent sends it: inventory, AV status, scan, two SMTP windows. */
  static Report nightly(String hostId, String hostname, Instant at, long sequence, String ip, String... users) {
    Report base = TestReports.fullScan(hostId, hostname, at, sequence, ip);
    Report.Builder r = base.toBuilder();
    r.getInventoryBuilder().addAllLoggedInUsers(List.of(users));
    r.addAv(TestReports.freshClamAv());
    r.addAllEgress(TestReports.mailClientWindows(at, 2));
    return r.build();
  }

  /** A report with a Klez finding and a harvest that names one digest twice. */
  static Report infected(String hostId, Instant at, long sequence, String ip) {
    byte[] digest = HexFormat.of().parseHex("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    return nightly(hostId, "lab-pc-13", at, sequence, ip, "carol").toBuilder()
        .addFindings(ArtifactFinding.newBuilder().setRuleId("klez-h-file").setRuleKind(RuleKind.RULE_KIND_FILE_NAME)
            .setPath("C:\\WINDOWS\\SYSTEM32\\WINK3C1.EXE").setSize(94_208)
            .setSha256("3c1b1d3bd4e1f3b8c9b1c0c39e4fd7c3dd1c0cf9b2a7f1c1d1e6f7a8b9c0d1e2").setDetail("Klez.H dropper"))
        .setHarvest(HarvestDigests.newBuilder().setKeyId("k1").addDigests(ByteString.copyFrom(digest))
            .addDigests(ByteString.copyFrom(digest)))
        .build();
  }

  /**
   * A night's worth of the cases that make the ingest read before it writes: a host's two
   * reports (new address, new user), one arriving after a newer one (a spool draining), a known
   * host, a report dated in the future, a duplicate, and an infected host.
   */
  static List<Report> night(String known) {
    String twice = TestReports.newHostId();
    String spooled = TestReports.newHostId();
    String future = TestReports.newHostId();
    Report first = nightly(twice, "lab-pc-01", T0, 1, "10.20.3.17", "alice");
    return List.of(
        first,
        nightly(twice, "lab-pc-01", T0.plusSeconds(3_600), 2, "10.20.3.18", "alice", "Bob"),
        nightly(spooled, "lab-pc-02", T0.plusSeconds(7_200), 8, "10.20.3.40", "dave"),
        nightly(spooled, "lab-pc-02", T0.plusSeconds(1_800), 7, "10.20.3.41", "dave"),
        nightly(known, "lab-pc-03", T0.plusSeconds(600), 2, "10.20.3.50"),
        nightly(future, "lab-pc-04", T0.plusSeconds(86_400), 1, "10.20.3.60"),
        first,
        infected(TestReports.newHostId(), T0, 1, "10.20.3.70"));
  }

  /** When every report of the night arrives (the future-dated one's claim is a day ahead). */
  static Instant receivedAt() {
    return T0.plusSeconds(7_300);
  }

  /** The known host's report of the night before. */
  static Report yesterday(String known) {
    return nightly(known, "lab-pc-03", T0.minusSeconds(86_400), 1, "10.20.3.50");
  }

  /** Makes the host of {@code yesterday} one the store already has, with a mail-server role. */
  static void prepare(Storage store, Report yesterday) {
    store.ingest(yesterday, T0.minusSeconds(86_000), "grpc").join();
    store.setRole(yesterday.getInventory().getHostId(), "mail-server", true).join();
  }

  /** Stores {@code reports} through the write queue, all queued before the writer takes them. */
  static List<Store.IngestOutcome> ingestQueuedTogether(Storage store, List<Report> reports) {
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> blocker = store.update(db -> awaitQuietly(release));
    List<CompletableFuture<Store.IngestOutcome>> futures = new ArrayList<>();
    for (Report r : reports) {
      futures.add(store.ingest(r, receivedAt(), "grpc"));
    }
    release.countDown();
    blocker.join();
    return futures.stream().map(CompletableFuture::join).toList();
  }

  @Test
  void reportsStoredTogetherGiveTheSameRowsAsStoredOneByOne() throws Exception {
    String known = TestReports.newHostId();
    List<Report> night = night(known);
    Report yesterday = yesterday(known);
    try (Storage together = open(dir.resolve("together.db")); Storage oneByOne = open(dir.resolve("one.db"))) {
      prepare(together, yesterday);
      prepare(oneByOne, yesterday);

      List<Store.IngestOutcome> grouped = ingestQueuedTogether(together, night);
      List<Store.IngestOutcome> single = new ArrayList<>();
      for (Report r : night) {
        single.add(oneByOne.ingest(r, receivedAt(), "grpc").join());
      }

      assertThat(grouped).isEqualTo(single);
      for (String table : INGEST_TABLES) {
        assertThat(dump(together, table)).as(table).isEqualTo(dump(oneByOne, table));
      }
    }
  }

  @Test
  void aReportIdTwiceInOneTransactionIsStoredOnce() {
    String host = TestReports.newHostId();
    Report report = nightly(host, "lab-pc-05", T0, 1, "10.20.3.17", "alice");
    try (Storage store = open(dir.resolve("c.db"))) {
      List<Store.IngestOutcome> outcomes = ingestQueuedTogether(store, List.of(report, report, report));

      assertThat(outcomes).containsExactly(Store.IngestOutcome.STORED, Store.IngestOutcome.DUPLICATE,
          Store.IngestOutcome.DUPLICATE);
      assertThat(store.reportCount()).isEqualTo(1);
      assertThat(count(store, "egress_windows")).isEqualTo(2);
      assertThat(count(store, "scans")).isEqualTo(1);
    }
  }

  @Test
  void theSameReportsSentToTwoControllersAtOnceAreStoredOnce() throws Exception {
    List<Report> reports = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      reports.add(nightly(TestReports.newHostId(), "lab-pc-" + i, T0, 1, "10.20.4." + (i + 1), "student"));
    }
    List<Report> reversed = new ArrayList<>(reports);
    java.util.Collections.reverse(reversed);
    Path file = dir.resolve("shared.db");
    try (Storage first = open(file); Storage second = open(file)) {
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Void> blockFirst = first.update(db -> awaitQuietly(release));
      CompletableFuture<Void> blockSecond = second.update(db -> awaitQuietly(release));
      List<CompletableFuture<Store.IngestOutcome>> futures = new ArrayList<>();
      for (int i = 0; i < reports.size(); i++) {
        futures.add(first.ingest(reports.get(i), receivedAt(), "grpc"));
        futures.add(second.ingest(reversed.get(i), receivedAt(), "grpc"));
      }
      release.countDown();
      blockFirst.join();
      blockSecond.join();
      // A write that lost to the other controller fails (agents retry) or finds a duplicate;
      // none is stored twice, and a retry of a failed one is a duplicate.
      int stored = 0;
      for (CompletableFuture<Store.IngestOutcome> f : futures) {
        if (f.handle((o, e) -> o).join() == Store.IngestOutcome.STORED) {
          stored++;
        }
      }
      for (Report r : reports) {
        first.ingest(r, receivedAt(), "grpc").join();
      }

      assertThat(stored).isLessThanOrEqualTo(reports.size());
      assertThat(first.reportCount()).isEqualTo(reports.size());
      assertThat(count(first, "scans")).isEqualTo(reports.size());
      assertThat(count(first, "egress_windows")).isEqualTo(2L * reports.size());
      assertThat(count(first, "av_status")).isEqualTo(reports.size());
    }
  }

  @Test
  void fortyReportsOfFortyHostsTakeAFewStatementsNotFifteenEach() throws Exception {
    try (Storage store = open(dir.resolve("c.db"))) {
      List<String> hosts = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String host = TestReports.newHostId();
        hosts.add(host);
        store.ingest(nightly(host, "lab-pc-" + i, T0, 1, "10.20.5." + (i + 1), "student"), T0, "grpc").join();
      }
      List<SqlReports.Incoming> night = new ArrayList<>();
      for (int i = 0; i < hosts.size(); i++) {
        Report r = nightly(hosts.get(i), "lab-pc-" + i, T0.plusSeconds(86_400), 2, "10.20.5." + (i + 1), "student");
        night.add(new SqlReports.Incoming(r, r.toByteArray(), T0.plusSeconds(86_400).toEpochMilli(), "grpc"));
      }
      SqlReports reports = new SqlReports(store.database());
      AtomicInteger executions = new AtomicInteger();

      List<Store.IngestOutcome> outcomes = store.database().write(db -> {
        Statements cached = store.database().statements(db);
        return reports.ingestAll(text -> counting(cached.prepare(text), executions), night);
      }).join();

      assertThat(outcomes).containsOnly(Store.IngestOutcome.STORED).hasSize(40);
      assertThat(store.reportCount()).isEqualTo(80);
      // Report by report this was 15 round trips each (600): the reports' INSERT in two
      // multi-row statements (32 + 8), and per kind one read or one batch for all 40.
      assertThat(executions.get()).isLessThanOrEqualTo(12);
    }
  }

  /** {@code ps}, counting its executions (each execute or executeBatch is one round trip to a server). */
  static PreparedStatement counting(PreparedStatement ps, AtomicInteger executions) {
    return (PreparedStatement) Proxy.newProxyInstance(GroupedIngestTest.class.getClassLoader(),
        new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
          if (method.getName().startsWith("execute")) {
            executions.incrementAndGet();
          }
          try {
            return method.invoke(ps, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  static long count(Storage store, String table) {
    return store.read(db -> {
      try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  /**
   * Every row of {@code table}, each as its columns by name with engine-neutral values
   * (numbers as integers, bytes as hex), sorted: comparable across stores and engines.
   */
  static List<String> dump(Storage store, String table) {
    return store.read(db -> dump(db, table));
  }

  static List<String> dump(Connection db, String table) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        Map<String, String> row = new TreeMap<>();
        for (int c = 1; c <= md.getColumnCount(); c++) {
          Object v = rs.getObject(c);
          String text;
          if (v == null) {
            text = "NULL";
          } else if (v instanceof byte[] bytes) {
            text = HexFormat.of().formatHex(bytes);
          } else if (v instanceof Boolean b) {
            text = b ? "1" : "0";
          } else if (v instanceof Number num && !(v instanceof Double) && !(v instanceof Float)) {
            text = Long.toString(num.longValue());
          } else {
            text = v.toString();
          }
          row.put(md.getColumnName(c).toLowerCase(java.util.Locale.ROOT), text);
        }
        rows.add(row.toString());
      }
    }
    rows.sort(null);
    return rows;
  }

  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
