package io.labscan.controller.oidc;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Role;
import io.labscan.controller.account.User;
import io.labscan.controller.store.Storage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns an identity the provider vouched for into a LabScan user (table {@code user_identities}).
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>A user is found by the provider's {@code (issuer, sub)}, never by name: a person renamed at
 *       the provider stays the same LabScan user.</li>
 *   <li>At the first login of an identity, a user of its {@code preferred_username} is created
 *       when the role claim maps to a role. A name already taken is refused: a <em>local</em>
 *       account (one with a password, such as the break-glass admin) is never taken over by an
 *       identity of the same name, nor is a user tied to another identity. The one exception is
 *       an account an admin created for single sign-on without any password and not yet tied to
 *       an identity, which the first login of that name claims.</li>
 *   <li>At every login, a role claim that maps to a role sets the user's role and labs (the
 *       provider's groups are the source of truth); a claim that maps to nothing keeps the role
 *       the user has (so an admin can assign roles by hand: {@code user role}). A first login that
 *       maps to nothing is refused: the user would have no role.</li>
 *   <li>The last admin is never demoted by a login (the role is kept and the reason returned).</li>
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

  /** The user a login acts as, and how its role came about (for the audit log). */
  public record Admission(User user, boolean created, String roleSource) {
    public Admission {
      requireNonNull(user, "user");
      requireNonNull(roleSource, "roleSource");
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
    if (linked.isPresent() && accounts.find(linked.get()).isPresent()) {
      username = linked.get();
      if (accounts.hasLocalPassword(username)) {
        // An admin gave the account a local password: it is a local account now.
        throw new RefusedException("the LabScan account '" + printable(username)
            + "' has a local password now; log in with it, or ask an admin to remove and re-create it");
      }
    } else {
      linked.ifPresent(stale -> unlink(issuer, identity.subject()));
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
        // An account an admin prepared for single sign-on: claimed by the first login of its name.
      } else {
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
    }
    String source;
    if (grant.isPresent()) {
      Role role = role(grant.get());
      User current = accounts.find(username).orElseThrow(() -> new RefusedException("the user was removed meanwhile"));
      if (current.role() != role || !current.labs().equals(grant.get().labs())) {
        try {
          accounts.setRole(username, role, grant.get().labs());
          source = "role " + role.id() + rolesLabs(grant.get().labs()) + " from the identity provider's groups";
        } catch (IllegalArgumentException e) {
          source = "role " + current.role().id() + " kept: " + e.getMessage();
        }
      } else {
        source = "role " + role.id() + rolesLabs(grant.get().labs()) + " from the identity provider's groups";
      }
    } else {
      source = "no group maps to a role; the role an admin assigned is kept";
    }
    User user = accounts.find(username).orElseThrow(() -> new RefusedException("the user was removed meanwhile"));
    touch(issuer, identity.subject());
    accounts.recordExternalLogin(username);
    return new Admission(user, created, source);
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
