package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.verdict.Assessment;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictRepository.Assessed;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import io.labscan.controller.verdict.VerdictService;
import io.labscan.testsupport.PostgresServer;
import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A verdict sweep's writes on a real PostgreSQL server: multi-row statements, not one per host
 * (each statement is a network round trip; 200,000 of them made the cold sweep of 100,000 hosts
 * take 68-90 s, docs/PERFORMANCE.md section 6). Statements are counted by the server
 * ({@code pg_stat_statements}, preloaded on a server of this class's own).
 */
class VerdictSweepWritesOnPostgresTest {
  private static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");
  private static PostgresServer server;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = PostgresServer.start();
    try (Connection c = server.superuser("postgres"); Statement st = c.createStatement()) {
      st.execute("ALTER SYSTEM SET shared_preload_libraries TO 'pg_stat_statements'");
    }
    server.restart();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aSweepOfHostsWritesEachVerdictAndHistoryRowWithAFewMultiRowStatements() throws Exception {
    int hosts = 1_100; // three batches of the sweep: 512, 512 and 76 hosts
    PostgresServer.TestDatabase db = server.createDatabase();
    try (Storage store = Storage.open(PostgresStorage.url(db), PostgresStorage.credentials(db), Clock.systemUTC());
        Connection stats = server.superuser(db.name());
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), Clock.fixed(NOW, ZoneOffset.UTC))) {
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        st.execute("INSERT INTO hosts(host_id, hostname, first_seen_ms, last_seen_ms) SELECT 'host-' || i, "
            + "'lab-pc-' || i, " + NOW.minusSeconds(86_400).toEpochMilli() + ", " + NOW.minusSeconds(600).toEpochMilli()
            + " FROM generate_series(1, " + hosts + ") i");
      }
      try (Statement st = stats.createStatement()) {
        st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        st.execute("SELECT pg_stat_statements_reset()");
      }

      assertThat(verdicts.recomputeAll()).isEqualTo(hosts);

      assertThat(count(stats, "SELECT count(*) FROM verdicts")).isEqualTo(hosts);
      assertThat(count(stats, "SELECT count(*) FROM verdict_history")).isEqualTo(hosts);
      long upserts = calls(stats, db.user(), "INSERT INTO verdicts%");
      long history = calls(stats, db.user(), "INSERT INTO verdict_history%");
      // One statement per host was 1,100 of each; a batch now takes at most one statement per
      // power of two in its size (512: one; 76 = 64 + 8 + 4: three).
      assertThat(upserts).isBetween(1L, 5L);
      assertThat(history).isBetween(1L, 5L);
    }
  }

  @Test
  void aHostTwiceInOneBatchIsSavedAsIfOneSaveFollowedTheOther() throws Exception {
    // PostgreSQL refuses a multi-row upsert that touches one row twice: the batch writes each
    // host's row once, with its last state, and every history row in order.
    try (Storage store = PostgresStorage.open(dir.resolve("twice.db"))) {
      store.saveAssessment("host-b", assessment(Verdict.AT_RISK, "definitions 3 days old"), NOW.minusSeconds(60));

      List<Boolean> changed = store.saveAssessmentsLater(List.of(
          new Assessed("host-a", assessment(Verdict.CLEAN, "scan clean")),
          new Assessed("host-b", assessment(Verdict.AT_RISK, "definitions 4 days old")),
          new Assessed("host-a", assessment(Verdict.INFECTED, "WINKABCD.EXE found")),
          new Assessed("host-a", assessment(Verdict.INFECTED, "WINKABCD.EXE found twice")),
          new Assessed("host-b", assessment(Verdict.AT_RISK, "definitions 5 days old"))), NOW)
          .stream().map(CompletableFuture::join).toList();

      assertThat(changed).containsExactly(true, false, true, false, false);
      assertThat(store.history("host-a")).extracting(VerdictRecord::verdict)
          .containsExactly(Verdict.CLEAN, Verdict.INFECTED);
      VerdictRecord a = store.verdict("host-a").orElseThrow();
      assertThat(a.verdict()).isEqualTo(Verdict.INFECTED);
      assertThat(a.reasons()).extracting(Reason::text).containsExactly("WINKABCD.EXE found twice");
      VerdictRecord b = store.verdict("host-b").orElseThrow();
      assertThat(b.since()).isEqualTo(NOW.minusSeconds(60));
      assertThat(b.reasons()).extracting(Reason::text).containsExactly("definitions 5 days old");
      assertThat(store.history("host-b")).hasSize(1);
    }
  }

  private static Assessment assessment(Verdict verdict, String why) {
    return new Assessment(verdict, List.of(new Reason("test", why, "")));
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Runs of the statements of {@code role} whose text is like {@code pattern}. */
  private static long calls(Connection c, String role, String pattern) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(calls), 0) FROM pg_stat_statements s "
        + "JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = ? AND s.query LIKE ?")) {
      ps.setString(1, role);
      ps.setString(2, pattern);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
