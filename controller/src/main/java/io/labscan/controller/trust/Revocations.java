package io.labscan.controller.trust;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The revoked hosts, re-read from the store every couple of seconds so that a
 * {@code labscan-controller revoke} run from another process takes effect on the running
 * controller without a restart. Each newly revoked host is handed to {@code onRevoked} once
 * (the controller closes its command stream there).
 */
public final class Revocations implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Revocations.class);
  public static final Duration DEFAULT_POLL = Duration.ofSeconds(2);

  private final TrustRepository store;
  private final Consumer<String> onRevoked;
  private final ScheduledExecutorService poller;
  private volatile Set<String> revoked;

  private Revocations(TrustRepository store, Consumer<String> onRevoked) {
    this.store = store;
    this.onRevoked = onRevoked;
    this.revoked = Set.copyOf(store.revokedHosts());
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "labscan-revocations");
      t.setDaemon(true);
      return t;
    });
  }

  /** Loads the revoked hosts now and keeps re-reading them every {@code every}. */
  public static Revocations watch(TrustRepository store, Duration every, Consumer<String> onRevoked) {
    requireNonNull(store, "store");
    requireNonNull(every, "every");
    requireNonNull(onRevoked, "onRevoked");
    Revocations r = new Revocations(store, onRevoked);
    r.poller.scheduleWithFixedDelay(r::refreshQuietly, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    return r;
  }

  /**
   * Loads the revoked hosts now, without a poller of its own: the owner calls {@link #refresh()}
   * when the database changed (the controller's change feed).
   */
  public static Revocations load(TrustRepository store, Consumer<String> onRevoked) {
    requireNonNull(store, "store");
    requireNonNull(onRevoked, "onRevoked");
    return new Revocations(store, onRevoked);
  }

  public boolean isRevoked(String hostId) {
    return revoked.contains(hostId);
  }

  /** Re-reads the store; hands every host revoked since the last read to the callback. */
  public synchronized void refresh() {
    Set<String> now = Set.copyOf(store.revokedHosts());
    Set<String> added = new HashSet<>(now);
    added.removeAll(revoked);
    revoked = now;
    for (String hostId : added) {
      log.warn("Host {} was revoked: its certificate is no longer accepted.", hostId);
      try {
        onRevoked.accept(hostId);
      } catch (RuntimeException e) {
        log.warn("Closing the connections of revoked host {} failed: {}", hostId, e.toString());
      }
    }
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      // Keep the last known list: a busy database must not un-revoke anybody.
      log.warn("Cannot re-read revoked hosts: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
