package io.labscan.controller.doctor;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.doctor.Finding;
import io.labscan.controller.store.DatabaseCredentials;
import io.labscan.controller.store.DatabaseUrl;
import io.labscan.controller.store.postgres.PostgresMigrations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * {@code doctor}'s checks of a PostgreSQL {@code --db}, instead of the SQLite file checks: the
 * TLS files the URL names, whether the server is reachable and accepts the login (with its
 * version), whether the connection is encrypted and how the server is verified, the LabScan
 * schema version against this build's, whether the database takes writes (a standby or a
 * read-only database stops serve), and its size.
 *
 * <p>One plain JDBC connection with the URL's own driver properties (sslmode, sslrootcert, ...),
 * so what doctor sees is what serve would get, and nothing is created or migrated: the schema is
 * only read ({@code schema_version}). Read-only statements only.
 */
final class PostgresChecks {
  /** How long the connection attempt may take when the URL sets no connect_timeout. */
  static final String DEFAULT_CONNECT_TIMEOUT_SECONDS = "10";

  private PostgresChecks() {}

  /**
   * Adds the findings about {@code url}; true when the database holds a LabScan schema this
   * build can use (the fleet checks may then read it).
   */
  static boolean examine(DatabaseUrl.Postgres url, DatabaseCredentials credentials, String fixFlags,
      List<Finding> findings) {
    requireNonNull(url, "url");
    requireNonNull(credentials, "credentials");
    List<String> missing = url.missingFiles();
    if (!missing.isEmpty()) {
      for (String m : missing) {
        findings.add(Finding.problem("the PostgreSQL URL's " + m,
            "give the --db URL a file the controller's account can read (docs/postgresql.md)"));
      }
      return false;
    }
    Properties properties = url.driverProperties(credentials);
    properties.putIfAbsent("connectTimeout", DEFAULT_CONNECT_TIMEOUT_SECONDS);
    try (Connection c = connect(url, properties)) {
      c.setReadOnly(true);
      findings.add(Finding.ok("PostgreSQL " + url + " is reachable as " + credentials.user() + " (server version "
          + one(c, "SHOW server_version") + ")"));
      tls(c, url, findings);
      int version = PostgresMigrations.current(c);
      int latest = PostgresMigrations.latest();
      if (version == 0) {
        findings.add(Finding.problem("the PostgreSQL database holds no LabScan schema yet",
            "labscan-controller serve " + fixFlags + " (creates it at its first start), or copy a SQLite database "
                + "into it: labscan-controller migrate-to --db FILE --to URL"));
        return false;
      }
      if (version > latest) {
        findings.add(Finding.problem("the database is at schema version " + version + " but this controller knows "
                + "only up to " + latest + " (it was written by a newer LabScan)",
            "upgrade this controller to the version the other controllers on this database run"));
        return false;
      }
      findings.add(Finding.ok("the database is at schema version " + version + (version == latest ? " (current)"
          : " (serve migrates it to " + latest + " at its next start)")));
      String readOnly = readOnly(c);
      if (!readOnly.isEmpty()) {
        findings.add(Finding.problem("the database cannot be written: " + readOnly + " (serve refuses to start)",
            "point --db at the primary server (target_session_attrs=read-write with several hosts)"));
        return false;
      }
      findings.add(Finding.ok("the database takes writes (" + size(Long.parseLong(
          one(c, "SELECT pg_database_size(current_database())"))) + ")"));
      return true;
    } catch (SQLException | RuntimeException e) {
      findings.add(Finding.problem("cannot reach PostgreSQL " + url + " as " + credentials.user() + ": "
              + e.getMessage(),
          "check the host and port, the server's pg_hba.conf for this machine, the password (--db-password-file or "
              + "LABSCAN_DB_PASSWORD) and the URL's sslmode/sslrootcert (docs/postgresql.md)"));
      return false;
    }
  }

  /** The driver itself, not DriverManager: nothing depends on service files surviving the jar's packaging. */
  private static Connection connect(DatabaseUrl.Postgres url, Properties properties) throws SQLException {
    Connection c = new org.postgresql.Driver().connect(url.jdbcUrl(), properties);
    if (c == null) {
      throw new SQLException("the PostgreSQL driver does not accept " + url.jdbcUrl());
    }
    return c;
  }

  private static void tls(Connection c, DatabaseUrl.Postgres url, List<Finding> findings) throws SQLException {
    String mode = url.sslMode();
    boolean loopback = url.hosts().stream().allMatch(h -> isLoopback(h.host()));
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
      boolean encrypted = rs.next() && rs.getBoolean(1);
      if (!encrypted) {
        String what = "the connection to the database is not encrypted (sslmode=" + mode + ")";
        if (loopback) {
          findings.add(Finding.ok(what + ", on loopback"));
        } else {
          findings.add(Finding.problem(what + ": reports, accounts and tokens cross the network in clear text",
              "enable ssl on the server and use sslmode=verify-full&sslrootcert=FILE in the --db URL"));
        }
        return;
      }
      String how = "TLS (" + rs.getString(2) + ", " + rs.getString(3) + "; sslmode=" + mode;
      if (mode.equals("verify-full")) {
        findings.add(Finding.ok("the connection to the database is encrypted with " + how
            + ": the server's certificate and name are checked)"));
      } else if (mode.equals("verify-ca")) {
        findings.add(Finding.warning("the connection to the database is encrypted with " + how
                + ": the server's certificate is checked but not its name)",
            "use sslmode=verify-full in the --db URL"));
      } else if (loopback) {
        findings.add(Finding.ok("the connection to the database is encrypted with " + how + ", on loopback)"));
      } else {
        findings.add(Finding.warning("the connection to the database is encrypted with " + how
                + ": the server's certificate is not checked, so anybody on the path can pose as the server)",
            "use sslmode=verify-full&sslrootcert=FILE in the --db URL"));
      }
    }
  }

  private static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
  }

  /** Why the database refuses writes, in words; empty when it takes them. */
  private static String readOnly(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), current_setting('default_transaction_read_only')")) {
      rs.next();
      if (rs.getBoolean(1)) {
        return "it is a standby (in recovery)";
      }
      return "on".equals(rs.getString(2)) ? "its transactions are read-only (default_transaction_read_only)" : "";
    }
  }

  private static String one(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? String.valueOf(rs.getString(1)) : "";
    }
  }

  private static String size(long bytes) {
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }
}
