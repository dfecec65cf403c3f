package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Storage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code report_recipients} and {@code report_confirmation_mails} tables (migration V023). */
final class RecipientRepository {
  private static final String COLUMNS = "username, email, token_sha256, token_expires_ms, confirmed_ms, created_ms";

  private final Storage store;

  RecipientRepository(Storage store) {
    this.store = requireNonNull(store, "store");
  }

  Optional<Recipient> find(String username, String email) {
    return query("SELECT " + COLUMNS + " FROM report_recipients WHERE username = ? AND email = ?", username, email)
        .stream().findFirst();
  }

  /** Recipients waiting for their confirmation mail (none sent, or asked to be sent again). */
  List<Recipient> mailDue() {
    return query("SELECT " + COLUMNS + " FROM report_recipients WHERE confirmed_ms IS NULL AND token_sha256 = '' "
        + "ORDER BY created_ms");
  }

  /**
   * Starts the confirmation of {@code email} for {@code username}: a new row waiting for its mail,
   * or (with {@code confirmed}) a row confirmed now. Any earlier row of the pair is replaced.
   */
  void start(String username, String email, Instant now, boolean confirmed) {
    store.update(db -> {
      try (PreparedStatement del = db.prepareStatement("DELETE FROM report_recipients WHERE username = ? AND email = ?");
          PreparedStatement ins = db.prepareStatement("INSERT INTO report_recipients(username, email, token_sha256, "
              + "token_expires_ms, confirmed_ms, created_ms) VALUES (?,?,'',0,?,?)")) {
        del.setString(1, username);
        del.setString(2, email);
        del.executeUpdate();
        ins.setString(1, username);
        ins.setString(2, email);
        if (confirmed) {
          ins.setLong(3, now.toEpochMilli());
        } else {
          ins.setNull(3, java.sql.Types.BIGINT);
        }
        ins.setLong(4, now.toEpochMilli());
        ins.executeUpdate();
      }
    }).join();
  }

  /** Marks an unconfirmed recipient's mail as due again; its old link stops working. */
  boolean resend(String username, String email) {
    return store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("UPDATE report_recipients SET token_sha256 = '', "
          + "token_expires_ms = 0 WHERE username = ? AND email = ? AND confirmed_ms IS NULL")) {
        ps.setString(1, username);
        ps.setString(2, email);
        return ps.executeUpdate() == 1;
      }
    }).join();
  }

  /**
   * Stores the hash of the token just mailed and records the mail (for the daily limits), in one
   * transaction; false when the recipient is gone or was confirmed meanwhile.
   */
  boolean mailed(Recipient r, String tokenSha256, Instant expires, Instant now) {
    return store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("UPDATE report_recipients SET token_sha256 = ?, "
          + "token_expires_ms = ? WHERE username = ? AND email = ? AND confirmed_ms IS NULL");
          PreparedStatement log = db.prepareStatement(
              "INSERT INTO report_confirmation_mails(email, username, sent_ms) VALUES (?,?,?)")) {
        ps.setString(1, tokenSha256);
        ps.setLong(2, expires.toEpochMilli());
        ps.setString(3, r.username());
        ps.setString(4, r.email());
        log.setString(1, r.email());
        log.setString(2, r.username());
        log.setLong(3, now.toEpochMilli());
        log.executeUpdate();
        return ps.executeUpdate() == 1;
      }
    }).join();
  }

  /**
   * Confirmation mails sent to {@code email} since {@code since}, whatever the case of its
   * letters: mail servers treat case variants of an address as one mailbox, so they must share
   * its limit (issue 18).
   */
  int mailsTo(String email, Instant since) {
    return count("SELECT COUNT(*) FROM report_confirmation_mails WHERE lower(email) = ? AND sent_ms >= ?",
        email.toLowerCase(java.util.Locale.ROOT), since);
  }

  /** Confirmation mails sent for {@code username}'s subscriptions since {@code since}. */
  int mailsFor(String username, Instant since) {
    return count("SELECT COUNT(*) FROM report_confirmation_mails WHERE username = ? AND sent_ms >= ?", username,
        since);
  }

  /** Forgets confirmation mails older than {@code before} (the limits look back one day only). */
  void pruneMails(Instant before) {
    store.update(db -> {
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM report_confirmation_mails WHERE sent_ms < ?")) {
        ps.setLong(1, before.toEpochMilli());
        ps.executeUpdate();
      }
    }).join();
  }

  /**
   * Confirms the recipient whose pending token hashes to {@code tokenSha256}, if it has not
   * expired, and clears the token (single use: a second click finds nothing).
   */
  ReportConfirmations.Result confirm(String tokenSha256, Instant now) {
    return store.write(db -> {
      Optional<Recipient> r;
      try (PreparedStatement ps = db.prepareStatement("SELECT " + COLUMNS + " FROM report_recipients "
          + "WHERE token_sha256 = ? AND confirmed_ms IS NULL")) {
        ps.setString(1, tokenSha256);
        try (ResultSet rs = ps.executeQuery()) {
          r = rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
      }
      if (r.isEmpty()) {
        return new ReportConfirmations.Result(ReportConfirmations.Outcome.UNKNOWN, Optional.empty());
      }
      boolean live = r.get().tokenExpires().isAfter(now);
      if (live) { // an expired link stays as it is: the page says "expired", the user can have it sent again
        try (PreparedStatement ps = db.prepareStatement("UPDATE report_recipients SET token_sha256 = '', "
            + "token_expires_ms = 0, confirmed_ms = ? WHERE username = ? AND email = ?")) {
          ps.setLong(1, now.toEpochMilli());
          ps.setString(2, r.get().username());
          ps.setString(3, r.get().email());
          ps.executeUpdate();
        }
      }
      return new ReportConfirmations.Result(live ? ReportConfirmations.Outcome.CONFIRMED : ReportConfirmations.Outcome.EXPIRED, r);
    }).join();
  }

  /** Removes the recipient row once no subscription of the user uses the address any more. */
  void deleteIfUnused(String username, String email) {
    store.update(db -> {
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM report_recipients WHERE username = ? AND email = ? "
          + "AND NOT EXISTS (SELECT 1 FROM report_subscriptions s WHERE s.username = ? AND s.email = ?)")) {
        ps.setString(1, username);
        ps.setString(2, email);
        ps.setString(3, username);
        ps.setString(4, email);
        ps.executeUpdate();
      }
    }).join();
  }

  private int count(String sql, String key, Instant since) {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement(sql)) {
        ps.setString(1, key);
        ps.setLong(2, since.toEpochMilli());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getInt(1) : 0;
        }
      }
    });
  }

  private List<Recipient> query(String sql, String... args) {
    return store.read(db -> {
      List<Recipient> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(sql)) {
        for (int i = 0; i < args.length; i++) {
          ps.setString(i + 1, args[i]);
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(row(rs));
          }
        }
      }
      return out;
    });
  }

  private static Recipient row(ResultSet rs) throws SQLException {
    String token = rs.getString(3);
    long expires = rs.getLong(4);
    long confirmed = rs.getLong(5);
    boolean unconfirmed = rs.wasNull();
    return new Recipient(rs.getString(1), rs.getString(2), !token.isEmpty(), Instant.ofEpochMilli(expires), unconfirmed ? Optional.empty() : Optional.of(Instant.ofEpochMilli(confirmed)),
        Instant.ofEpochMilli(rs.getLong(6)));
  }
}
