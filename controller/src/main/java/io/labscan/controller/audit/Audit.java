package io.labscan.controller.audit;

/**
 * Where every feature reports what it changed or showed: logins, users, tokens, policy, rule
 * sets, lab rules, campaigns, triage, revocations, enrolment tokens, imports, and sensitive
 * reads (exports, the audit log itself). One call per event; the implementation
 * ({@link AuditLog}) appends it to the {@code audit_log} table, which nothing in LabScan
 * updates or deletes except the retention prune.
 *
 * <p>Recording is part of the action: when it fails the caller's action fails too (better an
 * error than a change nobody can account for). Texts are bounded and control characters
 * escaped by the log, so callers may pass what a client sent.
 */
@FunctionalInterface
public interface Audit {
  /**
   * Records one event.
   *
   * @param actor who: a web user, an API token, the operating-system user of a CLI command
   * @param action what, as a dotted verb ({@code login.failed}, {@code token.create}: see {@link Actions})
   * @param target what it was done to (a user name, a host id, a lab, a campaign id); "" for none
   * @param detail anything else worth keeping (the role given, the file imported); "" for none
   * @param source from where: the client address (after the trusted-proxy rule) or the command line
   */
  void record(Actor actor, String action, String target, String detail, Source source);

  /** An audit that keeps nothing (tests of other features, tools without a database). */
  static Audit none() {
    return (actor, action, target, detail, source) -> { };
  }
}
