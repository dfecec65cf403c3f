package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Statements of one connection, compiled once and reused. The ingest runs about a dozen
 * statements per report; compiling each anew ({@code sqlite3_prepare}) cost more than running
 * it. Not thread-safe: used by one thread at a time (the writer thread, or readers under the
 * store's lock).
 *
 * <p>A statement handed out is never closed by its user (no try-with-resources on it); a
 * failed use may leave bindings or a batch behind, so both are cleared before it is handed
 * out again. A statement whose execution failed is finalized by sqlite-jdbc and cannot run
 * again: after a failure the user {@link #close}s the cache, which empties it.
 */
public final class StatementCache implements Statements, AutoCloseable {
  /** Distinct SQL texts kept at most; the store has a fixed set, this only bounds a mistake. */
  static final int MAX_STATEMENTS = 256;

  private final Connection db;
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  public StatementCache(Connection db) {
    this.db = requireNonNull(db, "db");
  }

  /** The compiled statement for {@code sql}, with no bindings and an empty batch. */
  @Override
  public PreparedStatement prepare(String sql) throws SQLException {
    requireNonNull(sql, "sql");
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      if (statements.size() >= MAX_STATEMENTS) {
        close();
      }
      ps = db.prepareStatement(sql);
      statements.put(sql, ps);
    } else {
      ps.clearBatch();
      ps.clearParameters();
    }
    return ps;
  }

  /** Number of statements held (tests). */
  int size() {
    return statements.size();
  }

  /** Closes every statement and empties the cache; it can be used again afterwards. */
  @Override
  public void close() {
    for (PreparedStatement ps : statements.values()) {
      try {
        ps.close();
      } catch (SQLException e) {
        // closing anyway
      }
    }
    statements.clear();
  }
}
