package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The few SQL forms that differ between the databases LabScan runs on, so that repository SQL
 * is written once. Everything else the repositories use is common to SQLite (3.35+) and
 * PostgreSQL (12+): {@code INSERT ... ON CONFLICT (...) DO NOTHING / DO UPDATE SET x =
 * excluded.x}, {@code LIMIT ?}, {@code COALESCE}, {@code CASE}, {@code EXISTS}, positional
 * {@code ?} parameters (never SQLite's numbered {@code ?1}).
 *
 * <p>Rules the repository code follows so that the forms here suffice:
 * <ul>
 *   <li>Times are BIGINT milliseconds, flags are INTEGER 0/1 (read with {@code getInt() != 0} or
 *       compared with {@link #bool}), text is TEXT; no engine-specific column types in queries.</li>
 *   <li>"Insert unless present" is {@link #insertIgnoring} (never {@code INSERT OR IGNORE}), an
 *       upsert is {@link #onConflictUpdate}.</li>
 *   <li>The larger or smaller of two values is {@link #greatest}/{@link #least} (SQLite spells
 *       them {@code MAX(a, b)}, PostgreSQL {@code GREATEST(a, b)}). Both repositories' callers
 *       pass non-null operands (or wrap them in {@code COALESCE}): the engines disagree on
 *       NULL (SQLite's answer is NULL, PostgreSQL's ignores it).</li>
 *   <li>A list of values bound as one parameter is a JSON array expanded by
 *       {@link #jsonArrayValues}: one statement text whatever the list's length, so it is
 *       compiled once and cached.</li>
 * </ul>
 */
public interface Dialect {

  /** SQLite, the embedded default. */
  Dialect SQLITE = new StandardDialect("SQLite", "MAX", "MIN", "json_each(?) AS %s", "rowid", "instr",
      "CAST(%s AS BLOB)", "CAST(%s AS TEXT)", "CROSS JOIN");

  /** PostgreSQL and the engines that speak its protocol and SQL. */
  Dialect POSTGRESQL = new StandardDialect("PostgreSQL", "GREATEST", "LEAST",
      "json_array_elements_text(CAST(? AS json)) AS %s(value)", "ctid", "strpos",
      "convert_to(%s, 'UTF8')", "convert_from(%s, 'UTF8')", "JOIN");

  /** The engine's name, for messages. */
  String name();

  /** The larger of the operands (at least two, none NULL). */
  String greatest(String... operands);

  /** The smaller of the operands (at least two, none NULL). */
  String least(String... operands);

  /**
   * A table expression, for a FROM clause, with one TEXT column {@code value}: the elements
   * of the JSON array of strings bound to its single {@code ?} parameter, under {@code alias}.
   * E.g. {@code "SELECT " + alias + ".value FROM " + jsonArrayValues(alias)}.
   */
  String jsonArrayValues(String alias);

  /**
   * {@code INSERT INTO table(columns) VALUES (?,...) ON CONFLICT DO NOTHING}: the row is
   * inserted unless it would break a uniqueness constraint; {@code executeUpdate} then
   * returns 0. One {@code ?} per column.
   */
  default String insertIgnoring(String table, List<String> columns) {
    requireNonNull(table, "table");
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("no columns");
    }
    return "INSERT INTO " + table + "(" + String.join(", ", columns) + ") VALUES ("
        + String.join(",", java.util.Collections.nCopies(columns.size(), "?")) + ") ON CONFLICT DO NOTHING";
  }

  /**
   * The upsert clause to append to an INSERT: {@code ON CONFLICT(key) DO UPDATE SET
   * assignments}, where the assignments may read the refused row as {@code excluded.column}
   * and the stored one as {@code table.column}. The same in both engines; here so that
   * repository code does not depend on that staying true.
   */
  default String onConflictUpdate(String key, String assignments) {
    return " ON CONFLICT(" + requireNonNull(key, "key") + ") DO UPDATE SET " + requireNonNull(assignments,
        "assignments");
  }

  /**
   * The column that names a row physically, for tables without a key of their own: SQLite's
   * {@code rowid}, PostgreSQL's {@code ctid}. Used to delete in bounded chunks
   * ({@code DELETE ... WHERE rowId IN (SELECT rowId ... LIMIT n)}) and to break ties between rows
   * of the same millisecond in an append-only table (insertion order in SQLite; physical order in
   * PostgreSQL, the same while the table is only appended to, and possibly another order for a
   * tie within one millisecond once deleted space is reused).
   */
  String rowId();

  /**
   * A condition that holds when the text {@code expression} contains the text bound to its one
   * {@code ?} parameter, as a plain substring (no pattern characters, case-sensitive): SQLite's
   * {@code instr(expression, ?) > 0}, PostgreSQL's {@code strpos(expression, ?) > 0}.
   */
  String containsText(String expression);

  /**
   * The UTF-8 bytes of a text expression, as a BLOB (SQLite) or BYTEA (PostgreSQL) value: for
   * columns holding bytes ({@code settings.value}) written from SQL.
   */
  String bytes(String textExpression);

  /** The text a BLOB/BYTEA expression holds as UTF-8 (the inverse of {@link #bytes}). */
  String text(String bytesExpression);

  /**
   * The join keyword for {@code LEFT_TABLE <join> RIGHT_TABLE ON ...} when the left table must
   * drive the join (a short list bound as a parameter, the right table probed per element):
   * SQLite's {@code CROSS JOIN}, which its planner never reorders (and which accepts an ON
   * clause); PostgreSQL's {@code JOIN} (it plans the order itself and refuses ON after CROSS JOIN).
   */
  String joinInOrder();

  /** {@code LIMIT n} (with a leading space); n must not be negative. */
  default String limit(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative limit " + n);
    }
    return " LIMIT " + n;
  }

  /**
   * A flag's literal as stored: flags are INTEGER 0/1 in both engines' schemas (the
   * PostgreSQL twins of the migrations keep them INTEGER), so both say {@code 1}/{@code 0}.
   */
  default String bool(boolean value) {
    return value ? "1" : "0";
  }
}
