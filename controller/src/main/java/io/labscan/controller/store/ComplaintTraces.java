package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The recorded answers of complaint triage ({@code complaint_traces}) and their history
 * ({@code complaint_trace_history}, V029).
 *
 * <p><b>One complaint has one recorded answer</b> (issue 15, red-team round 5, R5). A trace is
 * evidence derived from a computation (triage of one message against the fleet and the trust
 * configuration); when that computation is redone and recorded, its new answer <em>replaces</em>
 * the old one instead of accumulating beside the answer that contradicts it. Before version 29 a
 * second triage with a corrected {@code --trust} added the right host and kept the wrong one
 * SUSPECTED for the whole look-back. {@link #replace} moves the complaint's earlier traces into
 * the history ("superseded by the triage of … at …") and inserts the new ones, in one
 * transaction; {@link #withdraw} moves them there on an administrator's word. Nothing is deleted:
 * the history says who was blamed, when, and why that ended. Only {@code complaint_traces} is
 * evidence for verdicts, so nothing that reads verdicts changes.
 *
 * <p>A complaint is matched by its <em>key</em>, the digest of its message bytes (see
 * {@code ComplaintTriage#complaintKey}), which the sender does not choose; traces recorded before
 * version 29 have no key and are matched by their {@code complaint_id} (the Message-ID).
 */
public final class ComplaintTraces {
  /** At most this many traces of one complaint are replaced or listed (a complaint names a few hosts). */
  static final int MAX_TRACES = 1000;

  /**
   * One trace to record.
   *
   * @param recordingMta the addresses of the MTA that wrote the boundary line (V031; empty for an
   *     authenticated submission or when the lines give none): a verdict looks for the host's own
   *     connection to one of them (docs/verdicts.md, "The same connection")
   */
  public record NewTrace(String hostId, double confidence, String originIp, Optional<Instant> originTime,
      String summary, List<String> recordingMta) {
    public NewTrace {
      requireNonNull(hostId, "hostId");
      requireNonNull(originIp, "originIp");
      requireNonNull(originTime, "originTime");
      requireNonNull(summary, "summary");
      recordingMta = List.copyOf(recordingMta);
    }

    /** A trace whose recording MTA's address is not known. */
    public NewTrace(String hostId, double confidence, String originIp, Optional<Instant> originTime, String summary) {
      this(hostId, confidence, originIp, originTime, summary, List.of());
    }
  }

  /** A trace as recorded (live, or just moved into the history). */
  public record Trace(String complaintId, String complaintKey, String hostId, double confidence, Instant tracedAt,
      String recordedBy) {}

  private final Database db;

  public ComplaintTraces(Database db) {
    this.db = requireNonNull(db, "db");
  }

  /** The live traces of this complaint: by key, or by id for traces recorded before the key existed. */
  public List<Trace> of(String complaintId, String complaintKey) {
    requireNonNull(complaintId, "complaintId");
    requireNonNull(complaintKey, "complaintKey");
    return db.read("complaint traces", c -> select(c, complaintId, complaintKey));
  }

  /** The live traces recorded under this complaint id (any key). */
  public List<Trace> ofId(String complaintId) {
    requireNonNull(complaintId, "complaintId");
    return db.read("complaint traces", c -> {
      List<Trace> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(COLUMNS + "WHERE complaint_id = ? ORDER BY confidence DESC"
          + db.dialect().limit(MAX_TRACES))) {
        ps.setString(1, complaintId);
        read(ps, out);
      }
      return out;
    });
  }

  /**
   * Records {@code traces} as this complaint's one answer: its earlier traces (same key, or the
   * same id without a key) move to the history as superseded, in the same transaction.
   *
   * @return the earlier traces that were superseded (empty if this is the first recording)
   */
  public List<Trace> replace(String complaintId, String complaintKey, List<NewTrace> traces, Instant at,
      String recordedBy) {
    requireNonNull(complaintId, "complaintId");
    requireNonNull(complaintKey, "complaintKey");
    requireNonNull(traces, "traces");
    requireNonNull(at, "at");
    requireNonNull(recordedBy, "recordedBy");
    String because = "superseded by the triage of " + complaintId + " at " + at + " (recorded by " + recordedBy + ")";
    return db.write(c -> {
      List<Trace> earlier = select(c, complaintId, complaintKey);
      end(c, earlier, at, recordedBy, because);
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO complaint_traces(complaint_id, host_id, confidence, traced_ms, origin_ip, origin_time_ms, "
              + "summary, recorded_by, complaint_key, recording_mta) VALUES (?,?,?,?,?,?,?,?,?,?) "
              + "ON CONFLICT(complaint_id, host_id) "
              + "DO UPDATE SET confidence = excluded.confidence, traced_ms = excluded.traced_ms, "
              + "origin_ip = excluded.origin_ip, origin_time_ms = excluded.origin_time_ms, summary = excluded.summary, "
              + "recorded_by = excluded.recorded_by, complaint_key = excluded.complaint_key, "
              + "recording_mta = excluded.recording_mta")) {
        for (NewTrace t : traces) {
          ps.setString(1, complaintId);
          ps.setString(2, t.hostId());
          ps.setDouble(3, t.confidence());
          ps.setLong(4, at.toEpochMilli());
          ps.setString(5, t.originIp());
          if (t.originTime().isPresent()) {
            ps.setLong(6, t.originTime().get().toEpochMilli());
          } else {
            ps.setNull(6, Types.BIGINT);
          }
          ps.setString(7, t.summary());
          ps.setString(8, recordedBy);
          ps.setString(9, complaintKey);
          ps.setString(10, String.join(" ", t.recordingMta()));
          ps.executeUpdate();
        }
      }
      return List.copyOf(earlier);
    }).join();
  }

  /**
   * Withdraws the live traces recorded under {@code complaintId} (against {@code hostId} only,
   * when given): they move to the history as withdrawn by {@code user}.
   *
   * @return the traces withdrawn (empty when there were none)
   */
  public List<Trace> withdraw(String complaintId, Optional<String> hostId, Instant at, String user, String reason) {
    requireNonNull(complaintId, "complaintId");
    requireNonNull(hostId, "hostId");
    requireNonNull(at, "at");
    requireNonNull(user, "user");
    requireNonNull(reason, "reason");
    String because = "withdrawn by " + user + " at " + at + (reason.isBlank() ? "" : ": " + reason);
    return db.write(c -> {
      List<Trace> live = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(COLUMNS + "WHERE complaint_id = ?"
          + (hostId.isPresent() ? " AND host_id = ?" : "") + " ORDER BY confidence DESC" + db.dialect().limit(MAX_TRACES))) {
        ps.setString(1, complaintId);
        if (hostId.isPresent()) {
          ps.setString(2, hostId.get());
        }
        read(ps, live);
      }
      end(c, live, at, user, because);
      return List.copyOf(live);
    }).join();
  }

  /** Why each ended trace of this complaint ended, newest first: "host: because". */
  public List<String> history(String complaintId) {
    requireNonNull(complaintId, "complaintId");
    return db.read("complaint trace history", c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT host_id, ended_because FROM complaint_trace_history "
          + "WHERE complaint_id = ? ORDER BY ended_ms DESC" + db.dialect().limit(MAX_TRACES))) {
        ps.setString(1, complaintId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1) + ": " + rs.getString(2));
          }
        }
      }
      return out;
    });
  }

  private static final String COLUMNS =
      "SELECT complaint_id, complaint_key, host_id, confidence, traced_ms, recorded_by FROM complaint_traces ";

  private List<Trace> select(Connection c, String complaintId, String complaintKey) throws SQLException {
    List<Trace> out = new ArrayList<>();
    String where = complaintKey.isEmpty() ? "WHERE complaint_id = ?"
        : "WHERE complaint_key = ? OR (complaint_key = '' AND complaint_id = ?)";
    try (PreparedStatement ps = c.prepareStatement(COLUMNS + where + " ORDER BY confidence DESC"
        + db.dialect().limit(MAX_TRACES))) {
      if (complaintKey.isEmpty()) {
        ps.setString(1, complaintId);
      } else {
        ps.setString(1, complaintKey);
        ps.setString(2, complaintId);
      }
      read(ps, out);
    }
    return out;
  }

  private static void read(PreparedStatement ps, List<Trace> out) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new Trace(rs.getString(1), rs.getString(2), rs.getString(3), rs.getDouble(4),
            Instant.ofEpochMilli(rs.getLong(5)), rs.getString(6)));
      }
    }
  }

  /** Moves these live traces into the history with why they ended, then off the evidence. */
  private static void end(Connection c, List<Trace> traces, Instant at, String by, String because)
      throws SQLException {
    if (traces.isEmpty()) {
      return;
    }
    try (PreparedStatement copy = c.prepareStatement(
        "INSERT INTO complaint_trace_history(complaint_id, complaint_key, host_id, confidence, traced_ms, origin_ip, "
            + "origin_time_ms, summary, recorded_by, recording_mta, ended_ms, ended_by, ended_because) SELECT "
            + "complaint_id, complaint_key, host_id, confidence, traced_ms, origin_ip, origin_time_ms, summary, "
            + "recorded_by, recording_mta, ?, ?, ? "
            + "FROM complaint_traces WHERE complaint_id = ? AND host_id = ?");
        PreparedStatement delete = c.prepareStatement(
            "DELETE FROM complaint_traces WHERE complaint_id = ? AND host_id = ?")) {
      for (Trace t : traces) {
        copy.setLong(1, at.toEpochMilli());
        copy.setString(2, by);
        copy.setString(3, because);
        copy.setString(4, t.complaintId());
        copy.setString(5, t.hostId());
        copy.executeUpdate();
        delete.setString(1, t.complaintId());
        delete.setString(2, t.hostId());
        delete.executeUpdate();
      }
    }
  }
}
