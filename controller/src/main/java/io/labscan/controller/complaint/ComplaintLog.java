package io.labscan.controller.complaint;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Storage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The complaints that arrived by mail and which IMAP messages they were (tables {@code
 * complaint_messages} and {@code complaint_uids}, migration V016). This is what makes the watch
 * idempotent: a message (mailbox, UIDVALIDITY, UID) is handled once, and after a UIDVALIDITY
 * change a message is recognised again by its Message-ID (else the SHA-256 of its bytes).
 */
public final class ComplaintLog {
  /** Most complaints one list call returns. */
  public static final int MAX_LIST = 500;
  /** Largest stored triage result (JSON); a larger one is replaced by its summary. */
  static final int MAX_RESULT_CHARS = 64 * 1024;
  private static final String COLUMNS = "complaint_seq, mailbox, message_key, received_ms, handled_ms, subject, "
      + "from_text, size_bytes, outcome, detail, summary, origin_ip, host_id, hostname, confidence, recordable, "
      + "recorded, evidence_note, complaint_id, result_json";

  private final Storage store;

  public ComplaintLog(Storage store) {
    this.store = requireNonNull(store, "store");
  }

  /** The highest UID handled in this mailbox under this UIDVALIDITY. */
  public OptionalLong lastUid(String mailbox, long uidValidity) {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT MAX(uid) FROM complaint_uids WHERE mailbox = ? AND uid_validity = ?")) {
        ps.setString(1, mailbox);
        ps.setLong(2, uidValidity);
        try (ResultSet rs = ps.executeQuery()) {
          long max = rs.next() ? rs.getLong(1) : 0;
          return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(max);
        }
      }
    });
  }

  /** Whether messages of this mailbox were handled under another UIDVALIDITY (the folder was rebuilt). */
  public boolean seenUnderOtherValidity(String mailbox, long uidValidity) {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT 1 FROM complaint_uids WHERE mailbox = ? AND uid_validity <> ? LIMIT 1")) {
        ps.setString(1, mailbox);
        ps.setLong(2, uidValidity);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  /** A handled message that still has to be moved: its UID and the folder. */
  public record PendingMove(long uid, String folder) {}

  /** Messages handled but not yet moved (the controller stopped between the two). */
  public List<PendingMove> pendingMoves(String mailbox, long uidValidity, WatchSettings settings) {
    return store.read(db -> {
      List<PendingMove> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT u.uid, m.outcome FROM complaint_uids u JOIN complaint_messages m ON m.complaint_seq = u.complaint_seq "
              + "WHERE u.mailbox = ? AND u.uid_validity = ? AND u.moved_to IS NULL ORDER BY u.uid LIMIT 1000")) {
        ps.setString(1, mailbox);
        ps.setLong(2, uidValidity);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long uid = rs.getLong(1);
            settings.folderFor(Outcome.ofId(rs.getString(2))).ifPresent(f -> out.add(new PendingMove(uid, f)));
          }
        }
      }
      return out;
    });
  }

  /** The complaint already handled in this mailbox under this message key (after a UIDVALIDITY change). */
  public Optional<ComplaintRecord> byKey(String mailbox, String messageKey) {
    if (messageKey.isEmpty()) {
      return Optional.empty();
    }
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT " + COLUMNS
          + " FROM complaint_messages WHERE mailbox = ? AND message_key = ? ORDER BY complaint_seq LIMIT 1")) {
        ps.setString(1, mailbox);
        ps.setString(2, messageKey);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
      }
    });
  }

  /**
   * Stores a handled complaint and the IMAP message it was, in one transaction; its move is
   * pending (or, for a failed one, not wanted). Returns the complaint with its number: the one
   * stored before when this message was recorded already ({@link #record}).
   */
  public ComplaintRecord save(ComplaintRecord c, long uidValidity, long uid) {
    return record(c, uidValidity, uid).complaint();
  }

  /**
   * What {@link #record} did: the stored complaint, and whether this call stored it ({@code
   * first}) or found the same IMAP message recorded already (by another controller).
   */
  public record Saved(ComplaintRecord complaint, boolean first) {}

  /**
   * Stores a handled complaint unless the same IMAP message (mailbox, UIDVALIDITY, UID) is
   * recorded already; then returns that record with {@code first} false, and stores nothing.
   *
   * <p>Why in the database and not only by the complaint mailboxes' lock (issue 20): two
   * controllers can both believe they hold the lock for a moment (the holder's lock session broke
   * and the other took the lock before the holder's next check), and both triage the same
   * message. The unique key on {@code (mailbox, imap_uid)} (migration V024) makes the second
   * insert a no-op ({@code INSERT ... ON CONFLICT DO NOTHING RETURNING}, the same text on SQLite
   * and PostgreSQL): on PostgreSQL the second transaction waits for the first one's commit and
   * then inserts nothing, so exactly one record exists, and its caller alone raises the alert.
   * The key is the IMAP identity and not the Message-ID: two different messages may carry the
   * same Message-ID (it is the sender's claim), while one UID under one UIDVALIDITY is one
   * message of that folder (RFC 3501, 2.3.1.1).
   */
  public Saved record(ComplaintRecord c, long uidValidity, long uid) {
    String json = c.resultJson().length() > MAX_RESULT_CHARS ? "" : c.resultJson();
    String imapUid = imapUid(uidValidity, uid);
    long[] seq = store.write(db -> {
      long s;
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO complaint_messages(" + COLUMNS.substring(
          "complaint_seq, ".length()) + ", imap_uid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
          + "ON CONFLICT(mailbox, imap_uid) DO NOTHING RETURNING complaint_seq")) {
        int i = 1;
        ps.setString(i++, c.mailbox());
        ps.setString(i++, c.messageKey());
        ps.setLong(i++, c.receivedAt().toEpochMilli());
        ps.setLong(i++, c.handledAt().toEpochMilli());
        ps.setString(i++, c.subject());
        ps.setString(i++, c.from());
        ps.setLong(i++, c.sizeBytes());
        ps.setString(i++, c.outcome().id());
        ps.setString(i++, c.detail());
        ps.setString(i++, c.summary());
        ps.setString(i++, c.originIp());
        ps.setString(i++, c.hostId());
        ps.setString(i++, c.hostname());
        if (c.confidence().isPresent()) {
          ps.setDouble(i++, c.confidence().getAsDouble());
        } else {
          ps.setNull(i++, Types.REAL);
        }
        ps.setInt(i++, c.recordable() ? 1 : 0);
        ps.setInt(i++, c.recorded() ? 1 : 0);
        ps.setString(i++, c.evidenceNote());
        ps.setString(i++, c.complaintId());
        ps.setString(i++, json);
        ps.setString(i, imapUid);
        // RETURNING (SQLite 3.35+, PostgreSQL): the new number, on either engine; no row when refused.
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return new long[] {existing(db, c.mailbox(), imapUid), 0};
          }
          s = rs.getLong(1);
        }
      }
      mapUid(db, c.mailbox(), uidValidity, uid, s, c.outcome() == Outcome.FAILED ? "" : null);
      return new long[] {s, 1};
    }).join();
    if (seq[1] == 1) {
      return new Saved(c.withSeq(seq[0]), true);
    }
    return new Saved(get(seq[0]).orElse(c.withSeq(seq[0])), false);
  }

  /** The IMAP identity of a message in its mailbox ({@code imap_uid}): {@code <UIDVALIDITY>/<UID>}. */
  static String imapUid(long uidValidity, long uid) {
    return uidValidity + "/" + uid;
  }

  private static long existing(Connection db, String mailbox, String imapUid) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT complaint_seq FROM complaint_messages WHERE mailbox = ? AND imap_uid = ?")) {
      ps.setString(1, mailbox);
      ps.setString(2, imapUid);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("complaint of " + mailbox + " UID " + imapUid + " neither stored nor found");
        }
        return rs.getLong(1);
      }
    }
  }

  /** Records that this IMAP message is an already handled complaint (seen again after a UIDVALIDITY change). */
  public void sameAs(String mailbox, long uidValidity, long uid, ComplaintRecord earlier) {
    store.update(db -> {
      mapUid(db, mailbox, uidValidity, uid, earlier.seq(), earlier.outcome() == Outcome.FAILED ? "" : null);
    }).join();
  }

  private static void mapUid(Connection db, String mailbox, long uidValidity, long uid, long seq, @Nullable String movedTo)
      throws SQLException {
    try (PreparedStatement ps = db.prepareStatement("INSERT INTO complaint_uids(mailbox, uid_validity, uid, "
        + "complaint_seq, moved_to) VALUES (?,?,?,?,?) ON CONFLICT(mailbox, uid_validity, uid) DO NOTHING")) {
      ps.setString(1, mailbox);
      ps.setLong(2, uidValidity);
      ps.setLong(3, uid);
      ps.setLong(4, seq);
      ps.setString(5, movedTo);
      ps.executeUpdate();
    }
  }

  /** The message was moved to {@code folder} (or is gone from the watched folder). */
  public void moved(String mailbox, long uidValidity, long uid, String folder) {
    store.update(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "UPDATE complaint_uids SET moved_to = ? WHERE mailbox = ? AND uid_validity = ? AND uid = ?")) {
        ps.setString(1, folder);
        ps.setString(2, mailbox);
        ps.setLong(3, uidValidity);
        ps.setLong(4, uid);
        ps.executeUpdate();
      }
    }).join();
  }

  /** Where the message moved to: empty while pending, '' when it stays; absent when never handled. */
  public Optional<Optional<String>> movedTo(String mailbox, long uidValidity, long uid) {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT moved_to FROM complaint_uids WHERE mailbox = ? AND uid_validity = ? AND uid = ?")) {
        ps.setString(1, mailbox);
        ps.setLong(2, uidValidity);
        ps.setLong(3, uid);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(Optional.ofNullable(rs.getString(1))) : Optional.empty();
        }
      }
    });
  }

  /** Complaints newest first, at most {@code limit} ({@link #MAX_LIST}), below {@code before} when given. */
  public List<ComplaintRecord> list(int limit, OptionalLong before) {
    int n = Math.max(1, Math.min(limit, MAX_LIST));
    return store.read(db -> {
      List<ComplaintRecord> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement("SELECT " + COLUMNS + " FROM complaint_messages "
          + "WHERE complaint_seq < ? ORDER BY complaint_seq DESC LIMIT ?")) {
        ps.setLong(1, before.orElse(Long.MAX_VALUE));
        ps.setInt(2, n);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(row(rs));
          }
        }
      }
      return out;
    });
  }

  /** One complaint by number. */
  public Optional<ComplaintRecord> get(long seq) {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT " + COLUMNS
          + " FROM complaint_messages WHERE complaint_seq = ?")) {
        ps.setLong(1, seq);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
      }
    });
  }

  /** Complaints handled per UTC day and outcome, from {@code since} on. */
  public Map<LocalDate, Map<Outcome, Long>> perDay(Instant since) {
    return store.read(db -> {
      Map<LocalDate, Map<Outcome, Long>> out = new TreeMap<>();
      try (PreparedStatement ps = db.prepareStatement("SELECT handled_ms / 86400000, outcome, COUNT(*) "
          + "FROM complaint_messages WHERE handled_ms >= ? GROUP BY 1, 2")) {
        ps.setLong(1, since.toEpochMilli());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            LocalDate day = LocalDate.ofEpochDay(rs.getLong(1));
            out.computeIfAbsent(day, d -> new EnumMap<>(Outcome.class)).put(Outcome.ofId(rs.getString(2)),
                rs.getLong(3));
          }
        }
      }
      return out;
    });
  }

  private static ComplaintRecord row(ResultSet rs) throws SQLException {
    double conf = rs.getDouble(15);
    OptionalDouble confidence = rs.wasNull() ? OptionalDouble.empty() : OptionalDouble.of(conf);
    return new ComplaintRecord(rs.getLong(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)),
        Instant.ofEpochMilli(rs.getLong(5)), rs.getString(6), rs.getString(7), rs.getLong(8),
        Outcome.ofId(rs.getString(9)), rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13),
        rs.getString(14), confidence, rs.getInt(16) != 0, rs.getInt(17) != 0, rs.getString(18), rs.getString(19),
        rs.getString(20));
  }

  /** The UTC day of an instant (metrics label). */
  static LocalDate day(Instant t) {
    return t.atOffset(ZoneOffset.UTC).toLocalDate();
  }
}
