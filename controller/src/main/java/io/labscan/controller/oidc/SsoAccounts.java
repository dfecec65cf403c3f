package io.labscan.controller.oidc;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Role;
import io.labscan.controller.account.Sessions;
import io.labscan.controller.account.User;
import io.labscan.controller.store.Storage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns an identity the provider vouched for into a LabScan user (tables {@code user_identities}
 * and {@code sso_provisioned}).
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>A user is found by the provider's {@code (issuer, sub)}, never by name: a person renamed at
 *       the provider stays the same LabScan user.</li>
 *   <li>At the first login of an identity, an account an admin prepared for single sign-on
 *       ({@code user add --sso}, no password, not yet tied) is claimed when it was prepared for
 *       this identity's subject ({@code --subject}) or for its e-mail address <em>and</em> the
 *       provider says it verified that address ({@code --email}, {@code email_verified: true}).
 *       An account prepared by name only is claimed by a subject or a verified e-mail equal to
 *       its name. The provider's {@code preferred_username} never claims an account: at many
 *       providers people choose it themselves.</li>
 *   <li>Otherwise a user of its {@code preferred_username} is created when the role claim maps to
 *       a role. A name already taken is refused: a <em>local</em> account (one with a password,
 *       such as the break-glass admin) is never taken over, nor is a user tied to another
 *       identity, nor an account prepared for someone else.</li>
 *   <li>At every login, a role claim that maps to a role sets the user's role and labs (the
 *       provider's groups are the source of truth) and marks the role as coming from the claim.
 *       A claim that maps to nothing keeps the role an admin assigned ({@code user set-role},
 *       which clears the mark); but when the role came from the claim, the login is refused
 *       (and the user's open sessions end): someone who left every mapped group must not keep
 *       the access those groups gave. A first login that maps to nothing is refused: the user
 *       would have no role.</li>
 *   <li>The last admin is never demoted by a login: a login whose groups no longer give admin to the
 *       last admin is refused (the database unchanged, open sessions ended).</li>
 * </ol>
 */
public final class SsoAccounts {
  private final Storage store;
  private final Accounts accounts;
  private final Clock clock;

  public SsoAccounts(Storage store, Accounts accounts, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.accounts = requireNonNull(accounts, "accounts");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * A role a login changed: from what to what (as {@code user list} shows roles, {@code none}
   * for a user created by this login) and the values of the role claim that mapped to it.
   */
  public record RoleChange(String from, String to, List<String> claimValues) {
    public RoleChange {
      requireNonNull(from, "from");
      requireNonNull(to, "to");
      claimValues = List.copyOf(claimValues);
    }
  }

  /** The user a login acts as, how its role came about (for the audit log), and the role change it made. */
  public record Admission(User user, boolean created, String roleSource, Optional<RoleChange> roleChange) {
    public Admission {
      requireNonNull(user, "user");
      requireNonNull(roleSource, "roleSource");
      requireNonNull(roleChange, "roleChange");
    }
  }

  /** The provider identity a user is tied to. */
  public record Link(String issuer, String subject) {}

  /** A login refused for a reason the person can be told (no secrets in the message). */
  public static final class RefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    public RefusedException(String message) {
      super(message);
    }
  }

  /**
   * Prepares an account for single sign-on (no password): the first login whose subject is
   * {@code subject}, or whose verified e-mail is {@code email}, claims it. With neither, the
   * account is claimed by a subject or verified e-mail equal to its name.
   *
   * @return false when the name is taken (nothing changed)
   * @throws IllegalArgumentException for a bad name, labs, subject or e-mail
   */
  public boolean prepare(String username, Role role, Set<String> labs, Optional<String> subject, Optional<String> email) {
    requireNonNull(subject, "subject");
    requireNonNull(email, "email");
    subject.ifPresent(SsoAccounts::checkSubject);
    email.ifPresent(SsoAccounts::checkEmail);
    if (!accounts.createExternal(username, role, labs)) {
      return false;
    }
    if (subject.isPresent() || email.isPresent()) {
      long now = clock.instant().toEpochMilli();
      store.write(db -> {
        try (PreparedStatement ps = db.prepareStatement(
            "INSERT INTO sso_provisioned(username, subject, email, created_ms) VALUES (?,?,?,?)")) {
          ps.setString(1, username);
          ps.setString(2, subject.orElse(null));
          ps.setString(3, email.map(e -> e.toLowerCase(Locale.ROOT)).orElse(null));
          ps.setLong(4, now);
          return ps.executeUpdate();
        }
      }).join();
    }
    return true;
  }

  static void checkSubject(String subject) {
    if (subject.isEmpty() || subject.length() > 255 || !subject.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("--subject must be the provider's 'sub' claim: 1-255 printable ASCII "
          + "characters without spaces");
    }
  }

  static void checkEmail(String email) {
    if (email.length() > 254 || !email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
      throw new IllegalArgumentException("--email '" + printable(email) + "' is not an e-mail address");
    }
  }

  /**
   * Admits the identity issued by {@code issuer}, creating or updating its user as described in
   * the class comment.
   *
   * @throws RefusedException when the identity may not log in (the message says why)
   */
  public Admission admit(String issuer, OidcIdentity identity, RoleMapping mapping) throws RefusedException {
    requireNonNull(issuer, "issuer");
    requireNonNull(identity, "identity");
    requireNonNull(mapping, "mapping");
    Optional<RoleMapping.Grant> grant = mapping.grantFor(identity.groups());
    Optional<String> linked = linkedUser(issuer, identity.subject());
    String username;
    boolean created = false;
    boolean tiedNow = false;
    @org.jspecify.annotations.Nullable User before = null;
    if (linked.isPresent() && accounts.find(linked.get()).isPresent()) {
      username = linked.get();
      if (accounts.hasLocalPassword(username)) {
        // An admin gave the account a local password: it is a local account now.
        throw new RefusedException("the LabScan account '" + printable(username)
            + "' has a local password now; log in with it, or ask an admin to remove and re-create it");
      }
    } else {
      linked.ifPresent(stale -> unlink(issuer, identity.subject()));
      Optional<String> prepared = preparedFor(identity);
      if (prepared.isPresent()) {
        // An account an admin prepared for this subject or verified e-mail.
        username = prepared.get();
      } else {
        username = identity.username();
        if (!Accounts.USERNAME.matcher(username).matches()) {
          throw new RefusedException("the identity provider's user name '" + printable(username)
              + "' is not a valid LabScan user name (letters, digits, '.', '_', '@', '-'; at most 64)");
        }
        Optional<User> existing = accounts.find(username);
        if (existing.isPresent()) {
          if (accounts.hasLocalPassword(username)) {
            throw new RefusedException("a local LabScan account named '" + username + "' exists; single sign-on "
                + "never logs in as a local account. Log in with its password, or ask an admin to rename one of them");
          }
          if (identityOf(username).isPresent()) {
            throw new RefusedException("the LabScan user '" + username + "' belongs to another single sign-on identity");
          }
          throw new RefusedException("the LabScan user '" + username + "' was prepared by an admin for single sign-on "
              + "and is claimed only by the provider subject or verified e-mail it was prepared for, not by the user "
              + "name; ask the admin to prepare it with user add --sso --subject/--email");
        }
        if (grant.isEmpty()) {
          throw new RefusedException("your groups at the identity provider (" + describe(identity.groups())
              + ") map to no LabScan role; ask a LabScan admin to map one of them (--oidc-role-map)");
        }
        Role role = role(grant.get());
        try {
          created = accounts.createExternal(username, role, grant.get().labs());
        } catch (IllegalArgumentException e) {
          throw new RefusedException("cannot create the LabScan user '" + username + "': " + e.getMessage());
        }
        if (!created) {
          throw new RefusedException("the LabScan user name '" + username + "' was taken at the same moment; try again");
        }
      }
      if (!link(username, issuer, identity.subject())) {
        throw new RefusedException("the LabScan user '" + username + "' was tied to another identity at the same moment");
      }
      tiedNow = true;
    }
    if (!created) {
      before = accounts.find(username).orElseThrow(() -> new RefusedException("the user was removed meanwhile"));
    }
    String source;
    Optional<RoleChange> change = Optional.empty();
    List<String> claimValues = mapping.mapped(identity.groups());
    if (grant.isPresent()) {
      Role role = role(grant.get());
      String granted = role.id() + rolesLabs(grant.get().labs());
      try {
        accounts.setRoleFromProvider(username, role, grant.get().labs());
        source = "role " + granted + " from the identity provider's groups";
        if (before == null) {
          change = Optional.of(new RoleChange("none", describe(role, grant.get().labs()), claimValues));
        } else if (before.role() != role || !before.labs().equals(grant.get().labs())) {
          change = Optional.of(new RoleChange(describe(before.role(), before.labs()), describe(role, grant.get().labs()),
              claimValues));
        }
      } catch (IllegalArgumentException e) {
        if (before != null) {
          // The groups now give less than admin, but a login never leaves LabScan without an admin
          // (red-team #18, round 3, finding 5): keeping the admin role would give more access to
          // someone in more groups than to someone in none (who is refused). So refuse the login,
          // leave the database as it is, and end the open sessions; another admin (or `user
          // set-role` on the controller) decides.
          int ended = Sessions.endAllOf(store, username);
          throw new RefusedException("your groups at the identity provider (" + describe(identity.groups())
              + ") now map to " + granted + ", but you are LabScan's last admin and a login never demotes"
              + " the last admin: " + e.getMessage() + "; ask for the admin group back, or make another"
              + " user admin first (user set-role)" + (ended > 0 ? ". Your open LabScan sessions have ended" : ""));
        }
        source = "role ? kept: " + e.getMessage();
      }
    } else if (before != null && !tiedNow && roleFromClaim(username)) {
      int ended = Sessions.endAllOf(store, username);
      throw new RefusedException("your groups at the identity provider (" + describe(identity.groups())
          + ") no longer map to a LabScan role, and your role " + describe(before.role(), before.labs())
          + " came from them; ask a LabScan admin for a role (--oidc-role-map, or user set-role)"
          + (ended > 0 ? ". Your open LabScan sessions have ended" : ""));
    } else {
      source = "no group maps to a role; the role an admin assigned is kept";
    }
    User user = accounts.find(username).orElseThrow(() -> new RefusedException("the user was removed meanwhile"));
    touch(issuer, identity.subject());
    rememberEmail(username, identity);
    accounts.recordExternalLogin(username);
    return new Admission(user, created, source, change);
  }

  /**
   * Keeps the e-mail address this login's provider verified as the user's own ({@link
   * #verifiedEmails}), or forgets it when this login has none verified (the provider's word
   * holds as of the last login).
   *
   * <p>Where: {@code sso_provisioned.email} of the user's row (no new column, no migration). That
   * table's rows matter for claiming only while an account is untied ({@link #preparedFor}),
   * and a tie lasts as long as the account, so after the first login the row is free to hold the
   * address; its {@code subject} is set to the tied subject, which marks the address as the
   * provider's (an address an admin typed for {@code user add --sso --email} is not verified).
   */
  private void rememberEmail(String username, OidcIdentity identity) {
    Optional<String> email = identity.verifiedEmail().map(e -> e.strip().toLowerCase(Locale.ROOT))
        .filter(SsoAccounts::isEmail);
    long now = clock.instant().toEpochMilli();
    store.write(db -> {
      if (email.isPresent()) {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO sso_provisioned(username, subject, email, created_ms) "
            + "VALUES (?,?,?,?) ON CONFLICT (username) DO UPDATE SET subject = excluded.subject, email = excluded.email")) {
          ps.setString(1, username);
          ps.setString(2, identity.subject());
          ps.setString(3, email.get());
          ps.setLong(4, now);
          return ps.executeUpdate();
        }
      }
      try (PreparedStatement ps = db.prepareStatement(
          "UPDATE sso_provisioned SET subject = ?, email = NULL WHERE username = ?")) {
        ps.setString(1, identity.subject());
        ps.setString(2, username);
        return ps.executeUpdate();
      }
    }).join();
  }

  private static boolean isEmail(String email) {
    try {
      checkEmail(email);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The users' own addresses that their identity provider verified at their last single sign-on
   * login ({@code email} with {@code email_verified: true}): a report subscription to that
   * address needs no confirmation mail. Local accounts (and a single sign-on account an admin
   * since gave a local password) have none.
   */
  public static io.labscan.controller.report.VerifiedEmails verifiedEmails(Storage store) {
    requireNonNull(store, "store");
    return username -> store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT p.email FROM sso_provisioned p "
          + "JOIN user_identities i ON i.username = p.username AND i.subject = p.subject "
          + "JOIN users u ON u.username = p.username "
          + "WHERE p.username = ? AND p.email IS NOT NULL AND u.password_hash NOT LIKE '$2%'")) {
        ps.setString(1, username);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
        }
      }
    });
  }

  /**
   * The prepared, untied account this identity may claim: one prepared for its subject (first)
   * or for its verified e-mail; else one prepared by name only whose name is the subject or the
   * verified e-mail.
   */
  private Optional<String> preparedFor(OidcIdentity identity) {
    Optional<String> email = identity.verifiedEmail().map(e -> e.toLowerCase(Locale.ROOT));
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT p.username FROM sso_provisioned p "
          + "JOIN users u ON u.username = p.username "
          + "WHERE (p.subject = ? OR (? = 1 AND p.email = ?)) "
          + "AND u.password_hash NOT LIKE '$2%' "
          + "AND NOT EXISTS (SELECT 1 FROM user_identities i WHERE i.username = p.username) "
          + "ORDER BY CASE WHEN p.subject = ? THEN 0 ELSE 1 END, p.username LIMIT 1")) {
        ps.setString(1, identity.subject());
        ps.setInt(2, email.isPresent() ? 1 : 0);
        ps.setString(3, email.orElse(""));
        ps.setString(4, identity.subject());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return Optional.of(rs.getString(1));
          }
        }
      }
      try (PreparedStatement ps = db.prepareStatement("SELECT u.username FROM users u "
          + "WHERE (u.username = ? OR (? = 1 AND LOWER(u.username) = ?)) "
          + "AND u.password_hash NOT LIKE '$2%' "
          + "AND NOT EXISTS (SELECT 1 FROM user_identities i WHERE i.username = u.username) "
          + "AND NOT EXISTS (SELECT 1 FROM sso_provisioned p WHERE p.username = u.username) "
          + "ORDER BY CASE WHEN u.username = ? THEN 0 ELSE 1 END, u.username LIMIT 1")) {
        ps.setString(1, identity.subject());
        ps.setInt(2, email.isPresent() ? 1 : 0);
        ps.setString(3, email.orElse(""));
        ps.setString(4, identity.subject());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
        }
      }
    });
  }

  /** True when the user's role was last set by the provider's groups at a login (not by an admin). */
  boolean roleFromClaim(String username) {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT role_from_claim FROM user_identities WHERE username = ?")) {
        ps.setString(1, username);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() && rs.getInt(1) == 1;
        }
      }
    });
  }

  private static String describe(Role role, Set<String> labs) {
    return role.id() + (labs.isEmpty() ? "" : " of " + String.join(", ", new java.util.TreeSet<>(labs)));
  }

  /** The {@code (issuer, subject)} a user is tied to, if any. */
  public Optional<Link> identityOf(String username) {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT issuer, subject FROM user_identities WHERE username = ?")) {
        ps.setString(1, username);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(new Link(rs.getString(1), rs.getString(2))) : Optional.<Link>empty();
        }
      }
    });
  }

  private Optional<String> linkedUser(String issuer, String subject) {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT username FROM user_identities WHERE issuer = ? AND subject = ?")) {
        ps.setString(1, issuer);
        ps.setString(2, subject);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
        }
      }
    });
  }

  /** Ties the user to the identity; false when either is tied already. */
  private boolean link(String username, String issuer, String subject) {
    long now = clock.instant().toEpochMilli();
    return store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO user_identities(username, issuer, subject, created_ms) "
          + "VALUES (?,?,?,?) ON CONFLICT DO NOTHING")) {
        ps.setString(1, username);
        ps.setString(2, issuer);
        ps.setString(3, subject);
        ps.setLong(4, now);
        return ps.executeUpdate() == 1;
      }
    }).join();
  }

  private void unlink(String issuer, String subject) {
    store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM user_identities WHERE issuer = ? AND subject = ?")) {
        ps.setString(1, issuer);
        ps.setString(2, subject);
        return ps.executeUpdate();
      }
    }).join();
  }

  private void touch(String issuer, String subject) {
    long now = clock.instant().toEpochMilli();
    store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "UPDATE user_identities SET last_login_ms = ? WHERE issuer = ? AND subject = ?")) {
        ps.setLong(1, now);
        ps.setString(2, issuer);
        ps.setString(3, subject);
        return ps.executeUpdate();
      }
    });
  }

  private static Role role(RoleMapping.Grant grant) throws RefusedException {
    return Role.parse(grant.role()).orElseThrow(() -> new RefusedException("unknown role " + grant.role()));
  }

  private static String rolesLabs(Set<String> labs) {
    return labs.isEmpty() ? "" : " (labs " + String.join(", ", labs) + ")";
  }

  private static String describe(java.util.List<String> groups) {
    if (groups.isEmpty()) {
      return "none";
    }
    String text = groups.stream().limit(10).map(SsoAccounts::printable).collect(Collectors.joining(", "));
    return groups.size() > 10 ? text + ", ..." : text;
  }

  private static String printable(String text) {
    String t = text.replaceAll("[^\\x20-\\x7e]", "?");
    return t.length() > 80 ? t.substring(0, 80) + "..." : t;
  }
}
