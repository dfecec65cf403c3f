package io.labscan.controller.report;

import java.util.Optional;

/**
 * A user's own e-mail address, when the identity behind the account verified it (an OpenID
 * Connect provider's {@code email} claim with {@code email_verified} true). Reports to that
 * address need no confirmation mail: its owner is the user. Local accounts have none.
 */
@FunctionalInterface
public interface VerifiedEmails {
  /** No account has a verified address (the default until single sign-on supplies one). */
  VerifiedEmails NONE = username -> Optional.empty();

  Optional<String> of(String username);
}
