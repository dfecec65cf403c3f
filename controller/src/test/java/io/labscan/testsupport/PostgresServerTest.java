package io.labscan.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The test harness itself: a real server on loopback, password logins only, TLS for 127.0.0.1. */
class PostgresServerTest {
  private static PostgresServer server;

  @BeforeAll
  static void start() throws Exception {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aTestDatabaseBelongsToItsOwnRoleWhichCanCreateTables() throws Exception {
    PostgresServer.TestDatabase db = server.createDatabase();
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (x BIGINT)");
      try (ResultSet rs = st.executeQuery("SELECT current_user, current_database()")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo(db.user());
        assertThat(rs.getString(2)).isEqualTo(db.name());
      }
    }
  }

  @Test
  void aWrongPasswordIsRefused() throws Exception {
    PostgresServer.TestDatabase db = server.createDatabase();
    Properties p = new Properties();
    p.setProperty("user", db.user());
    p.setProperty("password", "not-" + db.password());
    p.setProperty("sslmode", "disable");
    assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), p).close())
        .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
  }

  @Test
  void theServerSpeaksTlsVerifiedAgainstItsOwnCertificate() throws Exception {
    PostgresServer.TestDatabase db = server.createDatabase();
    Properties p = new Properties();
    p.setProperty("user", db.user());
    p.setProperty("password", db.password());
    p.setProperty("sslmode", "verify-full");
    p.setProperty("sslrootcert", server.certificate().toString());
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), p); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
      rs.next();
      assertThat(rs.getBoolean(1)).isTrue();
    }
  }
}
