package io.labscan.controller.account;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * A web UI user (without the password hash); {@code labs} are the labs a lab manager may see
 * (empty for viewers and admins, who see every lab).
 */
public record User(String username, Role role, Set<String> labs) {
  public User {
    requireNonNull(username, "username");
    requireNonNull(role, "role");
    labs = Set.copyOf(labs);
  }

  /** A user of a role that sees every lab. */
  public User(String username, Role role) {
    this(username, role, Set.of());
  }
}
