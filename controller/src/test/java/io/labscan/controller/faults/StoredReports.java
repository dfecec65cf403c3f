package io.labscan.controller.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the controller's database holds, read straight from the SQLite file once the
 * controller is gone (or from the PostgreSQL database several controllers share): the test
 * trusts neither the controller's API nor its counters.
 */
record StoredReports(Set<String> reportIds, long reportRows, List<String> duplicateReportIds,
    List<String> reportsWithoutOneScanRow, List<String> reportsWithoutOneAvRow, long findingRows, long hosts) {

  static StoredReports read(Path database) {
    if (!Files.isRegularFile(database)) {
      throw new IllegalStateException("No controller database at " + database);
    }
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + database)) {
      return read(db);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot read " + database + ": " + e.getMessage(), e);
    }
  }

  /** The same, over any JDBC connection to the controller's schema (the SQL is portable). */
  static StoredReports read(Connection db) throws SQLException {
    try (Statement st = db.createStatement()) {
      return new StoredReports(
          new HashSet<>(strings(st, "SELECT report_id FROM reports")),
          number(st, "SELECT COUNT(*) FROM reports"),
          strings(st, "SELECT report_id FROM reports GROUP BY report_id HAVING COUNT(*) > 1"),
          withoutExactlyOne(st, "scans"),
          withoutExactlyOne(st, "av_status"),
          number(st, "SELECT COUNT(*) FROM findings"),
          number(st, "SELECT COUNT(*) FROM hosts"));
    }
  }

  /** Reports whose evidence rows in {@code table} are missing or stored more than once. */
  private static List<String> withoutExactlyOne(Statement st, String table) throws SQLException {
    return strings(st, "SELECT r.report_id FROM reports r LEFT JOIN (SELECT report_id, COUNT(*) AS n FROM " + table
        + " GROUP BY report_id) t ON t.report_id = r.report_id WHERE COALESCE(t.n, 0) <> 1");
  }

  private static List<String> strings(Statement st, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static long number(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
