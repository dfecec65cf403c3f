package io.labscan.controller.account;

import io.javalin.security.RouteRole;
import java.util.Locale;
import java.util.Optional;

/**
 * What a web UI user (or API token) may do. An admin may do everything; a viewer reads every
 * lab; a lab manager reads only the labs it is scoped to ({@link io.labscan.controller.account.Principal})
 * and may start scan campaigns for them.
 *
 * <p>As a route role: {@link #VIEWER} marks reads (open to every role, filtered by lab scope),
 * {@link #LAB_MANAGER} marks campaign changes (lab managers, within their labs, and admins),
 * {@link #ADMIN} everything else that changes state or shows fleet-wide evidence.
 */
public enum Role implements RouteRole {
  /** Reads every page and the JSON API, all labs. */
  VIEWER,
  /** IT staff: also triage complaints, run campaigns, edit lab rules. */
  ADMIN,
  /** A lab manager: reads its labs only, starts campaigns for them; never triage. */
  LAB_MANAGER;

  /** True when a user with this role may use an endpoint that requires {@code required}. */
  public boolean covers(Role required) {
    return switch (this) {
      case ADMIN -> true;
      case LAB_MANAGER -> required == VIEWER || required == LAB_MANAGER;
      case VIEWER -> required == VIEWER;
    };
  }

  /** True for roles limited to a set of labs. */
  public boolean labScoped() {
    return this == LAB_MANAGER;
  }

  /** The lower-case name stored in the database and shown in the API ({@code lab-manager}). */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Optional<Role> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "viewer" -> Optional.of(VIEWER);
      case "admin" -> Optional.of(ADMIN);
      case "lab-manager", "lab_manager", "labmanager" -> Optional.of(LAB_MANAGER);
      default -> Optional.empty();
    };
  }
}
