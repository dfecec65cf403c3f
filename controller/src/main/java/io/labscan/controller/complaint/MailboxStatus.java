package io.labscan.controller.complaint;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * How the watch of one mailbox is doing, for the Complaints page.
 *
 * @param state {@code connecting}, {@code watching} (IDLE or polling), {@code retrying} (after an
 *     error, waiting {@code backoff}), {@code stopped}
 * @param since when the state began
 * @param lastError the last connection error (no password in it), if any
 * @param handled messages handled since the controller started
 */
public record MailboxStatus(String mailbox, String state, Instant since, Optional<String> lastError, long handled) {
  public MailboxStatus {
    requireNonNull(mailbox, "mailbox");
    requireNonNull(state, "state");
    requireNonNull(since, "since");
    requireNonNull(lastError, "lastError");
  }
}
