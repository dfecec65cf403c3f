package io.labscan.controller.e2e;

import static java.util.Objects.requireNonNull;

import io.labscan.testsupport.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.sqlite.SQLiteConfig;

/**
 * Read-only questions to the controllers' database (the SQLite file, or the PostgreSQL database
 * two controllers share), for waiting until something happened (a scan arrived, an address
 * changed). What the story asserts comes from the CLI. The SQL is the same for both.
 */
final class ControllerDb {
  private final String where;
  private final Connector connector;

  private interface Connector {
    Connection open() throws SQLException;
  }

  private ControllerDb(String where, Connector connector) {
    this.where = where;
    this.connector = connector;
  }

  static ControllerDb sqlite(Path file) {
    requireNonNull(file, "file");
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(10_000);
    return new ControllerDb(file.toString(), () -> DriverManager.getConnection("jdbc:sqlite:" + file,
        config.toProperties()));
  }

  static ControllerDb postgres(PostgresServer.TestDatabase database) {
    requireNonNull(database, "database");
    return new ControllerDb(database.url(), () -> {
      Connection c = database.connect();
      c.setReadOnly(true);
      return c;
    });
  }

  /** One egress window of a host as stored. */
  record Window(Instant start, Instant end, String process, boolean unattributed, int connections,
      boolean allowed, String source) {}

  private interface Query<T> {
    T run(Connection db) throws SQLException;
  }

  private <T> T read(Query<T> query) {
    try (Connection db = connector.open()) {
      return query.run(db);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read " + where + ": " + e.getMessage(), e);
    }
  }

  /** What the host's agent last reported of its SMTP quarantine: "ENFORCED order 3", or empty. */
  Optional<String> quarantine(String hostname) {
    return read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT q.enforcement, q.revision FROM quarantine_agent_state q "
          + "JOIN hosts h ON h.host_id = q.host_id WHERE h.hostname = ?")) {
        ps.setString(1, hostname);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1) + " order " + rs.getLong(2)) : Optional.empty();
        }
      }
    });
  }

  /** Refused SMTP attempts the host's agent reported to {@code ip}. */
  long blockedAttempts(String hostname, String ip) {
    return read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT COALESCE(SUM(b.attempts), 0) FROM quarantine_blocked b "
          + "JOIN hosts h ON h.host_id = b.host_id WHERE h.hostname = ? AND b.ip = ?")) {
        ps.setString(1, hostname);
        ps.setString(2, ip);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getLong(1) : 0L;
        }
      }
    });
  }

  Optional<String> hostId(String hostname) {
    return read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT host_id FROM hosts WHERE hostname = ?")) {
        ps.setString(1, hostname);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }

  /** The host's current addresses, as its latest inventory listed them. */
  Set<String> currentAddresses(String hostname) {
    return read(db -> {
      Set<String> out = new TreeSet<>();
      try (PreparedStatement ps = db.prepareStatement("SELECT a.ip FROM host_addresses a JOIN hosts h "
          + "ON h.host_id = a.host_id WHERE h.hostname = ? AND a.is_current = 1")) {
        ps.setString(1, hostname);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return out;
    });
  }

  Optional<Instant> lastFullScan(String hostname) {
    return read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT last_full_scan_ms FROM hosts WHERE hostname = ?")) {
        ps.setString(1, hostname);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            long ms = rs.getLong(1);
            return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(ms));
          }
          return Optional.empty();
        }
      }
    });
  }

  /** The host's egress windows that end after {@code since}, oldest first. */
  List<Window> egress(String hostname, Instant since) {
    return read(db -> {
      List<Window> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement("SELECT e.window_start_ms, e.window_end_ms, e.process_name, "
          + "e.unattributed, e.connections, e.allowed, e.source FROM egress_windows e JOIN hosts h "
          + "ON h.host_id = e.host_id WHERE h.hostname = ? AND e.window_end_ms > ? ORDER BY e.window_start_ms")) {
        ps.setString(1, hostname);
        ps.setLong(2, since.toEpochMilli());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Window(Instant.ofEpochMilli(rs.getLong(1)), Instant.ofEpochMilli(rs.getLong(2)),
                rs.getString(3), rs.getInt(4) != 0, rs.getInt(5), rs.getInt(6) != 0, rs.getString(7)));
          }
        }
      }
      return out;
    });
  }
}
