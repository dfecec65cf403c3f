package io.labscan.controller.account;

import static java.util.Objects.requireNonNull;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.labscan.controller.store.Storage;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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

  private final Storage store;
  private final UserRepository users;
  private final int cost;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final String dummyHash;

  public Accounts(Storage store, int cost, Clock clock) {
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
    add(username, role, Set.of(), password, replace);
  }

  /**
   * As {@link #add(String, Role, String, boolean)}, with the labs a lab manager may see (at
   * least one for {@link Role#LAB_MANAGER}, none for the other roles).
   */
  public void add(String username, Role role, Set<String> labs, String password, boolean replace) {
    requireNonNull(role, "role");
    checkUsername(username);
    checkPassword(password);
    User user = new User(username, role, checkLabs(role, labs));
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

  /**
   * Changes a user's role and labs and keeps the password (and the sessions: the role and labs
   * are read at every request, so the change applies at once).
   *
   * @throws IllegalArgumentException for bad labs, an unknown user, or demoting the last admin
   */
  public User setRole(String username, Role role, Set<String> labs) {
    return setRole(username, role, labs, false);
  }

  /**
   * As {@link #setRole}, for a role the identity provider's groups map to at a single sign-on
   * login: the user's tie records that the role came from the claim, so a later login whose
   * groups map to nothing is refused (an admin's {@link #setRole} records the opposite and keeps
   * the role).
   */
  public User setRoleFromProvider(String username, Role role, Set<String> labs) {
    return setRole(username, role, labs, true);
  }

  private User setRole(String username, Role role, Set<String> labs, boolean fromProviderClaim) {
    requireNonNull(username, "username");
    User user = new User(username, requireNonNull(role, "role"), checkLabs(role, labs));
    Optional<UserRepository.Stored> stored = users.find(username);
    if (stored.isEmpty()) {
      throw new IllegalArgumentException("no user '" + username.replaceAll("[^\\x20-\\x7e]", "?") + "'");
    }
    if (stored.get().user().role() == Role.ADMIN && role != Role.ADMIN
        && users.list().stream().filter(u -> u.role() == Role.ADMIN).count() == 1) {
      throw new IllegalArgumentException("'" + username + "' is the last admin; add another admin first");
    }
    if (!users.updateRole(user, fromProviderClaim)) {
      throw new IllegalArgumentException("no user '" + username + "'");
    }
    return user;
  }

  /**
   * Creates or updates a user who logs in elsewhere (single sign-on): no local password (the
   * stored hash matches none), the role and labs the identity provider's claims map to. An
   * existing local user keeps its password.
   */
  public User provisionExternal(String username, Role role, Set<String> labs) {
    checkUsername(username);
    User user = new User(username, requireNonNull(role, "role"), checkLabs(role, labs));
    if (users.add(user, NO_LOCAL_PASSWORD, clock.instant())) {
      return user;
    }
    return setRole(username, role, labs);
  }

  /**
   * Creates a user who logs in elsewhere (single sign-on), without a local password.
   *
   * @return false when the name is taken (by a local or another external user): nothing changed
   * @throws IllegalArgumentException for a bad name or labs
   */
  public boolean createExternal(String username, Role role, Set<String> labs) {
    checkUsername(username);
    User user = new User(username, requireNonNull(role, "role"), checkLabs(role, labs));
    return users.add(user, NO_LOCAL_PASSWORD, clock.instant());
  }

  /** True when the user exists and has a local password (a bcrypt hash), false for none or single sign-on users. */
  public boolean hasLocalPassword(String username) {
    requireNonNull(username, "username");
    return users.find(username).map(UserRepository.Stored::passwordHash).filter(h -> h.startsWith("$2")).isPresent();
  }

  /** Records a login that happened elsewhere (single sign-on) as the user's last login. */
  public void recordExternalLogin(String username) {
    users.recordLogin(requireNonNull(username, "username"), clock.instant());
  }

  /** The stored "hash" of users without a local password: no bcrypt hash, so no password matches. */
  static final String NO_LOCAL_PASSWORD = "!external";

  /** The labs a user may see (empty: every lab, or none for an unknown user). */
  public Set<String> labs(String username) {
    return users.labs(username);
  }

  /** The user as stored now, with role and labs. */
  public Optional<User> find(String username) {
    return users.find(username).map(UserRepository.Stored::user);
  }

  /** Most labs one lab manager or token may be scoped to. */
  public static final int MAX_LABS = 100;

  /** Checks a role's labs: at least one for a lab manager, none for the others; each a valid lab name. */
  public static Set<String> checkLabs(Role role, Set<String> labs) {
    requireNonNull(labs, "labs");
    Set<String> out = new TreeSet<>();
    for (String lab : labs) {
      String l = requireNonNull(lab, "lab").strip();
      io.labscan.controller.fleet.LabRule.checkLab(l);
      out.add(l);
    }
    if (role.labScoped() && out.isEmpty()) {
      throw new IllegalArgumentException("a lab-manager needs at least one lab (--lab LAB)");
    }
    if (!role.labScoped() && !out.isEmpty()) {
      throw new IllegalArgumentException("only a lab-manager is limited to labs; a " + role.id() + " sees every lab");
    }
    if (out.size() > MAX_LABS) {
      throw new IllegalArgumentException("at most " + MAX_LABS + " labs");
    }
    return out;
  }

  /** The user, when the password is right. Runs one bcrypt check either way. */
  public Optional<User> authenticate(String username, String password) {
    if (username == null || password == null || !USERNAME.matcher(username).matches()
        || password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      verify(password == null ? "" : "x", dummyHash);
      return Optional.empty();
    }
    Optional<UserRepository.Stored> stored = users.find(username);
    // Users without a local password (single sign-on) cost one bcrypt check too, and never match.
    Optional<String> hash = stored.map(UserRepository.Stored::passwordHash).filter(h -> h.startsWith("$2"));
    boolean ok = verify(password, hash.orElse(dummyHash));
    if (ok && hash.isPresent()) {
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
