package io.labscan.agent.schedule;

import static java.util.Objects.requireNonNull;

import io.labscan.proto.v1.Policy;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.Optional;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * When the nightly full scan is due: the policy's cron expression in the host's local time,
 * plus a deterministic per-host jitter, so a lab does not scan all at once.
 *
 * <p>Quartz forgets its triggers when the agent stops, and a sleeping machine misses them,
 * so the decision is made here from what {@link ScheduleState} remembers on disk: the
 * latest due time that has passed and was not handled yet runs at once when it is less
 * than {@link #CATCH_UP_LIMIT} late; an older one is left for the next night, so a laptop
 * opened at noon after a week away does not start a full scan during a class.
 */
public final class NightlyScanPlanner {
  /** A missed nightly scan still runs when it is less late than this. */
  public static final Duration CATCH_UP_LIMIT = Duration.ofHours(12);
  /** Lateness up to which a run counts as on time ("schedule") rather than "catch-up". */
  static final Duration ON_TIME = Duration.ofMinutes(2);
  private static final int MAX_STEPS = 100_000;

  /** What to do now. */
  public record Decision(boolean runNow, Optional<Instant> occurrence, String trigger, String reason) {
    public Decision {
      requireNonNull(occurrence, "occurrence");
      requireNonNull(trigger, "trigger");
      requireNonNull(reason, "reason");
    }

    static Decision run(Instant occurrence, String trigger, String reason) {
      return new Decision(true, Optional.of(occurrence), trigger, reason);
    }

    static Decision waitFor(String reason) {
      return new Decision(false, Optional.empty(), "", reason);
    }
  }

  private final CronExpression cron;
  private final Duration jitter;
  private final Clock clock;

  /**
   * @param cronExpression Quartz cron expression, e.g. {@code "0 0 2 * * ?"}
   * @param zone the zone the expression is read in (the host's local zone)
   * @param jitter this host's delay after each cron time
   */
  public NightlyScanPlanner(String cronExpression, ZoneId zone, Duration jitter, Clock clock) {
    requireNonNull(cronExpression, "cronExpression");
    requireNonNull(zone, "zone");
    this.jitter = requireNonNull(jitter, "jitter");
    this.clock = requireNonNull(clock, "clock");
    if (jitter.isNegative()) {
      throw new IllegalArgumentException("negative jitter " + jitter);
    }
    try {
      this.cron = new CronExpression(cronExpression);
    } catch (ParseException e) {
      throw new IllegalArgumentException("invalid cron expression '" + cronExpression + "': " + e.getMessage(), e);
    }
    this.cron.setTimeZone(TimeZone.getTimeZone(zone));
  }

  /** The planner for {@code hostId} under the policy's cron (read in {@code zone}) and jitter. */
  public static NightlyScanPlanner forPolicy(Policy policy, String hostId, ZoneId zone, Clock clock) {
    requireNonNull(policy, "policy");
    Duration jitter = Jitter.forHost(hostId, Duration.ofSeconds(policy.getFullScanJitterSeconds()));
    return new NightlyScanPlanner(policy.getFullScanCron(), zone, jitter, clock);
  }

  public Duration jitter() {
    return jitter;
  }

  /** The first due time (cron time + jitter) strictly after {@code after}; empty if the expression never fires again. */
  public Optional<Instant> nextDue(Instant after) {
    Date fire = cron.getNextValidTimeAfter(Date.from(after.minus(jitter)));
    return Optional.ofNullable(fire).map(d -> d.toInstant().plus(jitter));
  }

  /** The latest due time at or before {@code now} that is at most {@code horizon} old. */
  Optional<Instant> latestDue(Instant now, Duration horizon) {
    Instant cursor = now.minus(horizon).minusMillis(1);
    Optional<Instant> latest = Optional.empty();
    for (int i = 0; i < MAX_STEPS; i++) {
      Optional<Instant> next = nextDue(cursor);
      if (next.isEmpty() || next.get().isAfter(now)) {
        break;
      }
      latest = next;
      cursor = next.get();
    }
    return latest;
  }

  /** Decides, at the clock's current time, whether the nightly scan must run now. */
  public Decision decide(ScheduleState state) {
    requireNonNull(state, "state");
    Instant now = clock.instant();
    Instant handledUpTo = state.handledUpTo();
    Optional<Instant> due = latestDue(now, CATCH_UP_LIMIT);
    if (due.isPresent() && due.get().isAfter(handledUpTo)) {
      Duration late = Duration.between(due.get(), now);
      boolean onTime = late.compareTo(ON_TIME) <= 0;
      return Decision.run(due.get(), onTime ? "schedule" : "catch-up",
          "nightly scan due " + due.get() + (onTime ? "" : ", " + late.toMinutes() + " min late"));
    }
    Optional<Instant> older = latestDue(now, Duration.ofDays(8));
    String next = nextDue(now).map(Instant::toString).orElse("never");
    if (older.isPresent() && older.get().isAfter(handledUpTo) && due.isEmpty()) {
      return Decision.waitFor("nightly scan due " + older.get() + " was missed by more than "
          + CATCH_UP_LIMIT.toHours() + " h; next at " + next);
    }
    return Decision.waitFor("next nightly scan at " + next);
  }
}
