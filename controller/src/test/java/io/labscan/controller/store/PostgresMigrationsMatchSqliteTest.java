package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.store.postgres.PostgresMigrations;
import io.labscan.testsupport.PostgresServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the two migration histories in step: after every migration, SQLite and PostgreSQL hold
 * the same tables, the same columns (compatible types, same NOT NULL), the same primary keys and
 * unique constraints, and the same named indexes (columns, uniqueness, partial or not) and
 * triggers. A SQLite migration added without its PostgreSQL twin, or a twin that drifts, fails
 * here with a message naming the table, column or index and the SQLite file that introduced it.
 */
class PostgresMigrationsMatchSqliteTest {
  private static final String SQLITE_FOLDER = "/io/labscan/controller/store/migrations/";
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
  void everySqliteMigrationHasAPostgresqlTwinOfTheSameNameAtTheSamePosition() {
    List<String> problems = new ArrayList<>();
    for (String file : Migrations.FILES) {
      if (PostgresMigrations.class.getResource("/io/labscan/controller/store/migrations/postgresql/" + file) == null) {
        problems.add("migrations/postgresql/" + file + " is missing: every SQLite migration needs a PostgreSQL twin "
            + "with the same file name (controller/src/main/resources/io/labscan/controller/store/migrations/postgresql/)");
      }
    }
    if (!PostgresMigrations.FILES.equals(Migrations.FILES)) {
      problems.add("PostgresMigrations.FILES must list the same files in the same order as Migrations.FILES "
          + "(the version is the position): SQLite " + Migrations.FILES + ", PostgreSQL " + PostgresMigrations.FILES);
    }
    assertThat(problems).as("PostgreSQL migration twins").isEmpty();
  }

  @Test
  void afterAllMigrationsBothSchemasHoldTheSameTablesColumnsKeysIndexesAndTriggers(@TempDir Path dir) throws Exception {
    Schema sqlite;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("labscan.db"))) {
      Migrations.migrate(c);
      sqlite = sqliteSchema(c);
    }
    Schema postgres;
    try (Connection c = server.createDatabase().connect()) {
      PostgresMigrations.migrate(c, Clock.systemUTC());
      postgres = postgresSchema(c);
    }
    assertThat(sqlite.tables()).as("SQLite tables read").containsKeys("hosts", "audit_log", "schema_version");
    assertThat(differences(sqlite, postgres)).as("differences between the SQLite schema and its PostgreSQL twins")
        .isEmpty();
  }

  @Test
  void aMissingTwinColumnIsNamedWithTheSqliteMigrationThatAddsIt() {
    Schema sqlite = new Schema(Map.of("hosts", new Table(Map.of("host_id", new Column("text", true),
        "clock_skew_ms", new Column("integer", false)), List.of("host_id"), Set.of())), Map.of(), Set.of());
    Schema postgres = new Schema(Map.of("hosts", new Table(Map.of("host_id", new Column("text", true)),
        List.of("host_id"), Set.of())), Map.of(), Set.of());
    assertThat(differences(sqlite, postgres)).containsExactly("table hosts: column clock_skew_ms (integer) is in "
        + "SQLite but not in PostgreSQL (SQLite adds it in V011__clock_claims.sql; add it to "
        + "migrations/postgresql/V011__clock_claims.sql)");
  }

  record Column(String type, boolean notNull) {
    @Override
    public String toString() {
      return type + (notNull ? " NOT NULL" : "");
    }
  }

  record Table(Map<String, Column> columns, List<String> primaryKey, Set<List<String>> uniques) {}

  record Index(String table, List<String> columns, boolean unique, boolean partial) {}

  record Schema(Map<String, Table> tables, Map<String, Index> indexes, Set<String> triggers) {}

  /** Every difference, in words; empty when PostgreSQL holds all of SQLite's schema. */
  static List<String> differences(Schema sqlite, Schema postgres) {
    List<String> out = new ArrayList<>();
    for (var t : new TreeMap<>(sqlite.tables()).entrySet()) {
      String name = t.getKey();
      Table pg = postgres.tables().get(name);
      if (pg == null) {
        out.add("table " + name + " is in SQLite but not in PostgreSQL" + where("CREATE TABLE " + name + " "));
        continue;
      }
      Table sq = t.getValue();
      for (var c : new TreeMap<>(sq.columns()).entrySet()) {
        Column other = pg.columns().get(c.getKey());
        if (other == null) {
          out.add("table " + name + ": column " + c.getKey() + " (" + c.getValue() + ") is in SQLite but not in PostgreSQL"
              + where("ALTER TABLE " + name + " ADD COLUMN " + c.getKey() + " ", "CREATE TABLE " + name + " "));
        } else if (!other.equals(c.getValue())) {
          out.add("table " + name + ": column " + c.getKey() + " is " + c.getValue() + " in SQLite but " + other
              + " in PostgreSQL");
        }
      }
      for (String c : new TreeSet<>(pg.columns().keySet())) {
        if (!sq.columns().containsKey(c)) {
          out.add("table " + name + ": column " + c + " is in PostgreSQL but not in SQLite");
        }
      }
      if (!sq.primaryKey().equals(pg.primaryKey())) {
        out.add("table " + name + ": primary key " + sq.primaryKey() + " in SQLite but " + pg.primaryKey() + " in PostgreSQL");
      }
      if (!sq.uniques().equals(pg.uniques())) {
        out.add("table " + name + ": UNIQUE constraints " + sq.uniques() + " in SQLite but " + pg.uniques() + " in PostgreSQL");
      }
    }
    for (String name : new TreeSet<>(postgres.tables().keySet())) {
      if (!sqlite.tables().containsKey(name)) {
        out.add("table " + name + " is in PostgreSQL but not in SQLite");
      }
    }
    for (var i : new TreeMap<>(sqlite.indexes()).entrySet()) {
      Index pg = postgres.indexes().get(i.getKey());
      if (pg == null) {
        out.add("index " + i.getKey() + " is in SQLite but not in PostgreSQL" + where("INDEX " + i.getKey() + " "));
      } else if (!pg.equals(i.getValue())) {
        out.add("index " + i.getKey() + " is " + i.getValue() + " in SQLite but " + pg + " in PostgreSQL");
      }
    }
    for (String name : new TreeSet<>(postgres.indexes().keySet())) {
      if (!sqlite.indexes().containsKey(name)) {
        out.add("index " + name + " is in PostgreSQL but not in SQLite");
      }
    }
    for (String trigger : new TreeSet<>(sqlite.triggers())) {
      if (!postgres.triggers().contains(trigger)) {
        out.add("trigger " + trigger + " is in SQLite but not in PostgreSQL" + where("TRIGGER " + trigger + " "));
      }
    }
    return out;
  }

  /** " (SQLite adds it in F; add it to migrations/postgresql/F)" for the first file holding one of the phrases. */
  private static String where(String... phrases) {
    for (String phrase : phrases) {
      for (String file : Migrations.FILES) {
        String text = sqliteScript(file).replaceAll("\\s+", " ").replace("(", " (");
        if (text.contains(phrase)) {
          return " (SQLite adds it in " + file + "; add it to migrations/postgresql/" + file + ")";
        }
      }
    }
    return "";
  }

  private static String sqliteScript(String file) {
    try (InputStream in = Migrations.class.getResourceAsStream(SQLITE_FOLDER + file)) {
      return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /** SQLite's declared type by its affinity rules (INT: integer, CHAR/CLOB/TEXT: text, BLOB, REAL/FLOA/DOUB). */
  static String sqliteType(String declared) {
    String t = declared.toUpperCase(Locale.ROOT);
    if (t.contains("INT")) {
      return "integer";
    }
    if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT")) {
      return "text";
    }
    if (t.contains("BLOB") || t.isEmpty()) {
      return "binary";
    }
    if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) {
      return "real";
    }
    return "numeric:" + t;
  }

  static String postgresType(String dataType) {
    return switch (dataType) {
      case "bigint", "integer", "smallint" -> "integer";
      case "text", "character varying", "character" -> "text";
      case "bytea" -> "binary";
      case "double precision", "real" -> "real";
      default -> "other:" + dataType;
    };
  }

  static Schema sqliteSchema(Connection c) throws SQLException {
    Map<String, Table> tables = new TreeMap<>();
    Map<String, Index> indexes = new TreeMap<>();
    Set<String> triggers = new TreeSet<>();
    List<String> names = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")) {
      while (rs.next()) {
        if (rs.getString(1).equals("table")) {
          names.add(rs.getString(2));
        } else if (rs.getString(1).equals("trigger")) {
          triggers.add(rs.getString(2));
        }
      }
    }
    for (String table : names) {
      Map<String, Column> columns = new TreeMap<>();
      TreeMap<Integer, String> pk = new TreeMap<>();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(\"" + table + "\")")) {
        while (rs.next()) {
          // A primary key column is NOT NULL on PostgreSQL; SQLite's pragma says 0 for it.
          columns.put(rs.getString("name"), new Column(sqliteType(rs.getString("type")),
              rs.getInt("notnull") == 1 || rs.getInt("pk") > 0));
          if (rs.getInt("pk") > 0) {
            pk.put(rs.getInt("pk"), rs.getString("name"));
          }
        }
      }
      Set<List<String>> uniques = new java.util.HashSet<>();
      List<String[]> list = new ArrayList<>();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA index_list(\"" + table + "\")")) {
        while (rs.next()) {
          list.add(new String[] {rs.getString("name"), rs.getString("unique"), rs.getString("origin"), rs.getString("partial")});
        }
      }
      for (String[] index : list) {
        List<String> cols = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA index_info(\"" + index[0] + "\")")) {
          while (rs.next()) {
            cols.add(rs.getString("name"));
          }
        }
        switch (index[2]) {
          case "u" -> uniques.add(cols);
          case "c" -> indexes.put(index[0], new Index(table, cols, index[1].equals("1"), index[3].equals("1")));
          default -> { } // pk: compared as the primary key
        }
      }
      tables.put(table, new Table(columns, List.copyOf(pk.values()), uniques));
    }
    return new Schema(tables, indexes, triggers);
  }

  static Schema postgresSchema(Connection c) throws SQLException {
    Map<String, Map<String, Column>> columns = new TreeMap<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT c.table_name, c.column_name, c.data_type, c.is_nullable FROM information_schema.columns c"
            + " JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
            + " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'")) {
      while (rs.next()) {
        columns.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getString(2),
            new Column(postgresType(rs.getString(3)), rs.getString(4).equals("NO")));
      }
    }
    Map<String, List<String>> primaryKeys = new TreeMap<>();
    Map<String, Set<List<String>>> uniques = new TreeMap<>();
    Map<String, Index> indexes = new TreeMap<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT t.relname, i.relname, ix.indisunique, ix.indisprimary, ix.indpred IS NOT NULL,"
            + " ARRAY(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)"
            + "   JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[],"
            + " EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid AND con.contype = 'u')"
            + " FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid"
            + " JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema()")) {
      while (rs.next()) {
        List<String> cols = Arrays.asList((String[]) rs.getArray(6).getArray());
        if (rs.getBoolean(4)) {
          primaryKeys.put(rs.getString(1), cols);
        } else if (rs.getBoolean(7)) {
          uniques.computeIfAbsent(rs.getString(1), k -> new java.util.HashSet<>()).add(cols);
        } else {
          indexes.put(rs.getString(2), new Index(rs.getString(1), cols, rs.getBoolean(3), rs.getBoolean(5)));
        }
      }
    }
    Set<String> triggers = new TreeSet<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT tg.tgname FROM pg_trigger tg JOIN pg_class t ON t.oid = tg.tgrelid"
            + " JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema() AND NOT tg.tgisinternal")) {
      while (rs.next()) {
        triggers.add(rs.getString(1));
      }
    }
    Map<String, Table> tables = new TreeMap<>();
    for (var e : columns.entrySet()) {
      tables.put(e.getKey(), new Table(e.getValue(), primaryKeys.getOrDefault(e.getKey(), List.of()),
          uniques.getOrDefault(e.getKey(), Set.of())));
    }
    Objects.requireNonNull(tables, "tables");
    return new Schema(tables, indexes, triggers);
  }
}
