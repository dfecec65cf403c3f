package io.labscan.controller.store.postgres;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes a controller's change feed when another process commits a change its listeners react
 * to (issue 20): one connection of the controller's own, outside the pools, {@code LISTEN}s on
 * {@link #CHANNEL}, and a thread of its own waits on it with the driver's {@link
 * PGConnection#getNotifications(int)}; each batch of notifications calls {@code onNotify} once
 * (the controller passes {@code ChangeFeed::wake}, which polls at once, at most one poll running
 * and one pending).
 *
 * <h2>Who sends the notifications: triggers, not the write paths</h2>
 * Migration V024 creates statement-level triggers ({@code AFTER INSERT OR UPDATE OR DELETE ...
 * FOR EACH STATEMENT}) on the tables the change feed's listeners read: {@code settings} (the
 * policy, rule sets, egress settings), {@code revoked_hosts}, {@code campaigns}, {@code
 * campaign_runs}, the inserts of {@code campaign_targets} (a {@code scan-now}), {@code
 * quarantine_orders} and {@code host_roles} (mail servers, in the policy). Each runs {@code
 * pg_notify('labscan_changes', '')}. Why triggers rather than a {@code NOTIFY} in each write path:
 * <ul>
 *   <li>These tables are written by many paths in several processes: the web UI and the JSON API
 *       of any controller, the command-line commands ({@code revoke}, {@code rules}, {@code
 *       scan-now} run from a shell against the database, with no controller in the process), an
 *       older controller during a rolling upgrade, an operator's SQL. A trigger covers every one
 *       of them, including those written after this class; a write path that forgot its
 *       {@code NOTIFY} would silently fall back to the poll.</li>
 *   <li>{@code NOTIFY} is transactional either way: it is delivered when (and only if) the
 *       transaction that sent it commits, so a listener never polls before the change is
 *       visible. PostgreSQL also folds identical notifications of one transaction into one, so a
 *       batch of the write queue that touched the tables a hundred times sends one.</li>
 *   <li>The cost stays small because only low-volume tables get a trigger: the tables agents'
 *       reports fill (reports, findings, addresses, {@code campaign_targets} deliveries, which are
 *       updates) have none, so ingest sends nothing and no agent can make the controllers poll.</li>
 * </ul>
 *
 * <h2>What a notification is trusted for</h2>
 * Nothing but "poll now": any user of the database can {@code NOTIFY} on any channel, so the
 * payload is never read, and the poll reads the change counter and the listeners read the
 * tables as they would at a periodic poll. A flood of forged notifications costs polls bounded
 * by the change feed (one running, one pending).
 *
 * <h2>Failures</h2>
 * The periodic poll stays as the fallback. When the connection breaks (the server restarted, an
 * operator ended the backend, a network failure), the loss is logged once, the thread reconnects
 * with a backoff from {@link #FIRST_BACKOFF} doubling to {@link #MAX_BACKOFF}, and after it is
 * back it wakes the feed once (notifications sent meanwhile were lost). A connection that
 * silently vanished (no RST) is found by a check every {@link #CHECK_EVERY}.
 */
public final class PostgresChangeListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresChangeListener.class);
  /** The one channel LabScan's triggers notify on (migration V024). */
  public static final String CHANNEL = "labscan_changes";
  /** The {@code application_name} of the connection (what {@code pg_stat_activity} shows). */
  public static final String APPLICATION_NAME = "labscan-change-listener";
  /** How long one wait for notifications lasts (below the session connection's socket timeout). */
  static final Duration WAIT = Duration.ofSeconds(5);
  /** How often a quiet connection is checked ({@link Connection#isValid}). */
  public static final Duration CHECK_EVERY = Duration.ofSeconds(30);
  /** The first pause before reconnecting; doubled after each failure up to {@link #MAX_BACKOFF}. */
  public static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  public static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  /** Opens the listener's connection (outside any pool). */
  @FunctionalInterface
  public interface Connector {
    Connection open() throws SQLException;
  }

  private final Connector connector;
  private final Runnable onNotify;
  private final String instanceId;
  private final Thread thread;
  private final LongAdder notifications = new LongAdder();
  private volatile @Nullable Connection connection;
  private volatile boolean listening;
  private volatile boolean closed;
  /** When the connection was last checked ({@link System#nanoTime}); the listener's thread only. */
  private long lastCheck = System.nanoTime();

  private PostgresChangeListener(Connector connector, Runnable onNotify, String instanceId) {
    this.connector = requireNonNull(connector, "connector");
    this.onNotify = requireNonNull(onNotify, "onNotify");
    this.instanceId = requireNonNull(instanceId, "instanceId");
    this.thread = new Thread(this::run, "labscan-change-listener");
    this.thread.setDaemon(true);
  }

  /** Starts listening on a connection from {@code connector}; {@code onNotify} runs on its thread. */
  public static PostgresChangeListener start(Connector connector, Runnable onNotify, String instanceId) {
    PostgresChangeListener l = new PostgresChangeListener(connector, onNotify, instanceId);
    l.thread.start();
    return l;
  }

  /** Whether the connection is up and {@code LISTEN} ran: notifications committed from now on arrive. */
  public boolean listening() {
    return listening;
  }

  /** How many notifications arrived so far (tests, metrics). */
  public long notifications() {
    return notifications.sum();
  }

  private void run() {
    long backoff = FIRST_BACKOFF.toMillis();
    boolean reportedLost = false;
    boolean wasConnected = false;
    while (!closed) {
      Connection c = connection;
      try {
        if (c == null) {
          c = connect();
          if (reportedLost || wasConnected) {
            log.info("Controller {} listens for database changes again.", instanceId);
            // Notifications sent while the connection was down are lost: look once now.
            wake();
          }
          reportedLost = false;
          wasConnected = true;
          backoff = FIRST_BACKOFF.toMillis();
        }
        waitOnce(c);
      } catch (SQLException | RuntimeException e) {
        drop();
        if (closed) {
          return;
        }
        if (!reportedLost) {
          log.warn("Controller {} lost its database change notifications ({}): it falls back to the periodic "
              + "poll until it reconnects.", instanceId, e.getMessage());
          reportedLost = true;
        }
        if (!pause(backoff)) {
          return;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
      }
    }
    drop();
  }

  /** Waits up to {@link #WAIT} for notifications; wakes the feed once per batch. */
  private void waitOnce(Connection c) throws SQLException {
    PGNotification[] batch = c.unwrap(PGConnection.class).getNotifications((int) WAIT.toMillis());
    if (batch != null && batch.length > 0) {
      notifications.add(batch.length); // payloads unread: see the class comment
      wake();
      return;
    }
    long now = System.nanoTime();
    if (now - lastCheck >= CHECK_EVERY.toNanos()) {
      lastCheck = now;
      if (!c.isValid((int) PostgresSingletonLocks.VALID_TIMEOUT.toSeconds())) {
        throw new SQLException("the check of its connection failed");
      }
    }
  }

  private Connection connect() throws SQLException {
    Connection c = connector.open();
    try {
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.execute("LISTEN " + CHANNEL);
      }
    } catch (SQLException | RuntimeException e) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // failing already
      }
      throw e;
    }
    connection = c;
    lastCheck = System.nanoTime();
    listening = true;
    return c;
  }

  private void wake() {
    try {
      onNotify.run();
    } catch (RuntimeException e) {
      log.warn("Reacting to a database change notification failed: {}", e.toString());
    }
  }

  private void drop() {
    listening = false;
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // broken already
      }
    }
  }

  /** Sleeps {@code millis}; false when closed meanwhile. */
  private boolean pause(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
      return !closed;
    } catch (InterruptedException e) {
      return false;
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    drop(); // a wait in progress fails at once; the thread ends
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "PostgreSQL change notifications of controller " + instanceId;
  }
}
