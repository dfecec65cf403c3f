package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-side sessions, in memory (a controller restart logs everyone out). The cookie holds
 * only a random 256-bit id; each session carries its own CSRF token (synchronizer pattern).
 */
public final class Sessions {
  /** Name of the session cookie. */
  public static final String COOKIE = "labscan_session";
  /** A session ends after this long without a request. */
  public static final Duration IDLE_LIMIT = Duration.ofMinutes(30);
  /** A session ends this long after login, however active. */
  public static final Duration ABSOLUTE_LIMIT = Duration.ofHours(12);
  private static final int MAX_SESSIONS = 10_000;

  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;

  public Sessions(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  /** One logged-in user's session. */
  public static final class Session {
    private final String id;
    private final User user;
    private final String csrfToken;
    private final Instant created;
    private volatile Instant lastUsed;

    private Session(String id, User user, String csrfToken, Instant created) {
      this.id = id;
      this.user = user;
      this.csrfToken = csrfToken;
      this.created = created;
      this.lastUsed = created;
    }

    public String id() {
      return id;
    }

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
    if (sessions.size() >= MAX_SESSIONS) {
      sessions.values().removeIf(s -> expired(s, now));
      if (sessions.size() >= MAX_SESSIONS) {
        throw new IllegalStateException("too many open sessions");
      }
    }
    Session s = new Session(token(), user, token(), now);
    sessions.put(s.id, s);
    return s;
  }

  /** The live session with this id, refreshing its idle timer. */
  public Optional<Session> find(String id) {
    if (id == null || id.length() != 43) {
      return Optional.empty();
    }
    Session s = sessions.get(id);
    if (s == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (expired(s, now)) {
      sessions.remove(id, s);
      return Optional.empty();
    }
    s.lastUsed = now;
    return Optional.of(s);
  }

  public void end(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  private static boolean expired(Session s, Instant now) {
    return now.isAfter(s.lastUsed.plus(IDLE_LIMIT)) || now.isAfter(s.created.plus(ABSOLUTE_LIMIT));
  }

  private String token() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
