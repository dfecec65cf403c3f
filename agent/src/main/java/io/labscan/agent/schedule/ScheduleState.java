package io.labscan.agent.schedule;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * What the schedule must remember across restarts ({@code schedule-state.json}).
 *
 * @param firstStart when this agent first ran: nights before it were never owed a scan
 * @param lastCompletedFullScan when the last full scan (any trigger) finished
 * @param lastStartedOccurrence the nightly due time the last scheduled scan was started
 *     for; it is not started again, even if the agent died during it (a scan that crashes
 *     the agent must not run at every start)
 */
public record ScheduleState(Instant firstStart, Optional<Instant> lastCompletedFullScan,
    Optional<Instant> lastStartedOccurrence) {
  public ScheduleState {
    requireNonNull(firstStart, "firstStart");
    requireNonNull(lastCompletedFullScan, "lastCompletedFullScan");
    requireNonNull(lastStartedOccurrence, "lastStartedOccurrence");
  }

  public static ScheduleState firstStartAt(Instant now) {
    return new ScheduleState(now, Optional.empty(), Optional.empty());
  }

  /** Due times at or before this need no scan: already done, started, or before the agent existed. */
  public Instant handledUpTo() {
    Instant t = firstStart;
    if (lastCompletedFullScan.isPresent() && lastCompletedFullScan.get().isAfter(t)) {
      t = lastCompletedFullScan.get();
    }
    if (lastStartedOccurrence.isPresent() && lastStartedOccurrence.get().isAfter(t)) {
      t = lastStartedOccurrence.get();
    }
    return t;
  }

  public ScheduleState withCompletedFullScan(Instant when) {
    return new ScheduleState(firstStart, Optional.of(when), lastStartedOccurrence);
  }

  public ScheduleState withStartedOccurrence(Instant occurrence) {
    return new ScheduleState(firstStart, lastCompletedFullScan, Optional.of(occurrence));
  }
}
