package io.labscan.controller.account;

import static java.util.Objects.requireNonNull;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.labscan.controller.store.SqliteStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Web UI accounts: bcrypt password hashes in the {@code users} table, the first admin
 * generated at first start, and password checks that take the same time whether or not the
 * user exists.
 */
public final class Accounts {
  /** bcrypt cost of new hashes (2^12 rounds: about a quarter second on a lab server). */
  public static final int DEFAULT_COST = 12;
  /** Name of the account created at first start. */
  public static final String FIRST_ADMIN = "admin";
  public static final int MIN_PASSWORD_LENGTH = 12;
  /** bcrypt reads at most 72 bytes: longer passwords are refused rather than silently cut. */
  public static final int MAX_PASSWORD_BYTES = 72;
  public static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  private static final char[] PASSWORD_ALPHABET =
      "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();

  private final SqliteStore store;
  private final UserRepository users;
  private final int cost;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final String dummyHash;

  public Accounts(SqliteStore store, int cost, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.users = new UserRepository(store);
    if (cost < 4 || cost > 31) {
      throw new IllegalArgumentException("bcrypt cost " + cost + " is not between 4 and 31");
    }
    this.cost = cost;
    this.clock = requireNonNull(clock, "clock");
    this.dummyHash = hash(generatePassword());
  }

  /**
   * Creates the first admin when there are no users at all.
   *
   * @return the generated password, to be shown once; empty when users already exist
   */
  public Optional<String> createFirstAdminIfNone() {
    if (users.count() > 0) {
      return Optional.empty();
    }
    String password = generatePassword();
    boolean added = users.add(new User(FIRST_ADMIN, Role.ADMIN), hash(password), clock.instant());
    return added ? Optional.of(password) : Optional.empty();
  }

  /**
   * Adds a user, or replaces the password and role of an existing one when {@code replace}.
   *
   * @throws IllegalArgumentException for a bad name or password, or an existing user without replace
   */
  public void add(String username, Role role, String password, boolean replace) {
    requireNonNull(role, "role");
    checkUsername(username);
    checkPassword(password);
    User user = new User(username, role);
    String hash = hash(password);
    if (users.add(user, hash, clock.instant())) {
      return;
    }
    if (!replace || !users.update(user, hash)) {
      throw new IllegalArgumentException("user '" + username + "' exists already (use --replace to reset it)");
    }
    // A reset password must lock out whoever used the old one, at once.
    Sessions.endAllOf(store, username);
  }

  /**
   * Removes a user and ends their sessions (also in a controller running in another process).
   *
   * @return false when there is no such user
   */
  public boolean remove(String username) {
    requireNonNull(username, "username");
    Optional<UserRepository.Stored> user = users.find(username);
    if (user.isPresent() && user.get().user().role() == Role.ADMIN
        && users.list().stream().filter(u -> u.role() == Role.ADMIN).count() == 1) {
      throw new IllegalArgumentException("'" + username + "' is the last admin; add another admin first");
    }
    boolean removed = users.remove(username);
    Sessions.endAllOf(store, username);
    return removed;
  }

  /** The user, when the password is right. Runs one bcrypt check either way. */
  public Optional<User> authenticate(String username, String password) {
    if (username == null || password == null || !USERNAME.matcher(username).matches()
        || password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      verify(password == null ? "" : "x", dummyHash);
      return Optional.empty();
    }
    Optional<UserRepository.Stored> stored = users.find(username);
    boolean ok = verify(password, stored.map(UserRepository.Stored::passwordHash).orElse(dummyHash));
    if (ok && stored.isPresent()) {
      users.recordLogin(username, clock.instant());
      return Optional.of(stored.get().user());
    }
    return Optional.empty();
  }

  public List<User> list() {
    return users.list();
  }

  static void checkUsername(String username) {
    if (username == null || !USERNAME.matcher(username).matches()) {
      throw new IllegalArgumentException("user name must be 1-64 letters, digits, '.', '_', '@' or '-', "
          + "starting with a letter or digit");
    }
  }

  static void checkPassword(String password) {
    if (password == null || password.codePointCount(0, password.length()) < MIN_PASSWORD_LENGTH) {
      throw new IllegalArgumentException("password must have at least " + MIN_PASSWORD_LENGTH + " characters");
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      throw new IllegalArgumentException("password must be at most " + MAX_PASSWORD_BYTES + " bytes (bcrypt limit)");
    }
  }

  private String hash(String password) {
    return BCrypt.withDefaults().hashToString(cost, password.toCharArray());
  }

  private static boolean verify(String password, String hash) {
    try {
      return BCrypt.verifyer().verify(password.toCharArray(), hash.toCharArray()).verified;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private String generatePassword() {
    StringBuilder sb = new StringBuilder(20);
    for (int i = 0; i < 20; i++) {
      sb.append(PASSWORD_ALPHABET[random.nextInt(PASSWORD_ALPHABET.length)]);
    }
    return sb.toString();
  }
}
