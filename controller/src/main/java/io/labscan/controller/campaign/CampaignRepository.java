package io.labscan.controller.campaign;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Storage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The {@code campaigns}, {@code campaign_runs} and {@code campaign_targets} tables. */
final class CampaignRepository {
  private final Storage store;

  CampaignRepository(Storage store) {
    this.store = requireNonNull(store, "store");
  }

  void insert(Campaign c) {
    store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO campaigns(campaign_id, name, lab, cron, time_zone, created_by, created_ms) "
              + "VALUES (?,?,?,?,?,?,?)")) {
        ps.setString(1, c.campaignId());
        ps.setString(2, c.name());
        ps.setString(3, c.lab().orElse(""));
        ps.setString(4, c.cron().orElse(""));
        ps.setString(5, c.zone().getId());
        ps.setString(6, c.createdBy());
        ps.setLong(7, c.created().toEpochMilli());
        return ps.executeUpdate();
      }
    }).join();
  }

  boolean delete(String campaignId) {
    return store.write(db -> {
      try (PreparedStatement targets = db.prepareStatement(
              "DELETE FROM campaign_targets WHERE run_id IN (SELECT run_id FROM campaign_runs WHERE campaign_id = ?)");
          PreparedStatement runs = db.prepareStatement("DELETE FROM campaign_runs WHERE campaign_id = ?");
          PreparedStatement campaign = db.prepareStatement("DELETE FROM campaigns WHERE campaign_id = ?")) {
        targets.setString(1, campaignId);
        targets.executeUpdate();
        runs.setString(1, campaignId);
        runs.executeUpdate();
        campaign.setString(1, campaignId);
        return campaign.executeUpdate() > 0;
      }
    }).join();
  }

  List<Campaign> list() {
    return store.read(db -> campaigns(db, "SELECT campaign_id, name, lab, cron, time_zone, created_by, created_ms "
        + "FROM campaigns ORDER BY created_ms, campaign_id", null));
  }

  Optional<Campaign> find(String campaignId) {
    return store.read(db -> campaigns(db, "SELECT campaign_id, name, lab, cron, time_zone, created_by, created_ms "
        + "FROM campaigns WHERE campaign_id = ?", campaignId)).stream().findFirst();
  }

  private static List<Campaign> campaigns(Connection db, String sql, @Nullable String arg) throws SQLException {
    List<Campaign> out = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      if (arg != null) {
        ps.setString(1, arg);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Campaign(rs.getString(1), rs.getString(2), nonEmpty(rs.getString(3)),
              nonEmpty(rs.getString(4)), zone(rs.getString(5)), rs.getString(6),
              Instant.ofEpochMilli(rs.getLong(7))));
        }
      }
    }
    return out;
  }

  private static ZoneId zone(String id) {
    try {
      return ZoneId.of(id);
    } catch (DateTimeException e) {
      return ZoneOffset.UTC;
    }
  }

  private static Optional<String> nonEmpty(String s) {
    return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  /** A host a run targets, with its command and whether it was delivered. */
  record NewTarget(String hostId, String commandId, Optional<Instant> delivered) {}

  void insertRun(String runId, String campaignId, Instant fired, String firedBy, List<NewTarget> targets) {
    store.update(db -> {
      try (PreparedStatement run = db.prepareStatement(
              "INSERT INTO campaign_runs(run_id, campaign_id, fired_ms, fired_by) VALUES (?,?,?,?)");
          PreparedStatement target = db.prepareStatement(
              "INSERT INTO campaign_targets(run_id, host_id, command_id, delivered_ms) VALUES (?,?,?,?)")) {
        run.setString(1, runId);
        run.setString(2, campaignId);
        run.setLong(3, fired.toEpochMilli());
        run.setString(4, firedBy);
        run.executeUpdate();
        for (NewTarget t : targets) {
          target.setString(1, runId);
          target.setString(2, t.hostId());
          target.setString(3, t.commandId());
          if (t.delivered().isPresent()) {
            target.setLong(4, t.delivered().get().toEpochMilli());
          } else {
            target.setNull(4, Types.BIGINT);
          }
          target.addBatch();
        }
        target.executeBatch();
      }
    }).join();
  }

  /** A command still waiting for its host. */
  record Undelivered(String hostId, String runId, String campaignId, String commandId) {}

  /**
   * Commands not yet delivered (to one host, or to any), from the newest run of each campaign
   * fired within {@code maxAge} (an older run's command is superseded by the newer one).
   */
  List<Undelivered> undelivered(Optional<String> hostId, Instant now, Duration maxAge) {
    return store.read(db -> {
      List<Undelivered> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT t.host_id, t.run_id, r.campaign_id, t.command_id FROM campaign_targets t "
              + "JOIN campaign_runs r ON r.run_id = t.run_id "
              + "WHERE t.delivered_ms IS NULL AND r.fired_ms >= ? " + (hostId.isPresent() ? "AND t.host_id = ? " : "")
              + "AND r.fired_ms = (SELECT MAX(r2.fired_ms) FROM campaign_runs r2 WHERE r2.campaign_id = r.campaign_id) "
              + "ORDER BY r.fired_ms, t.host_id")) {
        ps.setLong(1, now.minus(maxAge).toEpochMilli());
        if (hostId.isPresent()) {
          ps.setString(2, hostId.get());
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Undelivered(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
          }
        }
      }
      return out;
    });
  }

  void markDelivered(String runId, String hostId, Instant at) {
    store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "UPDATE campaign_targets SET delivered_ms = ? WHERE run_id = ? AND host_id = ? AND delivered_ms IS NULL")) {
        ps.setLong(1, at.toEpochMilli());
        ps.setString(2, runId);
        ps.setString(3, hostId);
        return ps.executeUpdate();
      }
    }).join();
  }

  /** A run row. */
  record Run(String runId, String campaignId, Instant fired, String firedBy) {}

  List<Run> runs(String campaignId, int limit) {
    return store.read(db -> {
      List<Run> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT run_id, campaign_id, fired_ms, fired_by FROM campaign_runs WHERE campaign_id = ? "
              + "ORDER BY fired_ms DESC, run_id LIMIT ?")) {
        ps.setString(1, campaignId);
        ps.setInt(2, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Run(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4)));
          }
        }
      }
      return out;
    });
  }

  /** A target row with what the scans table says since the run fired. */
  record TargetRow(String hostId, String hostname, String commandId, Optional<Instant> delivered,
      Optional<Instant> scanFinished, String failedChecks) {}

  List<TargetRow> targets(Run run) {
    return store.read(db -> {
      List<TargetRow> out = new ArrayList<>();
      // The earliest full scan that finished after the run fired answers for the host.
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT t.host_id, COALESCE(h.hostname, ''), t.command_id, t.delivered_ms, s.finished_ms, "
              + "COALESCE(s.failed_checks, '') FROM campaign_targets t "
              + "LEFT JOIN hosts h ON h.host_id = t.host_id "
              + "LEFT JOIN scans s ON s.report_id = (SELECT s2.report_id FROM scans s2 WHERE s2.host_id = t.host_id "
              + "AND s2.kind = 'SCAN_KIND_FULL' AND s2.finished_ms >= ? ORDER BY s2.finished_ms LIMIT 1) "
              + "WHERE t.run_id = ? ORDER BY h.hostname, t.host_id")) {
        ps.setLong(1, run.fired().toEpochMilli());
        ps.setString(2, run.runId());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long delivered = rs.getLong(4);
            Optional<Instant> deliveredAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(delivered));
            long finished = rs.getLong(5);
            Optional<Instant> finishedAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(finished));
            out.add(new TargetRow(rs.getString(1), rs.getString(2), rs.getString(3), deliveredAt, finishedAt,
                rs.getString(6)));
          }
        }
      }
      return out;
    });
  }
}
