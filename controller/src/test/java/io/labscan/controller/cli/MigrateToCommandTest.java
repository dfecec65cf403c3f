package io.labscan.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Role;
import io.labscan.controller.audit.AuditLog;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictService;
import io.labscan.testsupport.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code migrate-to}: a SQLite database built through the store's own APIs, copied into a real PostgreSQL. */
class MigrateToCommandTest {
  private static final Instant NOW = Instant.parse("2026-12-07T07:00:00Z");
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

  /** Two lab hosts with reports and verdicts, a mail-server role, users, and audit entries. */
  private static Path fleet(Path dir) throws Exception {
    Path file = dir.resolve("labscan.db");
    try (Storage store = Storage.open(file)) {
      store.ingest(TestReports.fullScan("host-pc07", "lab-pc-07", NOW.minusSeconds(3600), 1, "10.20.3.7"), NOW.minusSeconds(3590), "grpc").get();
      store.ingest(TestReports.fullScan("host-pc07", "lab-pc-07", NOW.minusSeconds(600), 2, "10.20.3.7"), NOW.minusSeconds(590), "grpc").get();
      store.ingest(TestReports.fullScan("host-pc12", "lab-pc-12", NOW.minusSeconds(300), 1, "10.20.3.12", "192.168.5.12"), NOW.minusSeconds(290), "import").get();
      store.setRole("host-pc12", "mail-server", true).get();
      try (VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), Clock.fixed(NOW, ZoneOffset.UTC))) {
        verdicts.recomputeAll();
      }
      Accounts accounts = new Accounts(store, 4, Clock.fixed(NOW, ZoneOffset.UTC));
      accounts.add("linda", Role.ADMIN, "a long admin password 1", false);
      accounts.add("janet", Role.VIEWER, "a long viewer password 2", false);
      AuditLog audit = new AuditLog(store, Clock.fixed(NOW, ZoneOffset.UTC));
      audit.cli("user.add", "linda", "role admin");
      audit.cli("user.add", "janet", "role viewer");
    }
    return file;
  }

  private record Run(int exit, String out, String err) {}

  private static Run migrate(Path file, PostgresServer.TestDatabase db, String... more) {
    MigrateToCommand command = new MigrateToCommand();
    command.environment = Map.of("LABSCAN_DB_USER", db.user(), "LABSCAN_DB_PASSWORD", db.password());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    List<String> args = new ArrayList<>(List.of("--db", file.toString(), "--to", db.url() + "?sslmode=disable"));
    args.addAll(List.of(more));
    int exit = new CommandLine(command).execute(args.toArray(String[]::new));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Map<String, Long> counts(Connection c, List<String> tables) throws Exception {
    Map<String, Long> out = new TreeMap<>();
    for (String t : tables) {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM \"" + t + "\"")) {
        rs.next();
        out.put(t, rs.getLong(1));
      }
    }
    return out;
  }

  private static List<String> sqliteTables(Connection c) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_version'")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private static List<String> column(Connection c, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        Object v = rs.getObject(1);
        out.add(v instanceof byte[] b ? HexFormat.of().formatHex(b) : String.valueOf(v));
      }
    }
    return out;
  }

  @Test
  void everyTableIsCopiedWithTheSameRowsAndTheSqliteFileIsLeftUnchanged(@TempDir Path dir) throws Exception {
    Path file = fleet(dir);
    String before = sha256(file);
    PostgresServer.TestDatabase db = server.createDatabase();
    Run run = migrate(file, db);
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("every table's row count matches");
    assertThat(sha256(file)).isEqualTo(before);
    try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + file); Connection pg = db.connect()) {
      List<String> tables = sqliteTables(sqlite);
      Map<String, Long> expected = counts(sqlite, tables);
      assertThat(expected.get("reports")).isEqualTo(3);
      assertThat(expected.get("users")).isEqualTo(2);
      assertThat(expected.get("audit_log")).isGreaterThanOrEqualTo(2);
      assertThat(expected.get("verdicts")).isEqualTo(2);
      assertThat(counts(pg, tables)).isEqualTo(expected);
      for (String sql : List.of(
          "SELECT report_id || ' ' || host_id || ' ' || received_ms || ' ' || via FROM reports ORDER BY report_id",
          "SELECT payload FROM reports ORDER BY report_id",
          "SELECT host_id || ' ' || verdict || ' ' || since_ms || ' ' || reasons FROM verdicts ORDER BY host_id",
          "SELECT username || ' ' || password_hash || ' ' || role FROM users ORDER BY username",
          "SELECT seq || ' ' || at_ms || ' ' || actor || ' ' || action || ' ' || target FROM audit_log ORDER BY seq",
          "SELECT host_id || ' ' || ip || ' ' || is_current FROM host_addresses ORDER BY host_id, ip",
          "SELECT host_id || ' ' || role FROM host_roles ORDER BY host_id")) {
        assertThat(column(pg, sql)).as(sql).isEqualTo(column(sqlite, sql)).isNotEmpty();
      }
    }
  }

  @Test
  void theAuditLogSequenceContinuesAfterTheCopiedEntries(@TempDir Path dir) throws Exception {
    Path file = fleet(dir);
    PostgresServer.TestDatabase db = server.createDatabase();
    assertThat(migrate(file, db).exit()).isZero();
    try (Connection pg = db.connect(); Statement st = pg.createStatement()) {
      long max = Long.parseLong(column(pg, "SELECT MAX(seq) FROM audit_log").get(0));
      st.execute("INSERT INTO audit_log(at_ms, actor_kind, actor, action, target, detail, channel, address)"
          + " VALUES (1, 'cli', 'root', 'user.remove', 'janet', '', 'cli', '')");
      assertThat(column(pg, "SELECT MAX(seq) FROM audit_log")).containsExactly(String.valueOf(max + 1));
    }
  }

  @Test
  void aTargetHoldingRowsIsRefusedAndKeptUnlessForceEmptiesItFirst(@TempDir Path dir) throws Exception {
    Path file = fleet(dir);
    PostgresServer.TestDatabase db = server.createDatabase();
    assertThat(migrate(file, db).exit()).isZero();
    try (Connection pg = db.connect(); Statement st = pg.createStatement()) {
      st.execute("INSERT INTO users(username, password_hash, role, created_ms) VALUES ('mallory', 'x', 'admin', 1)");
    }
    Run refused = migrate(file, db);
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("is not empty").contains("users").contains("--force");
    try (Connection pg = db.connect()) {
      assertThat(column(pg, "SELECT username FROM users ORDER BY username")).containsExactly("janet", "linda", "mallory");
    }
    Run forced = migrate(file, db, "--force");
    assertThat(forced.exit()).as(forced.err()).isZero();
    try (Connection pg = db.connect()) {
      assertThat(column(pg, "SELECT username FROM users ORDER BY username")).containsExactly("janet", "linda");
      assertThat(column(pg, "SELECT COUNT(*) FROM reports")).containsExactly("3");
    }
  }

  @Test
  void aPasswordInTheTargetUrlIsRefusedBeforeAnythingIsRead(@TempDir Path dir) throws Exception {
    MigrateToCommand command = new MigrateToCommand();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    int exit = new CommandLine(command).execute("--db", dir.resolve("missing.db").toString(),
        "--to", "postgresql://labscan:Kl3z-secret@db.example.edu/labscan");
    assertThat(exit).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("contains a password").doesNotContain("Kl3z-secret");
  }
}
