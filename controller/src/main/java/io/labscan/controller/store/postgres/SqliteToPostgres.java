package io.labscan.controller.store.postgres;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Copies every table of a SQLite controller database into a PostgreSQL one at the same schema
 * version, generically: tables and columns come from the two databases' own catalogues, so a
 * new migration needs nothing here (its PostgreSQL twin is what matters).
 *
 * <p><b>Never loses data.</b> The source is only read, in one read transaction, so every table
 * comes from the same snapshot even if a controller still writes to the file. Each table is
 * copied in one PostgreSQL transaction, in batches of {@value #BATCH} rows, and committed only
 * when the target holds exactly as many rows as the source; a value PostgreSQL cannot hold (text
 * in an integer column, a NUL character in text) fails that table's transaction with the table,
 * column and row named, and the copy stops there. Tables copied before stay; running again with
 * {@code force} replaces them.
 *
 * <p><b>Refuses</b>, before writing anything: a source at a different schema version than the
 * target (migrate the file first), a source table or column that the target lacks, and a target
 * holding any row unless {@code force}, which empties the target's tables first in one transaction
 * (their user triggers, such as the audit log's TRUNCATE guard, are disabled for that
 * transaction only: emptying the target is what was asked).
 *
 * <p>Identity columns (SQLite's AUTOINCREMENT keys: audit log sequence, quarantine revisions,
 * complaint numbers) keep their values, and their sequences continue after the largest copied.
 */
public final class SqliteToPostgres {
  /** Rows per insert batch. */
  public static final int BATCH = 500;

  private SqliteToPostgres() {}

  /** One copied table and its row count (verified equal on both sides). */
  public record Copied(String table, long rows) {}

  /** What was copied, in order. */
  public record Result(int schemaVersion, List<Copied> tables) {
    public long rows() {
      return tables.stream().mapToLong(Copied::rows).sum();
    }
  }

  private enum Kind { INTEGER, REAL, TEXT, BINARY }

  /**
   * Copies {@code source} (a SQLite connection, ideally read-only) into {@code target} (a
   * PostgreSQL connection to a database migrated to the same version); {@code progress} hears
   * one line per table.
   */
  public static Result copy(Connection source, Connection target, boolean force, Consumer<String> progress)
      throws SQLException {
    requireNonNull(source, "source");
    requireNonNull(target, "target");
    requireNonNull(progress, "progress");
    source.setAutoCommit(false); // one read transaction: one snapshot of every table
    try {
      int sourceVersion = intQuery(source, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
      int targetVersion = PostgresMigrations.current(target);
      if (sourceVersion != targetVersion) {
        throw new StoreException("The SQLite database is at schema version " + sourceVersion
            + " but the PostgreSQL database at " + targetVersion + ": both must be at the same version ("
            + PostgresMigrations.latest() + " for this LabScan)");
      }
      Map<String, Map<String, Kind>> targetTables = targetTables(target);
      Map<String, List<String>> sourceTables = sourceTables(source);
      List<String> problems = new ArrayList<>();
      for (var t : sourceTables.entrySet()) {
        Map<String, Kind> columns = targetTables.get(t.getKey());
        if (columns == null) {
          problems.add("table " + t.getKey() + " is not in the PostgreSQL database");
          continue;
        }
        for (String c : t.getValue()) {
          if (!columns.containsKey(c)) {
            problems.add("column " + t.getKey() + "." + c + " is not in the PostgreSQL database");
          }
        }
      }
      if (!problems.isEmpty()) {
        throw new StoreException("The PostgreSQL schema does not hold the SQLite one: " + String.join("; ", problems));
      }
      List<String> nonEmpty = new ArrayList<>();
      for (String table : targetTables.keySet()) {
        if (hasRows(target, table)) {
          nonEmpty.add(table);
        }
      }
      if (!nonEmpty.isEmpty()) {
        if (!force) {
          throw new StoreException("The PostgreSQL database is not empty (rows in " + String.join(", ", nonEmpty)
              + "): migrate-to copies into an empty database only. Give it a new database, or --force to empty "
              + "these tables first (their rows are lost)");
        }
        empty(target, nonEmpty);
        progress.accept("Emptied " + nonEmpty.size() + " tables of the target (--force): " + String.join(", ", nonEmpty));
      }
      List<Copied> copied = new ArrayList<>();
      for (var t : sourceTables.entrySet()) {
        // checked above: every source table is in the target
        long rows = copyTable(source, target, t.getKey(), t.getValue(),
            requireNonNull(targetTables.get(t.getKey()), "targetTables.get(table)"));
        copied.add(new Copied(t.getKey(), rows));
        progress.accept(String.format("  %-32s %,d rows", t.getKey(), rows));
      }
      return new Result(sourceVersion, copied);
    } finally {
      source.rollback();
    }
  }

  private static long copyTable(Connection source, Connection target, String table, List<String> columns,
      Map<String, Kind> kinds) throws SQLException {
    long expected = intQueryLong(source, "SELECT COUNT(*) FROM " + quote(table));
    StringBuilder select = new StringBuilder("SELECT ");
    StringBuilder insert = new StringBuilder("INSERT INTO " + quote(table) + " (");
    for (int i = 0; i < columns.size(); i++) {
      String c = columns.get(i);
      String sep = i == 0 ? "" : ", ";
      // SQLite keeps whatever a statement stored; a binary column is read as bytes whatever it holds.
      select.append(sep).append(kinds.get(c) == Kind.BINARY ? "CAST(" + quote(c) + " AS BLOB)" : quote(c));
      insert.append(sep).append(quote(c));
    }
    select.append(" FROM ").append(quote(table)).append(" ORDER BY rowid");
    insert.append(") VALUES (").append("?, ".repeat(columns.size() - 1)).append("?)");
    boolean autoCommit = target.getAutoCommit();
    target.setAutoCommit(false);
    long row = 0;
    try (Statement read = source.createStatement();
        PreparedStatement write = target.prepareStatement(insert.toString())) {
      read.setFetchSize(BATCH);
      try (ResultSet rs = read.executeQuery(withoutRowidFallback(source, table, select.toString()))) {
        int pending = 0;
        while (rs.next()) {
          row++;
          for (int i = 0; i < columns.size(); i++) {
            // checked before copying: every source column is in the target
            bind(write, i + 1, rs, i + 1, requireNonNull(kinds.get(columns.get(i)), "kinds.get(column)"), table,
                columns.get(i), row);
          }
          write.addBatch();
          if (++pending == BATCH) {
            executeBatch(write, table, row);
            pending = 0;
          }
        }
        if (pending > 0) {
          executeBatch(write, table, row);
        }
      }
      long stored = intQueryLong(target, "SELECT COUNT(*) FROM " + quote(table));
      if (stored != expected || row != expected) {
        throw new StoreException("Table " + table + ": the SQLite database holds " + expected + " rows, " + row
            + " were read and the PostgreSQL table holds " + stored + " after the copy; nothing of it was kept");
      }
      for (String c : identityColumns(target, table)) {
        try (Statement st = target.createStatement()) {
          st.execute("SELECT setval(pg_get_serial_sequence('" + quote(table).replace("'", "''") + "', '"
              + c.replace("'", "''") + "'), COALESCE(MAX(" + quote(c) + "), 0) + 1, false) FROM " + quote(table));
        }
      }
      target.commit();
      return expected;
    } catch (SQLException | RuntimeException e) {
      target.rollback();
      throw e;
    } finally {
      target.setAutoCommit(autoCommit);
    }
  }

  /** Tables declared WITHOUT ROWID have no rowid to order by; they are read in key order. */
  private static String withoutRowidFallback(Connection source, String table, String select) throws SQLException {
    try (PreparedStatement ps = source.prepareStatement("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next() && rs.getString(1) != null && rs.getString(1).toUpperCase(java.util.Locale.ROOT).contains("WITHOUT ROWID")) {
          return select.substring(0, select.lastIndexOf(" ORDER BY rowid"));
        }
      }
    }
    return select;
  }

  private static void executeBatch(PreparedStatement write, String table, long row) throws SQLException {
    try {
      write.executeBatch();
    } catch (SQLException e) {
      SQLException next = e.getNextException();
      throw new StoreException("Table " + table + ": PostgreSQL refused a row among rows " + Math.max(1, row - BATCH + 1)
          + "-" + row + " (in the SQLite table's rowid order): " + (next != null ? next.getMessage() : e.getMessage())
          + "; nothing of this table was kept", e);
    }
  }

  private static void bind(PreparedStatement ps, int index, ResultSet rs, int column, Kind kind, String table,
      String name, long row) throws SQLException {
    Object value = rs.getObject(column);
    if (value == null) {
      ps.setNull(index, switch (kind) {
        case INTEGER -> Types.BIGINT;
        case REAL -> Types.DOUBLE;
        case TEXT -> Types.VARCHAR;
        case BINARY -> Types.BINARY;
      });
      return;
    }
    switch (kind) {
      case INTEGER -> {
        if (!(value instanceof Long || value instanceof Integer)) {
          throw new StoreException("Table " + table + ", column " + name + ", row " + row
              + ": SQLite holds " + describe(value) + " where PostgreSQL needs an integer; nothing of this table was kept");
        }
        ps.setLong(index, ((Number) value).longValue());
      }
      case REAL -> {
        if (!(value instanceof Number)) {
          throw new StoreException("Table " + table + ", column " + name + ", row " + row
              + ": SQLite holds " + describe(value) + " where PostgreSQL needs a number; nothing of this table was kept");
        }
        ps.setDouble(index, ((Number) value).doubleValue());
      }
      case TEXT -> {
        String text = rs.getString(column);
        if (text.indexOf('\0') >= 0) {
          throw new StoreException("Table " + table + ", column " + name + ", row " + row
              + ": the text holds a NUL character, which PostgreSQL text cannot; nothing of this table was kept");
        }
        ps.setString(index, text);
      }
      case BINARY -> ps.setBytes(index, rs.getBytes(column));
    }
  }

  private static String describe(Object value) {
    if (value instanceof String s) {
      return "text of " + s.length() + " characters";
    }
    if (value instanceof byte[] b) {
      return "a blob of " + b.length + " bytes";
    }
    return "a " + value.getClass().getSimpleName();
  }

  /** Empties the tables in one transaction, their user triggers disabled inside it only. */
  private static void empty(Connection target, List<String> tables) throws SQLException {
    boolean autoCommit = target.getAutoCommit();
    target.setAutoCommit(false);
    try (Statement st = target.createStatement()) {
      for (String t : tables) {
        st.execute("ALTER TABLE " + quote(t) + " DISABLE TRIGGER USER");
      }
      st.execute("TRUNCATE " + String.join(", ", tables.stream().map(SqliteToPostgres::quote).toList()));
      for (String t : tables) {
        st.execute("ALTER TABLE " + quote(t) + " ENABLE TRIGGER USER");
      }
      target.commit();
    } catch (SQLException | RuntimeException e) {
      target.rollback();
      throw e;
    } finally {
      target.setAutoCommit(autoCommit);
    }
  }

  /** The SQLite database's tables (but its own and schema_version) with their columns in order. */
  static Map<String, List<String>> sourceTables(Connection source) throws SQLException {
    Map<String, List<String>> out = new TreeMap<>();
    List<String> names = new ArrayList<>();
    try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            + " AND name <> 'schema_version'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    for (String table : names) {
      List<String> columns = new ArrayList<>();
      try (Statement st = source.createStatement();
          ResultSet rs = st.executeQuery("PRAGMA table_info(" + quote(table) + ")")) {
        while (rs.next()) {
          columns.add(rs.getString("name"));
        }
      }
      out.put(table, columns);
    }
    return out;
  }

  /** The PostgreSQL database's tables (but schema_version) in the current schema, with their column kinds. */
  static Map<String, Map<String, Kind>> targetTables(Connection target) throws SQLException {
    Map<String, Map<String, Kind>> out = new TreeMap<>();
    try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c"
            + " JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
            + " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
            + " AND c.table_name <> 'schema_version' ORDER BY c.table_name, c.ordinal_position")) {
      while (rs.next()) {
        Kind kind = switch (rs.getString(3)) {
          case "bigint", "integer", "smallint" -> Kind.INTEGER;
          case "double precision", "real", "numeric" -> Kind.REAL;
          case "bytea" -> Kind.BINARY;
          default -> Kind.TEXT;
        };
        out.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), kind);
      }
    }
    return out;
  }

  private static List<String> identityColumns(Connection target, String table) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = target.prepareStatement("SELECT column_name FROM information_schema.columns"
        + " WHERE table_schema = current_schema() AND table_name = ? AND is_identity = 'YES'")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static boolean hasRows(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM " + quote(table) + ")")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static int intQuery(Connection c, String sql) throws SQLException {
    return (int) intQueryLong(c, sql);
  }

  private static long intQueryLong(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** A quoted identifier (both databases: "name", a '"' doubled), so that "user" is a column name. */
  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
