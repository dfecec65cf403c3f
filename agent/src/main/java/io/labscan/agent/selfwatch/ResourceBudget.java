package io.labscan.agent.selfwatch;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The agent's budget decisions, osquery's watchdog made visible: pure, fed one reading a minute
 * with the time it was taken, no clock or I/O of its own (the caller owns both). Not thread-safe:
 * the agent calls it from its one serial context.
 *
 * <p><b>Memory: restart, with back-off.</b> A resident size over the budget at every reading for
 * {@code memoryOverMinutes} minutes asks for a restart (a leak in a long-running JVM does not heal;
 * a fresh process gives back the heap and the native arenas; the spool on disk survives it).
 * A gap of more than {@link #MAX_READING_GAP} between readings (the machine slept) starts the
 * count again: nothing is known about the time in between. Restarts are remembered across the
 * restart (the caller persists {@link BudgetState#lastRestart()}s) and back off: after one restart
 * within a day the agent needs twice as long over budget, after two four times as long, and after
 * {@link #MAX_RESTARTS_PER_DAY} it stops restarting for the rest of that day and only reports
 * itself over budget — a leak that comes back at once is a bug for the operator, not something to
 * restart in a loop (and systemd's start limit would end in 'failed' anyway).
 *
 * <p><b>CPU: slow down, then recover.</b> CPU use is averaged over the budget window (5 minutes by
 * default: the JIT's warm-up and a burst of SMTP sessions pass; a busy loop does not). Over the
 * budget the agent samples twice as slowly, then four and eight times; at or under half the
 * budget it goes back one step. Each step waits for a whole window after the previous one, so the
 * average it decides on was measured at the new pace (no oscillation between minutes). No
 * decision is made before a whole window was seen: the JVM's start-up is not the agent's load.
 */
public final class ResourceBudget {
  public static final int MAX_SLOW_FACTOR = 8;
  public static final int MAX_RESTARTS_PER_DAY = 3;
  /** How far back restarts count for the back-off. */
  public static final Duration RESTART_MEMORY = Duration.ofDays(1);
  /** Readings further apart than this break an over-budget run (the machine slept or hung). */
  public static final Duration MAX_READING_GAP = Duration.ofMinutes(3);

  private record Reading(Instant at, Duration cpu) {}

  private BudgetPolicy policy;
  private final Deque<Reading> readings = new ArrayDeque<>();
  private final List<Instant> restarts;
  private @Nullable Reading previous;
  private @Nullable Instant overSince;
  private int slowFactor = 1;
  private @Nullable Instant lastPaceChange;

  /**
   * @param policy the budget
   * @param pastRestarts when this agent restarted itself for memory before (from its state folder)
   */
  public ResourceBudget(BudgetPolicy policy, List<Instant> pastRestarts) {
    this.policy = requireNonNull(policy, "policy");
    this.restarts = new ArrayList<>(requireNonNull(pastRestarts, "pastRestarts"));
  }

  /** Applies a new budget from the next reading on (the history is kept). */
  public void policy(BudgetPolicy newPolicy) {
    this.policy = requireNonNull(newPolicy, "newPolicy");
  }

  public BudgetPolicy policy() {
    return policy;
  }

  /** The current slow factor (1: normal). */
  public int slowFactor() {
    return slowFactor;
  }

  /**
   * Takes one reading made at {@code now} and decides. When the answer asks for a restart, the
   * caller restarts and records {@code now} as a restart (the next process is given it back).
   */
  public BudgetState observe(SelfUsage usage, Instant now) {
    requireNonNull(usage, "usage");
    requireNonNull(now, "now");
    if (previous != null && now.isBefore(previous.at())) {
      // The clock went back (NTP step): start over rather than divide by a negative time.
      readings.clear();
      previous = null;
      overSince = null;
    }
    Reading reading = new Reading(now, usage.cpuTime());
    double cpuLast = previous == null ? 0 : percent(previous, reading);
    boolean gap = previous != null && Duration.between(previous.at(), now).compareTo(MAX_READING_GAP) > 0;
    readings.addLast(reading);
    // Keep the newest reading at or before the window's start as the baseline.
    Instant windowStart = now.minus(policy.cpuWindow());
    while (readings.size() > 1) {
      Iterator<Reading> it = readings.iterator();
      it.next();
      if (it.next().at().isAfter(windowStart)) {
        break;
      }
      readings.removeFirst();
    }
    Reading base = readings.peekFirst();
    boolean windowComplete = !base.at().isAfter(windowStart) && base != reading;
    double cpuWindow = base == reading ? cpuLast : percent(base, reading);
    previous = reading;

    boolean paceChanged = false;
    if (windowComplete && (lastPaceChange == null
        || Duration.between(lastPaceChange, now).compareTo(policy.cpuWindow()) >= 0)) {
      int next = slowFactor;
      if (cpuWindow > policy.cpuPercent()) {
        next = Math.min(MAX_SLOW_FACTOR, slowFactor * 2);
      } else if (cpuWindow <= policy.cpuPercent() / 2) {
        next = Math.max(1, slowFactor / 2);
      }
      if (next != slowFactor) {
        slowFactor = next;
        lastPaceChange = now;
        paceChanged = true;
      }
    }

    restarts.removeIf(r -> r.isBefore(now.minus(RESTART_MEMORY)) || r.isAfter(now));
    boolean over = usage.rssBytes() > policy.memoryBytes();
    if (!over || gap) {
      overSince = over ? now : null;
    } else if (overSince == null) {
      overSince = now;
    }
    long overMinutes = overSince == null ? 0 : Duration.between(overSince, now).toMinutes();
    boolean due = over && overMinutes >= requiredMinutes();
    boolean held = due && restarts.size() >= MAX_RESTARTS_PER_DAY;
    Optional<Instant> last = restarts.stream().max(Instant::compareTo);
    return new BudgetState(usage, now, cpuLast, cpuWindow, windowComplete, over, overMinutes, slowFactor,
        paceChanged, due && !held, held, last, restarts.size(), policy);
  }

  /** Minutes over budget before a restart: {@code memoryOverMinutes}, doubled for each restart today. */
  long requiredMinutes() {
    return (long) policy.memoryOverMinutes() << Math.min(restarts.size(), 10);
  }

  /** Percent of one core used between two readings. */
  private static double percent(Reading from, Reading to) {
    long wall = Duration.between(from.at(), to.at()).toNanos();
    if (wall <= 0) {
      return 0;
    }
    long cpu = Math.max(0, to.cpu().minus(from.cpu()).toNanos());
    return 100.0 * cpu / wall;
  }
}
