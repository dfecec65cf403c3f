package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deletes evidence older than the {@link Retention} settings ({@code labscan-controller prune}
 * and once a day in {@code serve}).
 *
 * <p><b>What is never deleted</b>, whatever its age, because current verdicts and pages rest on
 * it: each host's row and address history; for each host its newest report, the report (with
 * its scan row and findings) of its latest finished full scan, and its latest antivirus status;
 * the current verdicts, web users, sessions, lab rules, campaigns and enrolment records. Egress
 * windows and complaint traces the verdict rules look at (7 and 30 days back) are always
 * younger than the minimum retention allowed.
 *
 * <p><b>Bounded writer time.</b> Rows go in batches of {@link #BATCH}, each its own task on the
 * store's single writer, so reports keep being stored between batches; a prune of a large
 * backlog takes longer but never holds the writer for more than one batch. Deleted space is
 * reused by SQLite for new rows; the file itself shrinks only with an offline
 * {@code VACUUM}.
 */
public final class Pruner {
  /** Rows deleted per writer task. */
  public static final int BATCH = 500;

  /**
   * How long evidence is kept, in days.
   *
   * @param reportDays raw reports (the payload blobs: the bulk of the database)
   * @param findingDays findings, scans, antivirus observations and egress windows
   * @param historyDays verdict history and complaint traces (triage answers)
   * @param auditDays audit log entries (at least {@link #MIN_AUDIT_DAYS})
   * @param complaintDays complaints that arrived by mail and their stored triage answers (at
   *     least {@link #MIN_COMPLAINT_DAYS}; pruned by {@link AgedRows} of the complaint package)
   */
  public record Retention(int reportDays, int findingDays, int historyDays, int auditDays, int complaintDays) {
    /** Complaints are kept at least this long: the Complaints page and its alerts look 30 days back. */
    public static final int MIN_COMPLAINT_DAYS = 31;
    /** Complaints are kept this long unless {@code --keep-complaints-days} says otherwise. */
    public static final int DEFAULT_COMPLAINT_DAYS = 400;
    public static final int MIN_FINDING_DAYS = 31;
    /**
     * The audit log is kept at least this long: the {@code audit_log} table itself refuses to
     * delete entries younger than 90 days (migration V018), whatever asks.
     */
    public static final int MIN_AUDIT_DAYS = 91;
    /** Audit entries are kept this long unless {@code --keep-audit-days} says otherwise. */
    public static final int DEFAULT_AUDIT_DAYS = 400;

    /** With the default audit retention ({@value #DEFAULT_AUDIT_DAYS} days). */
    public Retention(int reportDays, int findingDays, int historyDays) {
      this(reportDays, findingDays, historyDays, DEFAULT_AUDIT_DAYS);
    }

    /** With the default complaint retention ({@value #DEFAULT_COMPLAINT_DAYS} days). */
    public Retention(int reportDays, int findingDays, int historyDays, int auditDays) {
      this(reportDays, findingDays, historyDays, auditDays, DEFAULT_COMPLAINT_DAYS);
    }

    public Retention {
      if (auditDays < MIN_AUDIT_DAYS) {
        throw new IllegalArgumentException("the audit log must be kept at least " + MIN_AUDIT_DAYS + " days, not "
            + auditDays);
      }
      if (complaintDays < MIN_COMPLAINT_DAYS) {
        throw new IllegalArgumentException("complaints must be kept at least " + MIN_COMPLAINT_DAYS
            + " days (the Complaints page looks 30 days back), not " + complaintDays);
      }
      if (reportDays < 1) {
        throw new IllegalArgumentException("reports must be kept at least 1 day, not " + reportDays);
      }
      if (findingDays < MIN_FINDING_DAYS) {
        throw new IllegalArgumentException("findings must be kept at least " + MIN_FINDING_DAYS
            + " days (the verdict rules look 30 days back), not " + findingDays);
      }
      if (historyDays < findingDays) {
        throw new IllegalArgumentException("verdict history (" + historyDays + " days) must be kept at least as "
            + "long as findings (" + findingDays + " days)");
      }
    }

    /** 30 days of reports, 90 of findings, two years of verdict history and triage answers. */
    public static Retention defaults() {
      return new Retention(30, 90, 730, DEFAULT_AUDIT_DAYS, DEFAULT_COMPLAINT_DAYS);
    }
  }

  /**
   * Rows a feature package prunes by age with its own SQL (the complaint log: {@code
   * ComplaintRetention}), run after the per-host rules by the same prune.
   */
  public interface AgedRows {
    /**
     * Deletes (or, with {@code dryRun}, counts) the rows {@code retention} no longer keeps at
     * {@code now}; returns the rows per table, in a fixed order.
     */
    Map<String, Long> prune(Storage store, Retention retention, Instant now, boolean dryRun);
  }

  /** Rows deleted (or, on a dry run, that would be) per table, in a fixed order. */
  public record Result(Map<String, Long> rows, boolean dryRun) {
    public Result {
      rows = Collections.unmodifiableMap(new LinkedHashMap<>(rows));
    }

    public long total() {
      return rows.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** One table's rule: the condition on a host's old rows and which keepers it spares. */
  private record Rule(String table, String condition, Age age, boolean sparesKeepers) {}

  private enum Age { REPORTS, FINDINGS, HISTORY }

  private static final List<Rule> RULES = List.of(
      new Rule("reports", "host_id = ? AND created_ms < ?1c AND received_ms < ?1c AND report_id NOT IN (?k)",
          Age.REPORTS, true),
      new Rule("findings", "host_id = ? AND observed_ms < ?1c AND report_id NOT IN (?k)", Age.FINDINGS, true),
      new Rule("scans", "host_id = ? AND COALESCE(finished_ms, started_ms, 0) < ?1c AND report_id NOT IN (?k)",
          Age.FINDINGS, true),
      new Rule("av_status", "host_id = ? AND observed_ms < ?1c AND report_id NOT IN (?k)", Age.FINDINGS, true),
      new Rule("egress_windows", "host_id = ? AND window_end_ms < ?1c", Age.FINDINGS, false),
      // Harvested-address digests no scan has reported since the findings cutoff: an agent that
      // sends 100,000 new digests a report would otherwise grow the table for ever.
      new Rule("harvest_digests", "host_id = ? AND last_seen_ms < ?1c", Age.FINDINGS, false),
      new Rule("verdict_history", "host_id = ? AND at_ms < ?1c", Age.HISTORY, false),
      new Rule("complaint_traces", "host_id = ? AND traced_ms < ?1c", Age.HISTORY, false),
      // Superseded and withdrawn traces (V029) are history too.
      new Rule("complaint_trace_history", "host_id = ? AND ended_ms < ?1c", Age.HISTORY, false));

  private final Storage store;
  private final Retention retention;
  private final Clock clock;
  private final List<AgedRows> more;

  public Pruner(Storage store, Retention retention, Clock clock) {
    this(store, retention, clock, List.of());
  }

  /** @param more feature packages' own aged rows (complaints), pruned after the host rules */
  public Pruner(Storage store, Retention retention, Clock clock, List<AgedRows> more) {
    this.store = requireNonNull(store, "store");
    this.retention = requireNonNull(retention, "retention");
    this.clock = requireNonNull(clock, "clock");
    this.more = List.copyOf(requireNonNull(more, "more"));
  }

  public Retention retention() {
    return retention;
  }

  /** Prunes (or, with {@code dryRun}, counts) every host's old rows. */
  public Result prune(boolean dryRun) {
    Instant now = clock.instant();
    Map<Age, Long> cutoffs = Map.of(
        Age.REPORTS, now.minus(Duration.ofDays(retention.reportDays())).toEpochMilli(),
        Age.FINDINGS, now.minus(Duration.ofDays(retention.findingDays())).toEpochMilli(),
        Age.HISTORY, now.minus(Duration.ofDays(retention.historyDays())).toEpochMilli());
    Map<String, Long> rows = new LinkedHashMap<>();
    RULES.forEach(r -> rows.put(r.table(), 0L));
    for (String hostId : hostIds()) {
      List<String> keepers = keepers(hostId);
      for (Rule rule : RULES) {
        long cutoff = requireNonNull(cutoffs.get(rule.age()), "cutoffs.get(rule.age())"); // one per Age
        String where = rule.condition().replace("?1c", "?").replace("?k", "?,?,?,?");
        long n = dryRun ? count(rule.table(), where, hostId, cutoff, rule, keepers)
            : delete(rule.table(), where, hostId, cutoff, rule, keepers);
        rows.merge(rule.table(), n, Long::sum);
      }
    }
    long auditCutoff = now.minus(Duration.ofDays(retention.auditDays())).toEpochMilli();
    rows.put(AUDIT_TABLE, dryRun ? countAudit(auditCutoff) : deleteAudit(auditCutoff));
    for (AgedRows aged : more) {
      aged.prune(store, retention, now, dryRun).forEach((table, n) -> rows.merge(table, n, Long::sum));
    }
    return new Result(rows, dryRun);
  }

  /** The audit log's table: pruned by age alone, and only here (it is append-only otherwise). */
  static final String AUDIT_TABLE = "audit_log";

  private long countAudit(long cutoff) {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT COUNT(*) FROM audit_log WHERE at_ms < ?")) {
        ps.setLong(1, cutoff);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getLong(1) : 0L;
        }
      }
    });
  }

  private long deleteAudit(long cutoff) {
    long total = 0;
    while (true) {
      int deleted = store.write(db -> {
        try (PreparedStatement ps = db.prepareStatement("DELETE FROM audit_log WHERE seq IN (SELECT seq FROM "
            + "audit_log WHERE at_ms < ? ORDER BY seq LIMIT " + BATCH + ")")) {
          ps.setLong(1, cutoff);
          return ps.executeUpdate();
        }
      }).join();
      total += deleted;
      if (deleted < BATCH) {
        return total;
      }
    }
  }

  private List<String> hostIds() {
    return store.read(db -> {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement("SELECT host_id FROM hosts ORDER BY host_id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    });
  }

  /** The host's reports that current verdicts rest on: newest, latest full scan, latest complete full scan, latest AV status. */
  private List<String> keepers(String hostId) {
    return store.read(db -> List.of(
        first(db, "SELECT report_id FROM reports WHERE host_id = ? ORDER BY created_ms DESC LIMIT 1", hostId),
        first(db, "SELECT report_id FROM scans WHERE host_id = ? AND kind = 'SCAN_KIND_FULL' "
            + "AND finished_ms IS NOT NULL ORDER BY finished_ms DESC LIMIT 1", hostId),
        // The latest complete full scan: the verdict's finding source when newer scans are incomplete.
        first(db, "SELECT report_id FROM scans WHERE host_id = ? AND kind = 'SCAN_KIND_FULL' "
            + "AND finished_ms IS NOT NULL AND failed_checks = '' ORDER BY finished_ms DESC LIMIT 1", hostId),
        first(db, "SELECT report_id FROM av_status WHERE host_id = ? ORDER BY observed_ms DESC LIMIT 1", hostId)));
  }

  private static String first(java.sql.Connection db, String sql, String hostId) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      ps.setString(1, hostId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : "";
      }
    }
  }

  private long count(String table, String where, String hostId, long cutoff, Rule rule, List<String> keepers) {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE " + where)) {
        bind(ps, hostId, cutoff, rule, keepers);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getLong(1) : 0L;
        }
      }
    });
  }

  private long delete(String table, String where, String hostId, long cutoff, Rule rule, List<String> keepers) {
    long total = 0;
    while (true) {
      int deleted = store.write(db -> {
        String row = store.dialect().rowId();
        try (PreparedStatement ps = db.prepareStatement("DELETE FROM " + table + " WHERE " + row + " IN (SELECT "
            + row + " FROM " + table + " WHERE " + where + store.dialect().limit(BATCH) + ")")) {
          bind(ps, hostId, cutoff, rule, keepers);
          return ps.executeUpdate();
        }
      }).join();
      total += deleted;
      if (deleted < BATCH) {
        return total;
      }
    }
  }

  private static void bind(PreparedStatement ps, String hostId, long cutoff, Rule rule, List<String> keepers)
      throws SQLException {
    int i = 1;
    ps.setString(i++, hostId);
    int cutoffs = rule.condition().split("\\?1c", -1).length - 1;
    for (int c = 0; c < cutoffs; c++) {
      ps.setLong(i++, cutoff);
    }
    if (rule.sparesKeepers()) {
      for (String k : keepers) {
        ps.setString(i++, k);
      }
    }
  }
}
