package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Storage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The report's reads of tables other features write (compliance snapshots, full scans, the
 * verdict history), kept here so the store stays free of report SQL. Each read is bounded by
 * the report's {@link DateRange}.
 */
final class ReportRepository {
  private final Storage store;

  ReportRepository(Storage store) {
    this.store = requireNonNull(store, "store");
  }

  /** Snapshot counts per lab and day within the range: {@code lab -> day -> [hosts, compliant]}. */
  Map<String, Map<LocalDate, int[]>> snapshots(DateRange range) {
    Map<String, Map<LocalDate, int[]>> out = new TreeMap<>();
    store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT day, lab, hosts, compliant FROM compliance_snapshots WHERE day >= ? AND day < ?")) {
        ps.setString(1, range.from().toString());
        ps.setString(2, range.to().toString());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            LocalDate day;
            try {
              day = LocalDate.parse(rs.getString(1));
            } catch (java.time.format.DateTimeParseException e) {
              continue;
            }
            out.computeIfAbsent(rs.getString(2), k -> new TreeMap<>()).put(day,
                new int[] {rs.getInt(3), rs.getInt(4)});
          }
        }
      }
      return null;
    });
    return out;
  }

  /**
   * The UTC days (as epoch days) on which each host finished a full scan whose checks all
   * completed, within the range.
   */
  Map<String, Set<Long>> fullScanDays(DateRange range) {
    Map<String, Set<Long>> out = new HashMap<>();
    store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT host_id, finished_ms / 86400000 AS d FROM scans WHERE kind = 'SCAN_KIND_FULL' "
              + "AND failed_checks = '' AND finished_ms >= ? AND finished_ms < ? GROUP BY host_id, d")) {
        ps.setLong(1, range.fromMillis());
        ps.setLong(2, range.toMillis());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getLong(2));
          }
        }
      }
      return null;
    });
    return out;
  }

  /** Hosts whose verdict was INFECTED at some time before {@code beforeMs}. */
  Set<String> everInfected(long beforeMs) {
    Set<String> out = new HashSet<>();
    store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT DISTINCT host_id FROM verdict_history WHERE verdict = 'INFECTED' AND at_ms < ?")) {
        ps.setLong(1, beforeMs);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return null;
    });
    return out;
  }
}
