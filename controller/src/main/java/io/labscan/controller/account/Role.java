package io.labscan.controller.account;

import io.javalin.security.RouteRole;
import java.util.Locale;
import java.util.Optional;

/** What a web UI user may do. An admin may do everything a viewer may. */
public enum Role implements RouteRole {
  /** Lab managers: read every page and the JSON API. */
  VIEWER,
  /** IT staff: also triage complaints, run campaigns, edit lab rules. */
  ADMIN;

  /** True when a user with this role may use an endpoint that requires {@code required}. */
  public boolean covers(Role required) {
    return this == ADMIN || required == VIEWER;
  }

  /** The lower-case name stored in the database and shown in the API. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "viewer" -> Optional.of(VIEWER);
      case "admin" -> Optional.of(ADMIN);
      default -> Optional.empty();
    };
  }
}
