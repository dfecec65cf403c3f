package io.labscan.controller.bench;

import io.labscan.testsupport.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a report step cost the PostgreSQL server: transactions, statements, rows, WAL and the
 * server's own CPU, read before and after the step. The counters are the server's cumulative
 * statistics for the controller's database ({@code pg_stat_database}), the cluster's WAL
 * ({@code pg_stat_wal}), the statements the controller's role ran ({@code pg_stat_statements},
 * when the library is preloaded) and the CPU ticks of the postmaster and every process it
 * forked ({@code /proc}: backends, WAL writer, checkpointer; the postmaster's {@code cutime}
 * keeps the ticks of backends that ended).
 *
 * <p>Caveats: backends flush their statistics at the end of a transaction but at most once a
 * second when busy, so a step's counters can be off by up to a second's worth of work; the
 * probe's own connection is in the CPU sum (a few queries per step).
 */
final class PostgresProbe implements ControllerLoadTest.DbProbe, AutoCloseable {
  private final Connection connection;
  private final String role;
  private final long postmaster;
  private boolean statements;

  PostgresProbe(PostgresServer server, PostgresServer.TestDatabase db) throws SQLException {
    Objects.requireNonNull(server, "server");
    this.connection = server.superuser(db.name());
    this.role = db.user();
    long backend;
    try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      backend = rs.getLong(1);
    }
    this.postmaster = parentOf(backend);
    try (Statement st = connection.createStatement()) {
      st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      st.executeQuery("SELECT count(*) FROM pg_stat_statements").close();
      statements = true;
    } catch (SQLException notPreloaded) {
      statements = false;
      ControllerLoadTest.log("pg_stat_statements unavailable (%s): statement counts left out", notPreloaded.getMessage());
    }
  }

  @Override
  public synchronized Map<String, Double> snapshot() {
    Map<String, Double> out = new LinkedHashMap<>();
    try (Statement st = connection.createStatement()) {
      st.execute("SELECT pg_stat_clear_snapshot()");
      try (ResultSet rs = st.executeQuery("SELECT xact_commit, xact_rollback, tup_returned, tup_fetched,"
          + " tup_inserted, tup_updated, tup_deleted, blks_read, blks_hit FROM pg_stat_database"
          + " WHERE datname = current_database()")) {
        rs.next();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          out.put(rs.getMetaData().getColumnLabel(i), rs.getDouble(i));
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT wal_records, wal_bytes, wal_sync FROM pg_stat_wal")) {
        rs.next();
        out.put("wal_records", rs.getDouble(1));
        out.put("wal_bytes", rs.getDouble(2));
        out.put("wal_sync", rs.getDouble(3));
      }
      if (statements) {
        try (ResultSet rs = st.executeQuery("SELECT coalesce(sum(calls), 0), coalesce(sum(rows), 0)"
            + " FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = '"
            + role.replace("'", "''") + "'")) {
          rs.next();
          out.put("calls", rs.getDouble(1));
          out.put("rows", rs.getDouble(2));
        }
      }
    } catch (SQLException e) {
      ControllerLoadTest.log("PostgreSQL statistics unreadable: %s", e.getMessage());
    }
    out.put("cpu_ms", serverCpuMillis());
    return out;
  }

  @Override
  public String describe(Map<String, Double> before, Map<String, Double> after, long acked, double seconds) {
    if (acked == 0 || before.isEmpty() || after.isEmpty()) {
      return "";
    }
    double cpuMs = d(before, after, "cpu_ms");
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "server CPU %.1f s (%.2f cores), %.0f µs per report; per report: %.2f commits, %.2f rows inserted,"
            + " %.2f updated, %.2f deleted, %.1f rows fetched, %.0f WAL records, %.0f WAL bytes, %.2f blocks read"
            + " from disk/OS cache, %.0f buffer hits; WAL syncs %.0f/s",
        cpuMs / 1e3, cpuMs / 1e3 / seconds, cpuMs * 1e3 / acked, per(before, after, "xact_commit", acked),
        per(before, after, "tup_inserted", acked), per(before, after, "tup_updated", acked),
        per(before, after, "tup_deleted", acked), per(before, after, "tup_fetched", acked),
        per(before, after, "wal_records", acked), per(before, after, "wal_bytes", acked),
        per(before, after, "blks_read", acked), per(before, after, "blks_hit", acked),
        d(before, after, "wal_sync") / seconds));
    if (after.containsKey("calls")) {
      out.append(String.format(Locale.ROOT, "; statements (round trips) per report %.2f, rows they touched %.2f",
          per(before, after, "calls", acked), per(before, after, "rows", acked)));
    }
    return out.toString();
  }

  private static double d(Map<String, Double> before, Map<String, Double> after, String key) {
    return after.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
  }

  private static double per(Map<String, Double> before, Map<String, Double> after, String key, long acked) {
    return d(before, after, key) / acked;
  }

  /** CPU of the postmaster (with its reaped children's) and of every live process it forked, ms. */
  private double serverCpuMillis() {
    double tick = 1e3 / ControllerLoadTest.TICKS_PER_SECOND;
    long ticks = 0;
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : (Iterable<Path>) procs::iterator) {
        String name = proc.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(proc.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long pid = Long.parseLong(name);
          if (pid == postmaster) {
            // utime, stime, cutime, cstime
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
          } else if (Long.parseLong(f[1]) == postmaster) {
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        } catch (IOException | RuntimeException ended) {
          // the process ended between the listing and the read
        }
      }
    } catch (IOException e) {
      return Double.NaN;
    }
    return ticks * tick;
  }

  private static long parentOf(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the PostgreSQL backend's parent: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
