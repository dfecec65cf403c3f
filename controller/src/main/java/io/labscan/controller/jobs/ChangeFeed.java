package io.labscan.controller.jobs;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll of the database for "did anything commit?", fanned out to everybody who reacts to
 * changes made by another process (a {@code revoke}, a {@code rules} or {@code policy} change,
 * a {@code scan-now} run recorded from the command line).
 *
 * <p>Before, four pollers each read their own table every two seconds (policy cache, policy
 * publisher, revocations, campaign deliveries). Now {@link #poll()} reads one number (SQLite's
 * {@code PRAGMA data_version}, which changes when any other connection commits) and only when it
 * moved are the listeners run, in registration order on the caller's thread. Listeners also run
 * after {@link #MAX_QUIET} without a change, so a listener whose work depends on something
 * besides the database (a host whose command stream opened between two rounds) is never starved.
 *
 * <h2>Waking up at once</h2>
 * {@link #wake()} asks for a poll now, on a thread of the feed's own: on PostgreSQL a
 * {@code LISTEN} connection ({@code store.postgres.PostgresChangeListener}) calls it when another
 * controller or a command-line command commits a change the listeners react to, so a {@code
 * scan-now}, a revocation or a policy change reaches the agents of every controller within
 * milliseconds instead of at the next {@link #POLL}. The periodic poll stays: it is what runs
 * while the notification connection is down, and on SQLite, which has no notifications.
 *
 * <p>A wake-up carries nothing but "look now": the poll still reads the change counter and the
 * listeners still read the database, so a forged notification (any database user can send one)
 * can at most cause a poll. A storm of them is bounded: at most one woken poll runs and at most
 * one more is pending (wake-ups arriving meanwhile fold into that one), so a thousand
 * notifications in a burst cost two polls, not a thousand. The pending one is needed: a wake-up
 * during a poll may announce a commit that poll read too early to see.
 */
public final class ChangeFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
  /** How often {@code serve} polls. */
  public static final Duration POLL = Duration.ofSeconds(2);
  /** Listeners run at least this often even when nothing changed. */
  public static final Duration MAX_QUIET = Duration.ofMinutes(1);

  private final LongSupplier version;
  private final Clock clock;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private long lastVersion;
  private Instant lastRun;
  /** Whether a woken poll is queued and not yet started (at most one is). */
  private final AtomicBoolean wakePending = new AtomicBoolean();
  private final LongAdder wokenPolls = new LongAdder();
  private final ExecutorService waker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "labscan-change-feed");
    t.setDaemon(true);
    return t;
  });

  /** One reaction to a change. */
  public record Listener(String name, Runnable onChange) {
    public Listener {
      requireNonNull(name, "name");
      requireNonNull(onChange, "onChange");
    }
  }

  /** @param version the database's change counter ({@code PRAGMA data_version}) */
  public ChangeFeed(LongSupplier version, Clock clock) {
    this.version = requireNonNull(version, "version");
    this.clock = requireNonNull(clock, "clock");
    this.lastVersion = version.getAsLong();
    this.lastRun = clock.instant();
  }

  /** Adds a listener, run after every change from now on. */
  public void listen(String name, Runnable onChange) {
    listeners.add(new Listener(name, onChange));
  }

  /** The listeners' names, in the order they run. */
  public List<String> listenerNames() {
    return listeners.stream().map(Listener::name).toList();
  }

  /**
   * Reads the change counter once; when it moved (or {@link #MAX_QUIET} passed) runs every
   * listener. A failing listener is logged and does not keep the others from running.
   *
   * @return whether the listeners ran
   */
  public synchronized boolean poll() {
    return pollLocked();
  }

  /**
   * Polls soon on the feed's own thread ({@link #poll()}); returns at once. Folds into a poll
   * already pending: at most one woken poll runs and one waits, however many wake-ups arrive.
   */
  public void wake() {
    if (!wakePending.compareAndSet(false, true)) {
      return; // one is pending: it runs after this wake-up's commit, and sees it
    }
    try {
      waker.execute(() -> {
        wakePending.set(false); // from here a wake-up queues the next poll
        wokenPolls.increment();
        try {
          poll();
        } catch (RuntimeException e) {
          log.warn("Change feed poll (woken by a notification) failed: {}", e.toString());
        }
      });
    } catch (RejectedExecutionException closed) {
      wakePending.set(false);
    }
  }

  /** How many polls {@link #wake()} started so far (tests, metrics). */
  public long wokenPolls() {
    return wokenPolls.sum();
  }

  /** Stops the thread of woken polls (a poll running ends first). */
  @Override
  public void close() {
    waker.shutdown();
  }

  private boolean pollLocked() {
    long now = version.getAsLong();
    Instant at = clock.instant();
    if (now == lastVersion && at.isBefore(lastRun.plus(MAX_QUIET))) {
      return false;
    }
    lastVersion = now;
    lastRun = at;
    for (Listener l : listeners) {
      try {
        l.onChange().run();
      } catch (RuntimeException e) {
        log.warn("Change listener '{}' failed: {}", l.name(), e.toString());
      }
    }
    return true;
  }
}
