package io.labscan.agent.checks.av;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The age rule shared by every provider: definitions no older than the policy limit are
 * FRESH, older ones STALE. Dates no antivirus definitions can carry (before 1990, or more
 * than a day after the collection time) make the state UNKNOWN: either the clock or the
 * source is wrong, and trusting either would hide a problem.
 *
 * @param state FRESH, STALE or UNKNOWN
 * @param definitionsTime the time to report, empty when implausible
 * @param ageSeconds age at collection time, 0 when unknown
 * @param reason plain words, e.g. "daily.cld built 2026-11-20 08:02 UTC (7 days ago; limit
 *     3 days)"
 */
public record Freshness(
    AvState state, Optional<Instant> definitionsTime, long ageSeconds, String reason) {
  /** Tolerated clock skew between the scanned machine's files and the agent's clock. */
  public static final Duration FUTURE_TOLERANCE = Duration.ofDays(1);

  static final Instant EARLIEST_PLAUSIBLE = Instant.parse("1990-01-01T00:00:00Z");

  public Freshness {
    requireNonNull(state, "state");
    requireNonNull(definitionsTime, "definitionsTime");
    requireNonNull(reason, "reason");
  }

  /**
   * Judges definitions dated {@code time}.
   *
   * @param subject what happened when, in words, e.g. "daily.cld built 2026-11-20 08:02 UTC";
   *     the age and the limit are appended
   */
  public static Freshness assess(String subject, Instant time, AvContext context) {
    requireNonNull(subject, "subject");
    requireNonNull(time, "time");
    requireNonNull(context, "context");
    if (time.isBefore(EARLIEST_PLAUSIBLE)) {
      return new Freshness(AvState.AV_STATE_UNKNOWN, Optional.empty(), 0,
          subject + ", which is not a plausible date for antivirus definitions");
    }
    Duration age = Duration.between(time, context.now());
    if (age.isNegative()) {
      if (age.negated().compareTo(FUTURE_TOLERANCE) > 0) {
        return new Freshness(AvState.AV_STATE_UNKNOWN, Optional.empty(), 0,
            subject + ", after the collection time " + AvText.instant(context.now())
                + "; the machine's clock or the source is wrong");
      }
      age = Duration.ZERO;
    }
    boolean stale = age.compareTo(context.maxAge()) > 0;
    String reason = subject + " (" + AvText.age(age) + " ago; limit "
        + AvText.limit(context.maxAge()) + ")";
    return new Freshness(stale ? AvState.AV_STATE_STALE : AvState.AV_STATE_FRESH,
        Optional.of(time), age.toSeconds(), reason);
  }

  /** Copies time, age, state and reason into a status. */
  public AvStatus.Builder applyTo(AvStatus.Builder status) {
    requireNonNull(status, "status");
    definitionsTime.ifPresent(t -> status.setDefinitionsTime(timestamp(t)));
    return status.setDefinitionsAgeSeconds(ageSeconds).setState(state).setReason(reason);
  }

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }
}
