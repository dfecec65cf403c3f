package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Storage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

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
      return out;
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
      return out;
    });
    return out;
  }

  /** An infection episode of one host: INFECTED at {@code found} until CLEAN at {@code cleared} (empty: still open). */
  record Episode(String hostId, Instant found, Optional<Instant> cleared, String reasonsJson) {}

  /** The last CLEAN of a host before a time: one index seek (host_id, verdict, at_ms). */
  static final String LAST_CLEAN_BEFORE = "SELECT MAX(at_ms) FROM verdict_history "
      + "WHERE host_id = ? AND verdict = 'CLEAN' AND at_ms < ?";
  /** The first INFECTED of a host after its last CLEAN and before the range: one index seek. */
  static final String FIRST_INFECTED_BETWEEN = "SELECT at_ms, reasons FROM verdict_history "
      + "WHERE host_id = ? AND verdict = 'INFECTED' AND at_ms > ? AND at_ms < ? ORDER BY at_ms LIMIT 1";
  /** A host's INFECTED and CLEAN changes within the range: one index range per verdict. */
  static final String CHANGES_IN_RANGE = "SELECT verdict, at_ms, reasons FROM verdict_history "
      + "WHERE host_id = ? AND verdict IN ('INFECTED', 'CLEAN') AND at_ms >= ? AND at_ms < ? ORDER BY at_ms";

  /**
   * The first {@code keep} episodes in {@code order}, and how many there were in all.
   *
   * @param total every episode of the range, counted (a count costs no memory)
   */
  record Episodes(List<Episode> first, int total) {
    Episodes {
      first = List.copyOf(first);
    }
  }

  /**
   * The infection episodes of {@code hostIds} that overlap {@code range}: an INFECTED verdict
   * until the next CLEAN one (other verdicts in between do not end it), found before the range's
   * end and not cleared before its start. Only the first {@code keep} in {@code order} are kept,
   * and counted all: memory follows {@code keep} (the report's row limit), not the number of
   * episodes in the store (issue 20: a flapping host, or years of them, used to be held in full
   * before the cut). The rows are streamed from the cursor, one host at a time.
   *
   * <p>Reads the range and, per host, only the state before it: the last CLEAN before the start
   * and the first INFECTED after that (an episode still open when the range starts), each a seek
   * in the index {@code verdict_history_by_host_verdict (host_id, verdict, at_ms)} (V023). Years
   * of history before the range, or after it, are never read, so a report's cost follows its
   * range and its hosts, not the age of the installation.
   */
  Episodes infections(Collection<String> hostIds, DateRange range, int keep, Comparator<Episode> order) {
    if (keep < 0) {
      throw new IllegalArgumentException("keep: " + keep + " is negative");
    }
    requireNonNull(order, "order");
    long from = range.fromMillis();
    long to = range.toMillis();
    // The episodes kept so far, the last in `order` at the head: a new one that comes before it
    // takes its place. Never more than `keep` (+1 while swapping), whatever the store holds.
    PriorityQueue<Episode> kept = new PriorityQueue<>(Math.min(keep, 1024) + 1, order.reversed());
    int[] total = {0};
    java.util.function.Consumer<Episode> out = e -> {
      total[0]++;
      if (kept.size() < keep) {
        kept.add(e);
      } else if (keep > 0 && order.compare(e, kept.element()) < 0) {
        kept.poll();
        kept.add(e);
      }
    };
    store.read(db -> {
      try (PreparedStatement lastClean = db.prepareStatement(LAST_CLEAN_BEFORE);
          PreparedStatement firstInfected = db.prepareStatement(FIRST_INFECTED_BETWEEN);
          PreparedStatement changes = db.prepareStatement(CHANGES_IN_RANGE)) {
        for (String host : hostIds) {
          @Nullable Instant found = null;
          String reasons = "";
          lastClean.setString(1, host);
          lastClean.setLong(2, from);
          long after = Long.MIN_VALUE;
          try (ResultSet rs = lastClean.executeQuery()) {
            if (rs.next()) {
              long t = rs.getLong(1);
              if (!rs.wasNull()) {
                after = t;
              }
            }
          }
          firstInfected.setString(1, host);
          firstInfected.setLong(2, after);
          firstInfected.setLong(3, from);
          try (ResultSet rs = firstInfected.executeQuery()) {
            if (rs.next()) {
              found = Instant.ofEpochMilli(rs.getLong(1));
              reasons = rs.getString(2);
            }
          }
          changes.setString(1, host);
          changes.setLong(2, from);
          changes.setLong(3, to);
          try (ResultSet rs = changes.executeQuery()) {
            while (rs.next()) {
              boolean infected = rs.getString(1).equals("INFECTED");
              if (infected && found == null) {
                found = Instant.ofEpochMilli(rs.getLong(2));
                reasons = rs.getString(3);
              } else if (!infected && found != null) {
                out.accept(new Episode(host, found, Optional.of(Instant.ofEpochMilli(rs.getLong(2))), reasons));
                found = null;
              }
            }
          }
          if (found != null) {
            out.accept(new Episode(host, found, Optional.empty(), reasons));
          }
        }
      }
      return total[0];
    });
    List<Episode> first = new ArrayList<>(kept);
    first.sort(order);
    return new Episodes(first, total[0]);
  }
}
