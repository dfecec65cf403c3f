package io.labscan.controller.account;

import static java.util.Objects.requireNonNull;

/** A web UI user (without the password hash). */
public record User(String username, Role role) {
  public User {
    requireNonNull(username, "username");
    requireNonNull(role, "role");
  }
}
