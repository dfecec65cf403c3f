package io.labscan.controller.account;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Storage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-side web sessions, kept in the store (table {@code web_sessions}): a controller restart
 * keeps users logged in, and what the command line changes (a password reset, a new role, a
 * removed user: {@link #endAllOf}) applies to the running web server at the next request. The
 * cookie holds only a random 256-bit id and the store only its SHA-256; each session carries its
 * own CSRF token (synchronizer pattern). A session's role is read from the user's row at every
 * request, never remembered from the login.
 */
public final class Sessions {
  private static final Logger log = LoggerFactory.getLogger(Sessions.class);
  /** Name of the session cookie. */
  public static final String COOKIE = "labscan_session";
  /** A session ends after this long without a request. */
  public static final Duration IDLE_LIMIT = Duration.ofMinutes(30);
  /** A session ends this long after login, however active. */
  public static final Duration ABSOLUTE_LIMIT = Duration.ofHours(12);
  /** A session's last use is written at most this often (a request is a read, not a write). */
  static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
  private static final int MAX_SESSIONS = 10_000;
  /** Sessions one user may hold; logging in again ends the oldest (one user cannot fill the table). */
  public static final int MAX_SESSIONS_PER_USER = 20;

  private final Storage store;
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;

  public Sessions(Storage store, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
  }

  /** One logged-in user's session. */
  public static final class Session {
    private final String id;
    private final User user;
    private final String csrfToken;

    private Session(String id, User user, String csrfToken) {
      this.id = id;
      this.user = user;
      this.csrfToken = csrfToken;
    }

    public String id() {
      return id;
    }

    /** The user with the role the store holds now. */
    public User user() {
      return user;
    }

    public String csrfToken() {
      return csrfToken;
    }

    /** Constant-time comparison with the token a request presented. */
    public boolean csrfMatches(String presented) {
      return presented != null && MessageDigest.isEqual(
          csrfToken.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Starts a session for a user who just logged in (always a fresh id: no fixation). */
  public Session create(User user) {
    requireNonNull(user, "user");
    Instant now = clock.instant();
    Session s = new Session(token(), user, token());
    boolean stored = store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "DELETE FROM web_sessions WHERE last_used_ms < ? OR created_ms < ?")) {
        ps.setLong(1, now.minus(IDLE_LIMIT).toEpochMilli());
        ps.setLong(2, now.minus(ABSOLUTE_LIMIT).toEpochMilli());
        ps.executeUpdate();
      }
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM web_sessions WHERE username = ? AND id_sha256 NOT IN "
          + "(SELECT id_sha256 FROM web_sessions WHERE username = ? ORDER BY created_ms DESC LIMIT ?)")) {
        ps.setString(1, user.username());
        ps.setString(2, user.username());
        ps.setInt(3, MAX_SESSIONS_PER_USER - 1);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = db.prepareStatement("SELECT COUNT(*) FROM web_sessions");
          ResultSet rs = ps.executeQuery()) {
        if (rs.next() && rs.getLong(1) >= MAX_SESSIONS) {
          return false;
        }
      }
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO web_sessions(id_sha256, username, csrf_token, "
          + "created_ms, last_used_ms) VALUES (?,?,?,?,?)")) {
        ps.setString(1, sha256(s.id));
        ps.setString(2, user.username());
        ps.setString(3, s.csrfToken);
        ps.setLong(4, now.toEpochMilli());
        ps.setLong(5, now.toEpochMilli());
        ps.executeUpdate();
      }
      return true;
    }).join();
    if (!stored) {
      throw new IllegalStateException("too many open sessions");
    }
    return s;
  }

  /** The live session with this id, with its user's current role, refreshing its idle timer. */
  public Optional<Session> find(String id) {
    if (id == null || id.length() != 43) {
      return Optional.empty();
    }
    String key = sha256(id);
    Instant now = clock.instant();
    record Row(String username, String csrf, long created, long lastUsed, String role) {}
    Optional<Row> row = store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT s.username, s.csrf_token, s.created_ms, "
          + "s.last_used_ms, u.role FROM web_sessions s JOIN users u ON u.username = s.username "
          + "WHERE s.id_sha256 = ?")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next()
              ? Optional.of(new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getString(5)))
              : Optional.<Row>empty();
        }
      }
    });
    if (row.isEmpty()) {
      return Optional.empty();
    }
    Row r = row.get();
    Optional<Role> role = Role.parse(r.role());
    if (role.isEmpty() || now.isAfter(Instant.ofEpochMilli(r.lastUsed()).plus(IDLE_LIMIT))
        || now.isAfter(Instant.ofEpochMilli(r.created()).plus(ABSOLUTE_LIMIT))) {
      delete(key);
      return Optional.empty();
    }
    if (now.toEpochMilli() - r.lastUsed() >= TOUCH_EVERY.toMillis()) {
      // Waited for (once a minute per session): the next request must see it, or it could
      // find the session idle and end it.
      try {
        store.write(db -> {
          try (PreparedStatement ps = db.prepareStatement(
              "UPDATE web_sessions SET last_used_ms = " + store.dialect().greatest("last_used_ms", "?")
                  + " WHERE id_sha256 = ?")) {
            ps.setLong(1, now.toEpochMilli());
            ps.setString(2, key);
            return ps.executeUpdate();
          }
        }).join();
      } catch (RuntimeException e) {
        log.warn("Session use not recorded: {}", e.getMessage());
      }
    }
    return Optional.of(new Session(id, new User(r.username(), role.get()), r.csrf()));
  }

  /** Logs a session out. */
  public void end(String id) {
    if (id != null && id.length() == 43) {
      delete(sha256(id));
    }
  }

  private void delete(String key) {
    store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM web_sessions WHERE id_sha256 = ?")) {
        ps.setString(1, key);
        return ps.executeUpdate();
      }
    }).join();
  }

  /**
   * Ends every session of a user (password reset, role change, removal), also in a controller
   * running in another process: its next request with such a session finds none.
   *
   * @return how many sessions ended
   */
  public static int endAllOf(Storage store, String username) {
    requireNonNull(store, "store");
    requireNonNull(username, "username");
    return store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM web_sessions WHERE username = ?")) {
        ps.setString(1, username);
        return ps.executeUpdate();
      }
    }).join();
  }

  private String token() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String sha256(String id) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JDK", e);
    }
  }
}
