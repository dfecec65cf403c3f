package io.labscan.controller.jobs;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
 */
public final class ChangeFeed {
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
