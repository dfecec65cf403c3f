package io.labscan.controller.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work on one of the store's connections, for tables that other parts of the controller own
 * (the dashboard's users, lab rules and campaigns): they keep their SQL in their own package
 * while the store keeps its single writer and its reader.
 */
@FunctionalInterface
public interface SqlWork<T> {
  T run(Connection db) throws SQLException;
}
