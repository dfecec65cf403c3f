package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A user's subscription to a scheduled report.
 *
 * @param lab the lab, or empty for every lab the user may see
 * @param lastError why the last attempt to send failed ("" when it did not)
 */
public record Subscription(String subscriptionId, String username, String email, Optional<String> lab,
    Cadence cadence, Instant created, String lastError, Optional<Instant> lastAttempt) {
  public Subscription {
    requireNonNull(subscriptionId, "subscriptionId");
    requireNonNull(username, "username");
    requireNonNull(email, "email");
    requireNonNull(lab, "lab");
    requireNonNull(cadence, "cadence");
    requireNonNull(created, "created");
    requireNonNull(lastError, "lastError");
    requireNonNull(lastAttempt, "lastAttempt");
  }
}
