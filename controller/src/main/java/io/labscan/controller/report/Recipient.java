package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a user's report address is confirmed by its owner (V023 {@code report_recipients}).
 *
 * @param mailed whether a confirmation link is out (its token's hash stored)
 * @param tokenExpires when that link stops working
 * @param confirmed when the address was confirmed (empty: not yet)
 */
public record Recipient(String username, String email, boolean mailed, Instant tokenExpires,
    Optional<Instant> confirmed, Instant created) {
  public Recipient {
    requireNonNull(username, "username");
    requireNonNull(email, "email");
    requireNonNull(tokenExpires, "tokenExpires");
    requireNonNull(confirmed, "confirmed");
    requireNonNull(created, "created");
  }

  /** The state words of the API and the Reports page. */
  public enum State {
    /** Reports go to the address. */
    CONFIRMED,
    /** The confirmation mail is about to be sent (the next round of the report job). */
    MAIL_DUE,
    /** The link is out and still works. */
    PENDING,
    /** The link expired unused; it can be sent again. */
    EXPIRED;

    /** {@code confirmed}, {@code mail-due}, {@code pending}, {@code expired}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  public State state(Instant now) {
    if (confirmed.isPresent()) {
      return State.CONFIRMED;
    }
    if (!mailed) {
      return State.MAIL_DUE;
    }
    return tokenExpires.isAfter(now) ? State.PENDING : State.EXPIRED;
  }
}
