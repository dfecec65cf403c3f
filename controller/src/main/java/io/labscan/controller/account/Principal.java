package io.labscan.controller.account;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.audit.Actor;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who a request acts for, once authenticated: a logged-in user (session) or an API token, with
 * the role and, for a lab manager, the labs it may see. Every read of the JSON API filters by
 * {@link #sees}; a host outside the scope is answered as if it did not exist (404, so its id is
 * not even confirmed).
 *
 * <p>Built from the store at every request (a role or lab change applies at once), and the
 * same shape whatever the login was (password, API token, and later single sign-on, which
 * provisions a user with a role and labs through {@code Accounts.provisionExternal}).
 */
public record Principal(String name, Role role, Set<String> labs, Optional<String> tokenId) {
  public Principal {
    requireNonNull(name, "name");
    requireNonNull(role, "role");
    labs = Set.copyOf(labs);
    requireNonNull(tokenId, "tokenId");
  }

  /** A logged-in user. */
  public static Principal user(String username, Role role, Set<String> labs) {
    return new Principal(username, role, role.labScoped() ? labs : Set.of(), Optional.empty());
  }

  /** An API token. */
  public static Principal token(String tokenId, String name, Role role, Set<String> labs) {
    return new Principal(name, role, role.labScoped() ? labs : Set.of(), Optional.of(tokenId));
  }

  public boolean isToken() {
    return tokenId.isPresent();
  }

  /** True when this principal may see hosts (and rules, campaigns, trends) of this lab. */
  public boolean sees(String lab) {
    return !role.labScoped() || labs.contains(lab);
  }

  /** True when every lab is visible (admins and viewers). */
  public boolean seesAllLabs() {
    return !role.labScoped();
  }

  /** Who to name in the audit log. */
  public Actor actor() {
    return tokenId.map(id -> Actor.token(id, name)).orElseGet(() -> Actor.user(name));
  }

  /** Who to name where the data model keeps a user name (a campaign's "created by"): tokens as {@code token:NAME}. */
  public String displayName() {
    return isToken() ? "token:" + name : name;
  }

  /** The labs, sorted (for JSON and messages). */
  public Set<String> sortedLabs() {
    return new TreeSet<>(labs);
  }
}
