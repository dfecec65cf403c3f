package io.labscan.controller.jobs;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's background work in one registry: every periodic job ({@code serve}'s
 * change feed, compliance snapshots, retention) runs on one daemon scheduler, has a name (for
 * logs and {@link #names()}), and stops with {@link #close()}.
 *
 * <p>Why one registry: jobs used to be started by whoever happened to need them (the web
 * dashboard started alerts, campaigns and snapshots, so they ran only when HTTP did), each on
 * its own thread. Here the composition root registers them once, whatever adapters run. A job
 * that throws is logged and runs again at its next time: one bad round must not end it.
 */
public final class BackgroundJobs implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BackgroundJobs.class);

  private final ScheduledExecutorService scheduler;
  private final Map<String, Duration> jobs = new TreeMap<>();

  public BackgroundJobs() {
    this.scheduler = Executors.newScheduledThreadPool(1, r -> {
      Thread t = new Thread(r, "labscan-background");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Runs {@code job} every {@code every}, the first time after {@code firstAfter}.
   *
   * @throws IllegalArgumentException for a name registered before, or a non-positive period
   */
  public synchronized void every(String name, Duration firstAfter, Duration every, Runnable job) {
    requireNonNull(name, "name");
    requireNonNull(firstAfter, "firstAfter");
    requireNonNull(every, "every");
    requireNonNull(job, "job");
    if (every.isZero() || every.isNegative()) {
      throw new IllegalArgumentException("every: the period of job '" + name + "' must be positive, not " + every);
    }
    if (jobs.putIfAbsent(name, every) != null) {
      throw new IllegalArgumentException("name: a background job '" + name + "' is registered already");
    }
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        job.run();
      } catch (RuntimeException e) {
        log.warn("Background job '{}' failed (runs again in {}): {}", name, every, e.toString());
      }
    }, firstAfter.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The registered jobs' names, sorted. */
  public synchronized List<String> names() {
    return List.copyOf(jobs.keySet());
  }

  /** Whether a job of this name is registered. */
  public synchronized boolean has(String name) {
    return jobs.containsKey(name);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
