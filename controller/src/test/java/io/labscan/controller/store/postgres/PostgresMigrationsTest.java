package io.labscan.controller.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.store.StoreException;
import io.labscan.testsupport.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PostgreSQL twins applied to a real server, with the SQLite history's semantics. */
class PostgresMigrationsTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T06:30:00Z"), ZoneOffset.UTC);
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
  void anEmptyDatabaseIsMigratedToTheLatestVersionOneRowPerScriptInListOrder() throws Exception {
    try (Connection c = server.createDatabase().connect()) {
      assertThat(PostgresMigrations.migrate(c, CLOCK)).isEqualTo(PostgresMigrations.latest());
      List<String> applied = new ArrayList<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT version, description, applied_ms FROM schema_version ORDER BY version")) {
        while (rs.next()) {
          assertThat(rs.getInt(1)).isEqualTo(applied.size() + 1);
          assertThat(rs.getLong(3)).isEqualTo(CLOCK.millis());
          applied.add(rs.getString(2));
        }
      }
      assertThat(applied).isEqualTo(PostgresMigrations.FILES);
      assertThat(PostgresMigrations.current(c)).isEqualTo(PostgresMigrations.latest());
    }
  }

  @Test
  void migratingAnUpToDateDatabaseAgainChangesNothing() throws Exception {
    try (Connection c = server.createDatabase().connect()) {
      PostgresMigrations.migrate(c, CLOCK);
      assertThat(PostgresMigrations.migrate(c, CLOCK)).isEqualTo(PostgresMigrations.latest());
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM schema_version")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(PostgresMigrations.latest());
      }
    }
  }

  @Test
  void aDatabaseWrittenByANewerLabScanIsRefusedAndLeftAsItIs() throws Exception {
    try (Connection c = server.createDatabase().connect()) {
      PostgresMigrations.migrate(c, CLOCK);
      try (Statement st = c.createStatement()) {
        st.execute("INSERT INTO schema_version VALUES (" + (PostgresMigrations.latest() + 1) + ", 'V999__future.sql', 0)");
      }
      assertThatThrownBy(() -> PostgresMigrations.migrate(c, CLOCK)).isInstanceOf(StoreException.class)
          .hasMessageContaining("schema version " + (PostgresMigrations.latest() + 1))
          .hasMessageContaining("written by a newer LabScan");
      assertThat(PostgresMigrations.current(c)).isEqualTo(PostgresMigrations.latest() + 1);
    }
  }

  @Test
  void auditLogEntriesCannotBeChangedTruncatedOrDeletedBefore90Days() throws Exception {
    try (Connection c = server.createDatabase().connect(); Statement st = c.createStatement()) {
      PostgresMigrations.migrate(c, CLOCK);
      long now = System.currentTimeMillis(); // the trigger compares with the server's clock
      long old = now - 91L * 86_400_000L;
      st.execute("INSERT INTO audit_log(at_ms, actor_kind, actor, action, target, detail, channel, address) VALUES"
          + " (" + now + ", 'user', 'linda', 'user.add', 'janet', '', 'http', '10.1.2.3'),"
          + " (" + old + ", 'cli', 'root', 'token.create', 'grafana', '', 'cli', '')");
      assertThatThrownBy(() -> st.executeUpdate("UPDATE audit_log SET actor = 'mallory'"))
          .isInstanceOf(SQLException.class).hasMessageContaining("audit log entries cannot be changed");
      assertThatThrownBy(() -> st.executeUpdate("DELETE FROM audit_log WHERE at_ms = " + now))
          .isInstanceOf(SQLException.class).hasMessageContaining("younger than 90 days cannot be deleted");
      assertThatThrownBy(() -> st.executeUpdate("TRUNCATE audit_log"))
          .isInstanceOf(SQLException.class).hasMessageContaining("cannot be truncated");
      assertThat(st.executeUpdate("DELETE FROM audit_log WHERE at_ms = " + old)).isEqualTo(1);
      try (ResultSet rs = st.executeQuery("SELECT actor FROM audit_log")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("linda");
        assertThat(rs.next()).isFalse();
      }
    }
  }

  @Test
  void identityColumnsNumberRowsAsAutoincrementDoes() throws Exception {
    try (Connection c = server.createDatabase().connect(); Statement st = c.createStatement()) {
      PostgresMigrations.migrate(c, CLOCK);
      st.execute("INSERT INTO quarantine_orders(host_id, quarantined, by_whom, reason, at_ms) VALUES"
          + " ('lab-pc-07', 1, 'linda', 'Klez mailing', 1), ('lab-pc-07', 0, 'linda', 'reimaged', 2)");
      try (ResultSet rs = st.executeQuery("SELECT revision FROM quarantine_orders ORDER BY revision")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(1);
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(2);
      }
    }
  }

  @Test
  void aFunctionBodyIsOneStatementWhateverItsLinesEndWith() {
    List<String> statements = PostgresMigrations.statements("""
        -- comment;
        CREATE TABLE t (x BIGINT);
        CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'no';
        END;
        $$;
        CREATE TRIGGER g BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();
        """);
    assertThat(statements).hasSize(3);
    assertThat(statements.get(1)).startsWith("CREATE FUNCTION").contains("RAISE EXCEPTION 'no';").endsWith("$$");
  }
}
