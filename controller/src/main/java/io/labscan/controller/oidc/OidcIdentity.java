package io.labscan.controller.oidc;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A user the identity provider vouched for: {@code subject} is the provider's stable id, {@code
 * username} the LabScan user name ({@code preferred_username}, else the subject), {@code groups}
 * the values of the configured role claim, {@code idToken} kept as the hint for provider logout.
 */
public record OidcIdentity(String subject, String username, String displayName, List<String> groups, String idToken) {
  public OidcIdentity {
    requireNonNull(subject, "subject");
    requireNonNull(username, "username");
    requireNonNull(displayName, "displayName");
    groups = List.copyOf(groups);
    requireNonNull(idToken, "idToken");
  }
}
