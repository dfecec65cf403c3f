package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.triage.EgressHit;
import io.labscan.testsupport.PostgresServer;
import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Triage's egress overlap query ({@link SqliteTriageEvidence#overlapQuery}) on a real
 * PostgreSQL server, on a fleet-shaped store: 1,000 hosts, 100,000 one-minute windows over a
 * month, the unallowed ones of ten infected hosts, no window longer than an hour, analysed as
 * autovacuum analyses a table after such a load.
 *
 * <p>Whichever plan the server runs — the custom plan of each of the first five runs of a
 * prepared statement, or the generic plan it may keep from the sixth on (the JDBC driver
 * prepares a statement on the server at its fifth run) — the short windows come from the
 * partial index {@code egress_unallowed_by_time} (or {@code egress_by_host} with the host
 * filter), the long ones from {@code egress_long_windows}, and no plan reads the whole
 * {@code hosts} table or starts parallel workers. Before V025 the planner guessed that a third of
 * all windows are long: a hash join over every host for the long-window half (which returns
 * nothing), in parallel on a large store; 0.4-0.8 s per triage question at 10 million windows
 * (docs/PERFORMANCE.md section 6).
 */
class EgressOverlapPlanOnPostgresTest {
  @TempDir Path dir;

  private static final long START = Instant.parse("2026-06-01T00:00:00Z").toEpochMilli();
  private static final long DAY = 86_400_000L;
  /** A month in 100 slots of 7.2 hours; every host has one window in each. */
  private static final long SLOT = 30 * DAY / 100;
  /**
   * A complaint's moment and triage's slack after it: the start of host-7's window in slot 34,
   * one the worm sent (not allowed).
   */
  private static final Instant FROM = Instant.ofEpochMilli(START + 34 * SLOT + 7 * 60_000L);
  private static final Instant TO = FROM.plusSeconds(600);
  private static final String INFECTED = "host-7";

  /** The fleet and its month of windows, seeded by SQL. */
  private static void seed(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("INSERT INTO hosts(host_id, hostname, first_seen_ms, last_seen_ms, os_family, os_version, "
          + "agent_version, lab, logged_in_users) SELECT 'host-' || i, 'lab-pc-' || i, " + START + ", "
          + (START + 30 * DAY) + ", 'windows', 'Microsoft Windows XP Professional SP1', '0.1.0', 'lab-1', "
          + "'user' || i FROM generate_series(0, 999) i");
      // Windows of host i start i minutes (modulo the slot) into slot w; those of every hundredth
      // host (host-7, host-107, ...) are the worm's in the even slots: not allowed.
      st.execute("INSERT INTO egress_windows(report_id, host_id, window_start_ms, window_end_ms, process_name, "
          + "process_path, destinations, connections, allowed) SELECT 'r-' || i, 'host-' || i, s, s + 60000, "
          + "'thunderbird.exe', 'C:\\Program Files\\Mozilla Thunderbird\\thunderbird.exe', '10.20.0.25:587*1', 1, "
          + "CASE WHEN i % 100 = 7 AND w % 2 = 0 THEN 0 ELSE 1 END FROM generate_series(0, 999) i, "
          + "generate_series(0, 99) w, LATERAL (SELECT " + START + "::bigint + w * " + SLOT
          + "::bigint + (i * 60000::bigint) % " + SLOT + " AS s) x");
      st.execute("ANALYZE");
    }
  }

  @Test
  void everyPlanOfTheOverlapQueryUsesThePartialIndexesAndNeverReadsEveryHost() throws Exception {
    Path file = dir.resolve("plans.db");
    PostgresServer.TestDatabase db = PostgresStorage.database(file);
    try (Storage store = PostgresStorage.open(file); Connection c = db.connect()) {
      seed(c);
      SqliteTriageEvidence evidence = new SqliteTriageEvidence(store.database(), "fleet-key");
      // The product's own questions, more than five times each on the read pool's connections.
      List<EgressHit> unallowed = List.of();
      List<EgressHit> near = List.of();
      for (int i = 0; i < 12; i++) {
        unallowed = evidence.unallowedEgressBetween(FROM, TO);
        near = evidence.egressNear(List.of(INFECTED, "host-8"), FROM, TO);
      }
      assertThat(unallowed).isNotEmpty().allSatisfy(h -> assertThat(h.allowed()).isFalse());
      assertThat(near).isNotEmpty().allSatisfy(h -> assertThat(h.hostId()).isIn(INFECTED, "host-8"));

      for (String mode : List.of("auto", "force_custom_plan", "force_generic_plan")) {
        String unallowedPlan = plan(c, mode, SqliteTriageEvidence.overlapQuery(SqliteTriageEvidence.UNALLOWED),
            List.of(from(), to(), from(), to(), from()));
        assertThat(unallowedPlan).as("%s plan of the unallowed windows' question:%n%s", mode, unallowedPlan)
            .contains("egress_unallowed_by_time", "egress_long_windows")
            .doesNotContain("Seq Scan on hosts", "Gather", "Hash Join");
        String hostPlan = plan(c, mode, SqliteTriageEvidence.overlapQuery(" AND e.host_id = ?"),
            List.of(from(), to(), from(), "'" + INFECTED + "'", to(), from(), "'" + INFECTED + "'"));
        assertThat(hostPlan).as("%s plan of a host's windows' question:%n%s", mode, hostPlan)
            .contains("egress_by_host", "egress_long_windows")
            .doesNotContain("Seq Scan on hosts", "Gather", "Hash Join");
      }
    }
  }

  private static String from() {
    return Long.toString(FROM.toEpochMilli() - SqliteTriageEvidence.SHORT_WINDOW.toMillis());
  }

  private static String to() {
    return Long.toString(TO.toEpochMilli());
  }

  /**
   * The plan PostgreSQL runs for {@code sql} as a prepared statement after seven runs with
   * {@code arguments} (SQL literals) under {@code plan_cache_mode = mode}: {@code auto} is the
   * server's default (generic from the sixth run on when it is not costlier than the custom ones).
   */
  private static String plan(Connection c, String mode, String sql, List<String> arguments) throws SQLException {
    StringBuilder numbered = new StringBuilder();
    int n = 0;
    for (char ch : sql.toCharArray()) {
      if (ch == '?') {
        numbered.append('$').append(++n);
      } else {
        numbered.append(ch);
      }
    }
    assertThat(n).isEqualTo(arguments.size());
    String name = "overlap_" + Integer.toHexString(sql.hashCode() & 0x7fffffff) + "_" + mode;
    String execute = "EXECUTE " + name + "(" + String.join(", ", arguments) + ")";
    try (Statement st = c.createStatement()) {
      st.execute("SET plan_cache_mode = " + mode);
      st.execute("PREPARE " + name + " AS " + numbered);
      for (int i = 0; i < 7; i++) {
        try (ResultSet rs = st.executeQuery(execute)) {
          while (rs.next()) {
            // read as the product reads
          }
        }
      }
      List<String> lines = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) " + execute)) {
        while (rs.next()) {
          lines.add(rs.getString(1));
        }
      }
      st.execute("DEALLOCATE " + name);
      st.execute("RESET plan_cache_mode");
      return String.join("\n", lines);
    }
  }

  @Test
  void theLongWindowsOfAHostAreStillFoundThroughTheirOwnIndex() throws Exception {
    Path file = dir.resolve("long.db");
    PostgresServer.TestDatabase db = PostgresStorage.database(file);
    try (Storage store = PostgresStorage.open(file); Connection c = db.connect()) {
      seed(c);
      try (Statement st = c.createStatement()) {
        // A window held open for a day (a stuck session), from the day before FROM.
        st.execute("INSERT INTO egress_windows(report_id, host_id, window_start_ms, window_end_ms, process_name, "
            + "destinations, allowed) VALUES ('r-long', 'host-8', " + (FROM.toEpochMilli() - DAY / 2) + ", "
            + (FROM.toEpochMilli() + DAY / 2) + ", 'winkabcd.exe', '10.20.0.25:25*900', 0)");
      }
      SqliteTriageEvidence evidence = new SqliteTriageEvidence(store.database(), "fleet-key");
      Set<String> found = new java.util.HashSet<>();
      for (int i = 0; i < 8; i++) {
        found = evidence.unallowedEgressBetween(FROM, TO).stream()
            .map(h -> h.hostId() + "@" + h.windowStart().toEpochMilli()).collect(Collectors.toSet());
      }
      assertThat(found).contains("host-8@" + (FROM.toEpochMilli() - DAY / 2));
    }
  }
}
