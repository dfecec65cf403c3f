package io.labscan.controller.store.postgres;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The numbered schema migrations on PostgreSQL: the twins of the SQLite scripts, one file per
 * SQLite file with the same name, in {@code migrations/postgresql/}.
 *
 * <p><b>One history.</b> The version of a database is the position of its last script in
 * {@link #FILES}, exactly as for SQLite ({@code store.Migrations.FILES}; V011 and V012 are
 * applied in list order, not name order), recorded in the same {@code schema_version} table, so
 * that "version 17" means the same tables and columns on both backends and {@code migrate-to}
 * can compare them. {@code PostgresMigrationsMatchSqliteTest} fails when the two lists differ or
 * when a twin's tables, columns, keys or index names drift from SQLite's.
 *
 * <p><b>Same semantics.</b> Each script runs in its own transaction with its
 * {@code schema_version} row (PostgreSQL's DDL is transactional: a failing script leaves the
 * previous version intact); a database written by a newer LabScan (a higher version than this
 * build knows) is refused rather than misread.
 *
 * <p><b>Several controllers.</b> Controllers starting together on one database take a
 * transaction-scoped advisory lock before reading the version, so exactly one applies each
 * script and the others find it applied.
 */
public final class PostgresMigrations {
  private static final Logger log = LoggerFactory.getLogger(PostgresMigrations.class);
  private static final String FOLDER = "/io/labscan/controller/store/migrations/postgresql/";
  /** Advisory lock key serialising migrations (any constant; "LabScanM" in ASCII). */
  static final long LOCK_KEY = 0x4c61625363616e4dL;

  /**
   * The migrations this build knows, in order: must equal the SQLite list (append only; a new
   * SQLite migration gets its twin here under the same name).
   */
  public static final List<String> FILES = List.of("V001__initial.sql", "V002__verdicts.sql",
      "V003__address_ends_and_owners.sql", "V004__trust.sql", "V005__dashboard.sql",
      "V006__query_indexes.sql", "V007__certificate_renewal.sql", "V008__web_sessions.sql",
      "V010__address_writes.sql", "V012__trusted_mtas.sql", "V011__clock_claims.sql", "V013__identity.sql",
      "V014__leases_and_egress_judgement.sql", "V015__effective_lab.sql", "V016__complaint_mailboxes.sql",
      "V017__quarantine.sql", "V018__access.sql", "V019__report_subscriptions.sql",
      "V020__agent_resources.sql", "V021__external_identities.sql", "V022__sso_role_origin.sql",
        "V023__report_recipients.sql", "V024__change_notifications_and_once_only.sql",
        "V025__egress_window_length_statistics.sql", "V029__superseded_complaint_traces.sql",
        "V031__recording_mta.sql", "V034__host_name_history.sql");

  private PostgresMigrations() {}

  /** The schema version this build migrates to. */
  public static int latest() {
    return FILES.size();
  }

  /**
   * Brings the database to {@link #latest()}; returns that version. Refuses (StoreException) a
   * database at a higher version. {@code clock} dates the {@code schema_version} rows.
   */
  public static int migrate(Connection db, Clock clock) throws SQLException {
    requireNonNull(db, "db");
    requireNonNull(clock, "clock");
    boolean autoCommit = db.getAutoCommit();
    db.setAutoCommit(false);
    try {
      lock(db);
      try (Statement st = db.createStatement()) {
        st.execute("CREATE TABLE IF NOT EXISTS schema_version ("
            + " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_ms BIGINT NOT NULL)");
      }
      db.commit();
      for (;;) {
        lock(db);
        int current = current(db);
        if (current > latest()) {
          throw new StoreException("The database is at schema version " + current
              + " but this controller knows only up to " + latest()
              + ": it was written by a newer LabScan. Use that version, or a copy of an older backup.");
        }
        if (current == latest()) {
          db.commit();
          return latest();
        }
        int v = current + 1;
        String file = FILES.get(v - 1);
        for (String sql : statements(read(file))) {
          try (Statement st = db.createStatement()) {
            st.execute(sql);
          } catch (SQLException e) {
            throw new SQLException("Migration " + file + " failed at: " + firstLine(sql) + ": " + e.getMessage(),
                e.getSQLState(), e);
          }
        }
        try (PreparedStatement ps = db.prepareStatement(
            "INSERT INTO schema_version(version, description, applied_ms) VALUES (?,?,?)")) {
          ps.setInt(1, v);
          ps.setString(2, file);
          ps.setLong(3, clock.millis());
          ps.executeUpdate();
        }
        db.commit();
        log.info("PostgreSQL database migrated to schema version {} ({}).", v, file);
      }
    } catch (SQLException | RuntimeException e) {
      db.rollback();
      throw e;
    } finally {
      db.setAutoCommit(autoCommit);
    }
  }

  /** The database's schema version: 0 when it has no {@code schema_version} table yet. */
  public static int current(Connection db) throws SQLException {
    try (Statement st = db.createStatement();
        ResultSet exists = st.executeQuery("SELECT to_regclass('schema_version') IS NOT NULL")) {
      exists.next();
      if (!exists.getBoolean(1)) {
        return 0;
      }
    }
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  private static void lock(Connection db) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      ps.setLong(1, LOCK_KEY);
      ps.execute();
    }
  }

  private static String firstLine(String sql) {
    String line = sql.strip().split("\n", 2)[0];
    return line.length() > 120 ? line.substring(0, 120) + "..." : line;
  }

  static String read(String file) {
    try (InputStream in = PostgresMigrations.class.getResourceAsStream(FOLDER + file)) {
      if (in == null) {
        throw new StoreException("PostgreSQL migration " + file + " is missing from the build (" + FOLDER + ").");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StoreException("Cannot read PostgreSQL migration " + file, e);
    }
  }

  /**
   * Splits a script into statements at a {@code ;} ending a line, dropping comment lines, as the
   * SQLite runner does; a {@code $$}-quoted body (a PL/pgSQL function) is kept whole whatever
   * its lines end with.
   */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inBody = false;
    for (String line : script.split("\n")) {
      String trimmed = line.trim();
      if (!inBody && (trimmed.startsWith("--") || trimmed.isEmpty())) {
        continue;
      }
      current.append(line).append('\n');
      if (dollarQuotes(line) % 2 == 1) {
        inBody = !inBody;
      }
      if (!inBody && trimmed.endsWith(";")) {
        String sql = current.toString().trim();
        out.add(sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().trim());
    }
    return out;
  }

  private static int dollarQuotes(String line) {
    int n = 0;
    for (int i = line.indexOf("$$"); i >= 0; i = line.indexOf("$$", i + 2)) {
      n++;
    }
    return n;
  }
}
