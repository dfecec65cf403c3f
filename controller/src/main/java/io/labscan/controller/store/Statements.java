package io.labscan.controller.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Prepared statements of one connection, compiled once and reused across units of work
 * ({@link Database#statements}). A statement handed out is owned by the cache: its user never
 * closes it, and finds it with no bindings and an empty batch.
 */
@FunctionalInterface
public interface Statements {
  PreparedStatement prepare(String sql) throws SQLException;
}
