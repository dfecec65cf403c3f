package io.labscan.controller.fleet;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compliance per lab over time, for the trend chart. Each day's value is the last daily
 * snapshot taken that (UTC) day; today's is computed live. Days before snapshots existed are
 * estimated from the verdict history: the share of hosts whose verdict was CLEAN at the end of
 * the day (CLEAN already needs a recent full scan, a live agent and no egress; only antivirus
 * freshness is not in it), with hosts placed in today's labs.
 */
public final class ComplianceHistory {
  /** Where a point comes from. */
  public enum Source { LIVE, SNAPSHOT, VERDICT_HISTORY }

  /** Compliance of one lab on one day. */
  public record Point(LocalDate day, int hosts, int compliant, Source source) {
    public double percent() {
      return hosts == 0 ? 0 : 100.0 * compliant / hosts;
    }
  }

  private final Fleet fleet;

  public ComplianceHistory(Fleet fleet) {
    this.fleet = requireNonNull(fleet, "fleet");
  }

  /** Records today's compliance per lab (replacing an earlier snapshot of the same day). */
  public void snapshot() {
    Instant now = fleet.now();
    String day = LocalDate.ofInstant(now, ZoneOffset.UTC).toString();
    Map<String, int[]> counts = liveCounts(fleet.hosts());
    fleet.store().update(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO compliance_snapshots(day, lab, hosts, compliant, taken_ms) VALUES (?,?,?,?,?) "
              + "ON CONFLICT(day, lab) DO UPDATE SET hosts = excluded.hosts, compliant = excluded.compliant, "
              + "taken_ms = excluded.taken_ms")) {
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
          ps.setString(1, day);
          ps.setString(2, e.getKey());
          ps.setInt(3, e.getValue()[0]);
          ps.setInt(4, e.getValue()[1]);
          ps.setLong(5, now.toEpochMilli());
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }).join();
  }

  /** The last {@code days} days (today included) per lab, oldest first; labs sorted by name. */
  public Map<String, List<Point>> trend(int days) {
    if (days < 1 || days > 366) {
      throw new IllegalArgumentException("days must be 1-366");
    }
    Instant now = fleet.now();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    LocalDate first = today.minusDays(days - 1L);
    List<HostStatus> hosts = fleet.hosts();
    Map<String, String> labOf = new HashMap<>();
    hosts.forEach(h -> labOf.put(h.summary().hostId(), h.lab().lab()));

    Map<String, Map<LocalDate, Point>> byLab = new TreeMap<>();
    liveCounts(hosts).forEach((lab, c) -> byLab.computeIfAbsent(lab, k -> new TreeMap<>())
        .put(today, new Point(today, c[0], c[1], Source.LIVE)));
    fleet.store().read(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT day, lab, hosts, compliant FROM compliance_snapshots WHERE day >= ? AND day < ?")) {
        ps.setString(1, first.toString());
        ps.setString(2, today.toString());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            LocalDate day = LocalDate.parse(rs.getString(1));
            byLab.computeIfAbsent(rs.getString(2), k -> new TreeMap<>())
                .put(day, new Point(day, rs.getInt(3), rs.getInt(4), Source.SNAPSHOT));
          }
        }
      }
      return byLab;
    });
    estimateFromVerdictHistory(first, today, labOf, byLab);

    Map<String, List<Point>> out = new TreeMap<>();
    byLab.forEach((lab, points) -> out.put(lab, new ArrayList<>(points.values())));
    return out;
  }

  private void estimateFromVerdictHistory(LocalDate first, LocalDate today, Map<String, String> labOf,
      Map<String, Map<LocalDate, Point>> byLab) {
    record Change(long atMs, boolean clean) {}
    Map<String, List<Change>> changes = new HashMap<>();
    Map<String, Long> firstSeen = new HashMap<>();
    long endMs = today.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    fleet.store().read(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT host_id, verdict, at_ms FROM verdict_history WHERE at_ms < ? ORDER BY host_id, at_ms, "
              + fleet.store().dialect().rowId())) {
        ps.setLong(1, endMs);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            changes.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                .add(new Change(rs.getLong(3), "CLEAN".equals(rs.getString(2))));
          }
        }
      }
      try (PreparedStatement ps = db.prepareStatement("SELECT host_id, first_seen_ms FROM hosts");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          firstSeen.put(rs.getString(1), rs.getLong(2));
        }
      }
      return changes;
    });
    for (LocalDate day = first; day.isBefore(today); day = day.plusDays(1)) {
      long dayEnd = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      Map<String, int[]> counts = new HashMap<>();
      for (Map.Entry<String, String> host : labOf.entrySet()) {
        Long seen = firstSeen.get(host.getKey());
        if (seen == null || seen >= dayEnd) {
          continue;
        }
        boolean clean = false;
        for (Change c : changes.getOrDefault(host.getKey(), List.of())) {
          if (c.atMs() < dayEnd) {
            clean = c.clean();
          }
        }
        int[] c = counts.computeIfAbsent(host.getValue(), k -> new int[2]);
        c[0]++;
        c[1] += clean ? 1 : 0;
      }
      LocalDate d = day;
      counts.forEach((lab, c) -> byLab.computeIfAbsent(lab, k -> new TreeMap<>())
          .putIfAbsent(d, new Point(d, c[0], c[1], Source.VERDICT_HISTORY)));
    }
  }

  /** Hosts and compliant hosts per lab. */
  public static Map<String, int[]> liveCounts(List<HostStatus> hosts) {
    Map<String, int[]> counts = new TreeMap<>();
    for (HostStatus h : hosts) {
      int[] c = counts.computeIfAbsent(h.lab().lab(), k -> new int[2]);
      c[0]++;
      c[1] += h.compliance().compliant() ? 1 : 0;
    }
    return counts;
  }
}
