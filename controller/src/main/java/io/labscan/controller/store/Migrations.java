package io.labscan.controller.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbered schema migrations, applied in order, each in its own transaction, with the
 * version recorded in {@code schema_version}. A database written by a newer controller is
 * refused rather than silently misread.
 */
final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);
  private static final String FOLDER = "/io/labscan/controller/store/migrations/";

  /** The migrations this build knows, in order. Append only. */
  static final List<String> FILES = List.of("V001__initial.sql", "V002__verdicts.sql",
      "V003__address_ends_and_owners.sql", "V004__trust.sql", "V005__dashboard.sql",
      "V006__query_indexes.sql", "V007__certificate_renewal.sql", "V008__web_sessions.sql",
        "V010__address_writes.sql", "V012__trusted_mtas.sql", "V011__clock_claims.sql", "V013__identity.sql",
        "V014__leases_and_egress_judgement.sql", "V015__effective_lab.sql", "V016__complaint_mailboxes.sql",
        "V017__quarantine.sql", "V018__access.sql", "V019__report_subscriptions.sql",
        "V020__agent_resources.sql", "V021__external_identities.sql", "V022__sso_role_origin.sql",
        "V023__report_recipients.sql", "V024__change_notifications_and_once_only.sql",
        "V025__egress_window_length_statistics.sql", "V029__superseded_complaint_traces.sql",
        "V031__recording_mta.sql", "V034__host_name_history.sql");

  private Migrations() {}

  static int latest() {
    return FILES.size();
  }

  static int migrate(Connection db) throws SQLException {
    try (Statement st = db.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS schema_version ("
          + " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_ms BIGINT NOT NULL)");
    }
    int current = current(db);
    if (current > latest()) {
      throw new StoreException("The database is at schema version " + current
          + " but this controller knows only up to " + latest()
          + ": it was written by a newer LabScan. Use that version, or a copy of an older backup.");
    }
    boolean autoCommit = db.getAutoCommit();
    db.setAutoCommit(false);
    try {
      for (int v = current + 1; v <= latest(); v++) {
        String file = FILES.get(v - 1);
        for (String sql : statements(read(file))) {
          try (Statement st = db.createStatement()) {
            st.execute(sql);
          }
        }
        try (PreparedStatement ps = db.prepareStatement(
            "INSERT INTO schema_version(version, description, applied_ms) VALUES (?,?,?)")) {
          ps.setInt(1, v);
          ps.setString(2, file);
          ps.setLong(3, System.currentTimeMillis());
          ps.executeUpdate();
        }
        db.commit();
        log.info("Database migrated to schema version {} ({}).", v, file);
      }
    } catch (SQLException | RuntimeException e) {
      db.rollback();
      throw e;
    } finally {
      db.setAutoCommit(autoCommit);
    }
    return latest();
  }

  static int current(Connection db) throws SQLException {
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  private static String read(String file) {
    try (InputStream in = Migrations.class.getResourceAsStream(FOLDER + file)) {
      if (in == null) {
        throw new StoreException("Migration " + file + " is missing from the build.");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StoreException("Cannot read migration " + file, e);
    }
  }

  /** Splits a script on semicolons at line ends, dropping comment lines. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
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
}
