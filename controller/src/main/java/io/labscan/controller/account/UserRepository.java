package io.labscan.controller.account;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Storage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The {@code users} table. */
final class UserRepository {
  private final Storage store;

  UserRepository(Storage store) {
    this.store = requireNonNull(store, "store");
  }

  /** A stored user and the bcrypt hash of the password. */
  record Stored(User user, String passwordHash) {}

  Optional<Stored> find(String username) {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT username, role, password_hash FROM users WHERE username = ?")) {
        ps.setString(1, username);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          String hash = rs.getString(3);
          Set<String> labs = labs(db, username);
          return Role.parse(rs.getString(2)).map(r -> new Stored(new User(username, r, labs), hash));
        }
      }
    });
  }

  /** The labs of a lab manager (empty for other roles). */
  Set<String> labs(String username) {
    return store.read(db -> labs(db, username));
  }

  private static Set<String> labs(java.sql.Connection db, String username) throws java.sql.SQLException {
    Set<String> out = new TreeSet<>();
    try (PreparedStatement ps = db.prepareStatement("SELECT lab FROM user_labs WHERE username = ?")) {
      ps.setString(1, username);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static void writeLabs(java.sql.Connection db, User user) throws java.sql.SQLException {
    try (PreparedStatement ps = db.prepareStatement("DELETE FROM user_labs WHERE username = ?")) {
      ps.setString(1, user.username());
      ps.executeUpdate();
    }
    try (PreparedStatement ps = db.prepareStatement("INSERT INTO user_labs(username, lab) VALUES (?,?)")) {
      for (String lab : user.labs()) {
        ps.setString(1, user.username());
        ps.setString(2, lab);
        ps.executeUpdate();
      }
    }
  }

  /** Changes a user's role and labs, keeping the password; false when there is no such user. */
  boolean updateRole(User user) {
    return updateRole(user, false);
  }

  /**
   * Sets a user's role and labs and, in the same transaction, where the role came from for a
   * single sign-on user ({@code user_identities.role_from_claim}): true when the provider's
   * groups set it at a login, false when an admin did.
   */
  boolean updateRole(User user, boolean fromProviderClaim) {
    return store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("UPDATE users SET role = ? WHERE username = ?")) {
        ps.setString(1, user.role().id());
        ps.setString(2, user.username());
        if (ps.executeUpdate() == 0) {
          return false;
        }
      }
      writeLabs(db, user);
      try (PreparedStatement ps = db.prepareStatement(
          "UPDATE user_identities SET role_from_claim = ? WHERE username = ?")) {
        ps.setInt(1, fromProviderClaim ? 1 : 0);
        ps.setString(2, user.username());
        ps.executeUpdate();
      }
      return true;
    }).join();
  }

  List<User> list() {
    return store.read(db -> {
      List<User> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement("SELECT username, role FROM users ORDER BY username");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          Set<String> labs = labs(db, name);
          Role.parse(rs.getString(2)).ifPresent(r -> out.add(new User(name, r, labs)));
        }
      }
      return out;
    });
  }

  /** Adds a user; false when the name is taken. */
  boolean add(User user, String passwordHash, Instant at) {
    return store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO users(username, password_hash, role, created_ms) VALUES (?,?,?,?) "
              + "ON CONFLICT(username) DO NOTHING")) {
        ps.setString(1, user.username());
        ps.setString(2, passwordHash);
        ps.setString(3, user.role().id());
        ps.setLong(4, at.toEpochMilli());
        if (ps.executeUpdate() == 0) {
          return false;
        }
      }
      writeLabs(db, user);
      return true;
    }).join();
  }

  /** Removes a user; false when there is no such user. */
  boolean remove(String username) {
    return store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM user_labs WHERE username = ?")) {
        ps.setString(1, username);
        ps.executeUpdate();
      }
      // The user's report subscriptions go with it: a later user of the same name (a new person,
      // perhaps with other labs) must not inherit them, nor the old address keep receiving reports.
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM report_deliveries WHERE subscription_id IN "
          + "(SELECT subscription_id FROM report_subscriptions WHERE username = ?)")) {
        ps.setString(1, username);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM report_subscriptions WHERE username = ?")) {
        ps.setString(1, username);
        ps.executeUpdate();
      }
      // A single sign-on identity goes with its user: a later local account of the same name is not it.
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM user_identities WHERE username = ?")) {
        ps.setString(1, username);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM sso_provisioned WHERE username = ?")) {
        ps.setString(1, username);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM users WHERE username = ?")) {
        ps.setString(1, username);
        return ps.executeUpdate() > 0;
      }
    }).join();
  }

  /** Replaces a user's password and role; false when there is no such user. */
  boolean update(User user, String passwordHash) {
    return store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "UPDATE users SET password_hash = ?, role = ? WHERE username = ?")) {
        ps.setString(1, passwordHash);
        ps.setString(2, user.role().id());
        ps.setString(3, user.username());
        if (ps.executeUpdate() == 0) {
          return false;
        }
      }
      writeLabs(db, user);
      return true;
    }).join();
  }

  int count() {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT COUNT(*) FROM users");
          ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    });
  }

  void recordLogin(String username, Instant at) {
    store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("UPDATE users SET last_login_ms = ? WHERE username = ?")) {
        ps.setLong(1, at.toEpochMilli());
        ps.setString(2, username);
        return ps.executeUpdate();
      }
    });
  }
}
