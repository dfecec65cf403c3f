package io.labscan.controller.account;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** A stored API token, without its secret (which is never stored). */
public record ApiToken(String tokenId, String name, Role role, Set<String> labs, String createdBy, Instant created,
    Instant expires, Optional<Instant> revoked, Optional<String> revokedBy, Optional<Instant> lastUsed) {
  public ApiToken {
    labs = Set.copyOf(labs);
  }

  /** "active", "expired" or "revoked" at {@code now}. */
  public String state(Instant now) {
    if (revoked.isPresent()) {
      return "revoked";
    }
    return now.isBefore(expires) ? "active" : "expired";
  }
}
