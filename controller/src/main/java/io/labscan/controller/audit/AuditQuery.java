package io.labscan.controller.audit;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A filter over the audit log: {@code actor} a case-insensitive part of who, {@code action} an
 * action name or its prefix up to a dot ({@code login} finds {@code login} and
 * {@code login.failed}), a time range [from, to), newest first, at most {@code limit} entries.
 */
public record AuditQuery(Optional<String> actor, Optional<String> action, Optional<Instant> from,
    Optional<Instant> to, int limit) {
  /** Most entries one query returns (the CSV export included): bounds one request's work. */
  public static final int MAX_LIMIT = 100_000;
  public static final int DEFAULT_LIMIT = 500;
  private static final Pattern ACTION = Pattern.compile("[a-z][a-z.-]{0,63}");

  public AuditQuery {
    actor = actor.map(String::strip).filter(s -> !s.isEmpty());
    action = action.map(String::strip).filter(s -> !s.isEmpty());
    if (actor.isPresent() && actor.get().length() > 200) {
      throw new IllegalArgumentException("actor: at most 200 characters");
    }
    if (action.isPresent() && !ACTION.matcher(action.get()).matches()) {
      throw new IllegalArgumentException("action: lower-case letters, '.' and '-' only (e.g. login.failed)");
    }
    if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
      throw new IllegalArgumentException("from must be before to");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1-" + MAX_LIMIT);
    }
  }

  public static AuditQuery all(int limit) {
    return new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), limit);
  }
}
