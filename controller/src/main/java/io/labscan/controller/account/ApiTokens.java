package io.labscan.controller.account;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Storage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Named API tokens for scripts and dashboards (Grafana, a compliance spreadsheet), sent as
 * {@code Authorization: Bearer LST1.<id>.<secret>}.
 *
 * <ul>
 *   <li><b>Shown once, stored hashed.</b> The secret is 32 random bytes (base64url, 43
 *       characters); the store keeps only its SHA-256, which is enough for a secret of 256 bits
 *       of entropy (nothing to brute-force, unlike a password). The presented hash is compared
 *       in constant time ({@link MessageDigest#isEqual}); the id only finds the row.
 *   <li><b>Scoped.</b> Each token has a role ({@code viewer}, {@code lab-manager} with its labs,
 *       or {@code admin}) and an expiry (at most {@link #MAX_VALIDITY}); revoking is final.
 *   <li><b>Never for accounts.</b> The web server refuses tokens on the routes that change users
 *       or tokens (and on the pages); only a logged-in admin creates or revokes tokens.
 *   <li><b>Reads stay reads.</b> The last use is written at most once per {@link #TOUCH_EVERY}
 *       per token, in the background: a scraper polling every 15 s causes one write a minute.
 * </ul>
 */
public final class ApiTokens {
  /** Prefix and format version of a token. */
  public static final String PREFIX = "LST1";
  public static final Duration MAX_VALIDITY = Duration.ofDays(730);
  public static final Duration MIN_VALIDITY = Duration.ofHours(1);
  /** Last use is written at most this often per token. */
  public static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
  /** Tokens that may exist at once (not revoked); bounds the table. */
  public static final int MAX_LIVE_TOKENS = 1000;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}");
  private static final Pattern TOKEN = Pattern.compile(PREFIX + "\\.([0-9a-f]{12})\\.([A-Za-z0-9_-]{43})");

  private final Storage store;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public ApiTokens(Storage store, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
  }

  /** The time by this class's clock (for showing a token's state). */
  public Instant now() {
    return clock.instant();
  }

  /** A token just created: the stored record and the secret token text, to be shown once. */
  public record Created(ApiToken token, String secret) {}

  /**
   * Creates a token.
   *
   * @throws IllegalArgumentException for a bad name, role/labs combination or validity, a name in
   *     use by a live token, or too many live tokens
   */
  public Created create(String name, Role role, Set<String> labs, Duration validFor, String createdBy) {
    requireNonNull(role, "role");
    requireNonNull(createdBy, "createdBy");
    String n = requireNonNull(name, "name").strip();
    if (!NAME.matcher(n).matches()) {
      throw new IllegalArgumentException("name must be 1-64 letters, digits, spaces, '.', '_', '@' or '-', "
          + "starting with a letter or digit");
    }
    Set<String> checkedLabs = Accounts.checkLabs(role, labs);
    if (validFor == null || validFor.compareTo(MIN_VALIDITY) < 0 || validFor.compareTo(MAX_VALIDITY) > 0) {
      throw new IllegalArgumentException("expiry must be between 1 hour and " + MAX_VALIDITY.toDays() + " days");
    }
    byte[] idBytes = new byte[6];
    random.nextBytes(idBytes);
    String id = HexFormat.of().formatHex(idBytes);
    byte[] secretBytes = new byte[32];
    random.nextBytes(secretBytes);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
    Instant now = clock.instant();
    Instant expires = now.plus(validFor);
    String problem = store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT COUNT(*) FROM api_tokens WHERE revoked_ms IS NULL "
          + "AND expires_ms > ?")) {
        ps.setLong(1, now.toEpochMilli());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getLong(1) >= MAX_LIVE_TOKENS) {
            return "there are " + MAX_LIVE_TOKENS + " live tokens already; revoke some first";
          }
        }
      }
      try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM api_tokens WHERE name = ? AND revoked_ms IS NULL")) {
        ps.setString(1, n);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return "a token named '" + n + "' exists already (revoke it first)";
          }
        }
      }
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO api_tokens(token_id, name, secret_sha256, role, "
          + "created_by, created_ms, expires_ms) VALUES (?,?,?,?,?,?,?)")) {
        ps.setString(1, id);
        ps.setString(2, n);
        ps.setString(3, sha256(secret));
        ps.setString(4, role.id());
        ps.setString(5, createdBy);
        ps.setLong(6, now.toEpochMilli());
        ps.setLong(7, expires.toEpochMilli());
        ps.executeUpdate();
      }
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO api_token_labs(token_id, lab) VALUES (?,?)")) {
        for (String lab : checkedLabs) {
          ps.setString(1, id);
          ps.setString(2, lab);
          ps.executeUpdate();
        }
      }
      return "";
    }).join();
    if (!problem.isEmpty()) {
      throw new IllegalArgumentException(problem);
    }
    ApiToken token = new ApiToken(id, n, role, checkedLabs, createdBy, now, expires, Optional.empty(),
        Optional.empty(), Optional.empty());
    return new Created(token, PREFIX + "." + id + "." + secret);
  }

  /** Every token, newest first (revoked and expired ones too: they explain the audit log). */
  public List<ApiToken> list() {
    return store.read(db -> {
      List<ApiToken> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement("SELECT token_id FROM api_tokens ORDER BY created_ms DESC, "
          + "token_id"); ResultSet rs = ps.executeQuery()) {
        List<String> ids = new ArrayList<>();
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
        for (String id : ids) {
          find(db, id).ifPresent(out::add);
        }
      }
      return out;
    });
  }

  public Optional<ApiToken> find(String tokenId) {
    return store.read(db -> find(db, tokenId));
  }

  /**
   * Revokes a token: its next use is refused.
   *
   * @return the token as it is now; empty when there is none with this id or it was revoked already
   */
  public Optional<ApiToken> revoke(String tokenId, String by) {
    requireNonNull(by, "by");
    long now = clock.millis();
    boolean revoked = store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("UPDATE api_tokens SET revoked_ms = ?, revoked_by = ? "
          + "WHERE token_id = ? AND revoked_ms IS NULL")) {
        ps.setLong(1, now);
        ps.setString(2, by);
        ps.setString(3, tokenId);
        return ps.executeUpdate() > 0;
      }
    }).join();
    return revoked ? find(tokenId) : Optional.empty();
  }

  /**
   * The principal a presented token speaks for: it must have the format, exist, match, be
   * neither expired nor revoked. Costs one indexed read (and, at most once a minute, a
   * background write of the last use).
   */
  public Optional<Principal> authenticate(String presented) {
    if (presented == null) {
      return Optional.empty();
    }
    var m = TOKEN.matcher(presented.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    String id = m.group(1);
    record Row(String hash, String name, String role, long expires, boolean revoked, long lastUsed, Set<String> labs) {}
    Optional<Row> row = store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT secret_sha256, name, role, expires_ms, revoked_ms, "
          + "COALESCE(last_used_ms, 0) FROM api_tokens WHERE token_id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.<Row>empty();
          }
          String hash = rs.getString(1);
          String name = rs.getString(2);
          String role = rs.getString(3);
          long expires = rs.getLong(4);
          rs.getLong(5);
          boolean revoked = !rs.wasNull();
          long lastUsed = rs.getLong(6);
          return Optional.of(new Row(hash, name, role, expires, revoked, lastUsed, labs(db, id)));
        }
      }
    });
    byte[] presentedHash = sha256(m.group(2)).getBytes(StandardCharsets.US_ASCII);
    if (row.isEmpty()) {
      return Optional.empty();
    }
    Row r = row.get();
    Instant now = clock.instant();
    Optional<Role> role = Role.parse(r.role());
    if (!MessageDigest.isEqual(r.hash().getBytes(StandardCharsets.US_ASCII), presentedHash) || r.revoked()
        || now.toEpochMilli() >= r.expires() || role.isEmpty()) {
      return Optional.empty();
    }
    if (now.toEpochMilli() - r.lastUsed() >= TOUCH_EVERY.toMillis()) {
      store.write(db -> {
        try (PreparedStatement ps = db.prepareStatement(
            "UPDATE api_tokens SET last_used_ms = " + store.dialect().greatest("COALESCE(last_used_ms, 0)", "?")
                + " WHERE token_id = ?")) {
          ps.setLong(1, now.toEpochMilli());
          ps.setString(2, id);
          return ps.executeUpdate();
        }
      });
    }
    return Optional.of(Principal.token(id, r.name(), role.get(), r.labs()));
  }

  private static Optional<ApiToken> find(Connection db, String tokenId) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement("SELECT name, role, created_by, created_ms, expires_ms, revoked_ms, "
        + "revoked_by, last_used_ms FROM api_tokens WHERE token_id = ?")) {
      ps.setString(1, tokenId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Optional<Role> role = Role.parse(rs.getString(2));
        if (role.isEmpty()) {
          return Optional.empty();
        }
        String name = rs.getString(1);
        String createdBy = rs.getString(3);
        Instant created = Instant.ofEpochMilli(rs.getLong(4));
        Instant expires = Instant.ofEpochMilli(rs.getLong(5));
        long revokedMs = rs.getLong(6);
        Optional<Instant> revoked = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(revokedMs));
        Optional<String> revokedBy = Optional.ofNullable(rs.getString(7));
        long lastMs = rs.getLong(8);
        Optional<Instant> last = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(lastMs));
        return Optional.of(new ApiToken(tokenId, name, role.get(), labs(db, tokenId), createdBy, created, expires,
            revoked, revokedBy, last));
      }
    }
  }

  private static Set<String> labs(Connection db, String tokenId) throws SQLException {
    Set<String> out = new TreeSet<>();
    try (PreparedStatement ps = db.prepareStatement("SELECT lab FROM api_token_labs WHERE token_id = ?")) {
      ps.setString(1, tokenId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /** Parses a validity such as {@code 90d}, {@code 12h} or {@code 2w}. */
  public static Duration parseValidity(String text) {
    String t = requireNonNull(text, "text").strip().toLowerCase(java.util.Locale.ROOT);
    var m = Pattern.compile("(\\d{1,6})([hdw])").matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException("expiry '" + t.replaceAll("[^\\x20-\\x7e]", "?")
          + "' is not like 90d, 12h or 2w");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofDays(7 * n);
    };
  }

  private static String sha256(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(secret.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JDK", e);
    }
  }
}
