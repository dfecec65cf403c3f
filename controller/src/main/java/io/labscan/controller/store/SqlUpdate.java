package io.labscan.controller.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work for the writer that changes rows and has no value to hand back ({@link Database#update}).
 *
 * <p>Why not a {@code SqlWork<Void>} returning {@code null}: NullAway (outside its JSpecify
 * mode) does not carry a type argument's nullness, so {@link SqlWork#run} must return non-null
 * for every {@code T}, which is what keeps a read that "returns null when there is no row" from
 * compiling. Work with nothing to return says so by its shape instead.
 */
@FunctionalInterface
public interface SqlUpdate {
  void run(Connection db) throws SQLException;
}
