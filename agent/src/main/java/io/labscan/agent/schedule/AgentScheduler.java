package io.labscan.agent.schedule;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's periodic jobs (heartbeat, nightly-scan check, address watch, egress flush) on
 * two daemon threads. Jobs are plain {@link Runnable}s, identified by name: scheduling a name
 * again replaces its job. Nothing survives a restart, so anything that must (a missed nightly
 * scan) is recorded by the caller on disk.
 *
 * <p>A JDK scheduled executor, not Quartz: the agent only ever needs "every N", and Quartz's
 * scheduler cost the resident daemon ~100 classes and three threads, one of which woke up on
 * its own besides the jobs. (Cron expressions are still Quartz's, in {@link NightlyScanPlanner}.)
 */
public final class AgentScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentScheduler.class);
  /** Two, so a slow job (an inventory read) never delays the heartbeat by its whole length. */
  static final int THREADS = 2;

  private final ScheduledThreadPoolExecutor executor;
  private final Map<String, ScheduledFuture<?>> jobs = new HashMap<>();

  public AgentScheduler() {
    AtomicInteger n = new AtomicInteger();
    executor = new ScheduledThreadPoolExecutor(THREADS, r -> {
      Thread t = new Thread(r, "labscan-schedule-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    // A replaced or cancelled job leaves the queue at once instead of at its next due time.
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /**
   * Runs {@code task} every {@code period} (measured from the end of one run to the start of
   * the next, so runs never overlap or bunch up after a stall), first after {@code initialDelay}.
   */
  public synchronized void every(String name, Duration period, Duration initialDelay, Runnable task) {
    requireNonNull(name, "name");
    requireNonNull(task, "task");
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period of " + name + " must be positive: " + period);
    }
    cancel(name);
    jobs.put(name, executor.scheduleWithFixedDelay(() -> runLogged(name, task),
        Math.max(0, initialDelay.toMillis()), period.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** Stops a job; nothing when none has that name. A run in progress finishes. */
  public synchronized void cancel(String name) {
    ScheduledFuture<?> job = jobs.remove(name);
    if (job != null) {
      job.cancel(false);
    }
  }

  /** The jobs scheduled now, by name (tests, diagnostics). */
  public synchronized java.util.Set<String> jobNames() {
    return java.util.Set.copyOf(jobs.keySet());
  }

  /** A failing run is logged and the job keeps its schedule (an executor would drop it). */
  private static void runLogged(String name, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.warn("Scheduled job {} failed: {}", name, e.toString(), e);
    }
  }

  /** Stops every job and waits briefly for runs in progress. */
  @Override
  public void close() {
    synchronized (this) {
      jobs.clear();
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
