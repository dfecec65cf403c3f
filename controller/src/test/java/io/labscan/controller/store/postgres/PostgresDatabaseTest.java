package io.labscan.controller.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.store.DatabaseCredentials;
import io.labscan.controller.store.DatabaseUrl;
import io.labscan.controller.store.StoreException;
import io.labscan.testsupport.PostgresServer;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pooled PostgreSQL database against a real server: migrated on open, transactions, TLS verified. */
class PostgresDatabaseTest {
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

  private static DatabaseUrl.Postgres url(PostgresServer.TestDatabase db, String query) {
    return (DatabaseUrl.Postgres) DatabaseUrl.parse(db.url() + query);
  }

  private static DatabaseCredentials credentials(PostgresServer.TestDatabase db) {
    return new DatabaseCredentials(db.user(), Optional.of(db.password()));
  }

  @Test
  void openingMigratesAnEmptyDatabaseToTheLatestVersion() throws Exception {
    PostgresServer.TestDatabase db = server.createDatabase();
    try (PostgresDatabase pg = PostgresDatabase.open(url(db, "?sslmode=disable"), credentials(db), Clock.systemUTC())) {
      assertThat(pg.schemaVersion()).isEqualTo(PostgresMigrations.latest());
      try (var c = pg.connection(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM hosts")) {
        rs.next();
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }

  @Test
  void aTransactionThatFailsLeavesNothingBehindAndOneThatSucceedsIsVisible() throws Exception {
    PostgresServer.TestDatabase db = server.createDatabase();
    try (PostgresDatabase pg = PostgresDatabase.open(url(db, "?sslmode=disable"), credentials(db), Clock.systemUTC())) {
      String insert = "INSERT INTO users(username, password_hash, role, created_ms) VALUES (?, 'x', 'admin', 1)";
      assertThatThrownBy(() -> pg.inTransaction(c -> {
        try (PreparedStatement ps = c.prepareStatement(insert)) {
          ps.setString(1, "linda");
          ps.executeUpdate();
          ps.setString(1, "linda"); // primary key violation: the whole transaction goes
          return ps.executeUpdate();
        }
      })).isInstanceOf(StoreException.class).hasMessageContaining("duplicate key");
      pg.inTransaction(c -> {
        try (PreparedStatement ps = c.prepareStatement(insert)) {
          ps.setString(1, "janet");
          return ps.executeUpdate();
        }
      });
      int users = pg.inTransaction(c -> {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT string_agg(username, ',') FROM users")) {
          rs.next();
          assertThat(rs.getString(1)).isEqualTo("janet");
          return 1;
        }
      });
      assertThat(users).isEqualTo(1);
    }
  }

  @Test
  void aWrongPasswordFailsTheOpenWithTheServersReasonAndWithoutThePassword() throws Exception {
    PostgresServer.TestDatabase db = server.createDatabase();
    DatabaseCredentials wrong = new DatabaseCredentials(db.user(), Optional.of("wrong-Kl3z-password"));
    assertThatThrownBy(() -> PostgresDatabase.open(url(db, "?sslmode=disable"), wrong, Clock.systemUTC()))
        .isInstanceOf(StoreException.class).hasMessageContaining("password authentication failed")
        .hasMessageNotContaining("wrong-Kl3z-password");
  }

  @Test
  void tlsWithVerifyFullConnectsWhenTheServerCertificateIsTrusted() throws Exception {
    PostgresServer.TestDatabase db = server.createDatabase();
    var url = url(db, "?sslmode=verify-full&sslrootcert=" + server.certificate());
    try (PostgresDatabase pg = PostgresDatabase.open(url, credentials(db), Clock.systemUTC());
        var c = pg.connection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
      rs.next();
      assertThat(rs.getBoolean(1)).isTrue();
    }
  }

  @Test
  void tlsWithVerifyFullRefusesAServerCertificateSignedByAnotherAuthority() throws Exception {
    PostgresServer.TestDatabase db = server.createDatabase();
    try (PostgresServer other = PostgresServer.start()) {
      // the other server's certificate is a different self-signed one for the same address
      var url = url(db, "?sslmode=verify-full&sslrootcert=" + other.certificate());
      assertThatThrownBy(() -> PostgresDatabase.open(url, credentials(db), Clock.systemUTC()))
          .isInstanceOf(StoreException.class).hasMessageContaining("Cannot connect to");
    }
  }

  @Test
  void aMissingRootCertificateFileIsNamedBeforeConnecting() throws Exception {
    PostgresServer.TestDatabase db = server.createDatabase();
    Path missing = Path.of("/nonexistent/labscan-db-ca.pem");
    var url = url(db, "?sslmode=verify-full&sslrootcert=" + missing);
    assertThatThrownBy(() -> PostgresDatabase.open(url, credentials(db), Clock.systemUTC()))
        .isInstanceOf(StoreException.class).hasMessageContaining("sslrootcert " + missing + " does not exist");
  }
}
