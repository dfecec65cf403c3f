package io.labscan.controller.oidc;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * A user the identity provider vouched for: {@code subject} is the provider's stable id, {@code
 * username} the LabScan user name ({@code preferred_username}, else the subject), {@code groups}
 * the values of the configured role claim, {@code email} the {@code email} claim and {@code
 * emailVerified} whether the provider says it checked that the person owns it ({@code
 * email_verified}), {@code idToken} kept as the hint for provider logout.
 *
 * <p>Only the subject and a <em>verified</em> e-mail identify a person to LabScan; the user name
 * is a display and naming convenience (many providers let people choose it).
 */
public record OidcIdentity(String subject, String username, String displayName, List<String> groups, String idToken,
    Optional<String> email, boolean emailVerified) {
  public OidcIdentity {
    requireNonNull(subject, "subject");
    requireNonNull(username, "username");
    requireNonNull(displayName, "displayName");
    groups = List.copyOf(groups);
    requireNonNull(idToken, "idToken");
    requireNonNull(email, "email");
  }

  /** An identity without an e-mail address. */
  public OidcIdentity(String subject, String username, String displayName, List<String> groups, String idToken) {
    this(subject, username, displayName, groups, idToken, Optional.empty(), false);
  }

  /** The e-mail address when the provider verified it. */
  public Optional<String> verifiedEmail() {
    return emailVerified ? email : Optional.empty();
  }
}
