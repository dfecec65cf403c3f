package io.labscan.controller.store.postgres;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.jobs.SingletonLocks;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SingletonLocks} for controllers sharing one PostgreSQL database: one session-level
 * advisory lock per job ({@code pg_try_advisory_lock(namespace, key)}), all held on one
 * connection of this controller's own, outside the pools.
 *
 * <h2>How it works</h2>
 * Every {@link #RETRY} (and at once when a job is registered) the locks' thread tries the locks
 * it does not hold, without waiting ({@code pg_try_advisory_lock} answers at once). A holder keeps
 * its locks as long as its session lives; PostgreSQL releases a session's advisory locks when the
 * session ends (the process died, the connection broke, an operator ran {@code
 * pg_terminate_backend}), and a standing-by controller takes them at its next try: a takeover
 * within {@code RETRY} plus the time the server needs to notice a dead client (at once for a
 * killed process or a terminated backend; TCP keepalive for a vanished host).
 *
 * <p>Before each run a job asks {@link #mayRun}, which checks the lock's connection
 * ({@link Connection#isValid}, a round trip of at most {@link #VALID_TIMEOUT}). A failed check
 * counts as lost: the connection is closed and every lock dropped at once, since another
 * controller may hold them already; the thread reconnects and tries again at its next round. The
 * round also checks a holder's connection, so a job that is not due soon (the daily prune) and
 * the listeners ({@link #onChange}, the complaint mailboxes) learn of a loss within {@code RETRY}.
 *
 * <h2>Keys</h2>
 * The two-integer form: a fixed {@link #NAMESPACE} ("LSJB"), so LabScan's locks never meet another
 * application's on a shared server, and the first four bytes of the SHA-256 of the job's name,
 * stable across versions and processes. {@link #register} refuses a name whose key another
 * registered name has.
 *
 * <h2>Why advisory locks</h2>
 * <ul>
 *   <li><b>Quartz's clustered JDBC job store</b> makes one node fire each trigger, but only for
 *       Quartz jobs (the verdict sweeps, the complaint mailboxes and the report rounds are not), it
 *       needs eleven QRTZ_ tables of its own beside our migrations, and it finds a dead node by
 *       timestamps it writes every few seconds (clock skew between controllers matters).</li>
 *   <li><b>{@code SELECT ... FOR UPDATE SKIP LOCKED} over a jobs table</b> hands out work items;
 *       a long-running holder (a mailbox watched for hours, an IMAP IDLE) would have to hold a
 *       transaction open for as long, or lease with timestamps and renewals, which is again
 *       clock-dependent and needs a table and a migration.</li>
 *   <li><b>Advisory locks</b> need no table, no clock and no migration: the server ties the lock
 *       to the session, so ownership ends exactly when the holder can no longer act on the
 *       database. What they cost: one extra connection per controller, and the lock says nothing
 *       about work half-done by a dead holder, so a job must bear a round repeated after a
 *       takeover (sweeps recompute; the campaign catch-up looks at the runs in the database; the
 *       mailbox skips a message it recorded under its UID).</li>
 * </ul>
 */
public final class PostgresSingletonLocks implements SingletonLocks {
  private static final Logger log = LoggerFactory.getLogger(PostgresSingletonLocks.class);
  /** The first key of every LabScan lock: "LSJB" in ASCII. */
  public static final int NAMESPACE = 0x4C534A42;
  /** How often a controller tries the locks it does not hold, and checks the ones it holds. */
  public static final Duration RETRY = Duration.ofSeconds(10);
  /** How long a check of the lock's connection may take before the locks count as lost. */
  public static final Duration VALID_TIMEOUT = Duration.ofSeconds(2);
  /** The {@code application_name} of the locks' connection (what {@code pg_stat_activity} shows). */
  public static final String APPLICATION_NAME = "labscan-singleton-locks";

  /** Opens the locks' connection (outside any pool). */
  @FunctionalInterface
  public interface Connector {
    Connection open() throws SQLException;
  }

  private final Connector connector;
  private final String instanceId;
  private final ScheduledExecutorService thread;
  /** Guards {@link #connection} and every statement on it. */
  private final Object session = new Object();
  private @Nullable Connection connection;
  private volatile int backendPid;
  private final Map<String, Integer> keys = new TreeMap<>();
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final Map<String, List<Consumer<Boolean>>> listeners = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private volatile boolean reportedUnreachable;

  private PostgresSingletonLocks(Connector connector, String instanceId) {
    this.connector = requireNonNull(connector, "connector");
    this.instanceId = requireNonNull(instanceId, "instanceId");
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "labscan-singleton-locks");
      t.setDaemon(true);
      return t;
    });
  }

  /** Locks over connections from {@code connector}, tried every {@link #RETRY}. */
  public static PostgresSingletonLocks start(Connector connector, String instanceId) {
    return start(connector, instanceId, RETRY);
  }

  /** As {@link #start(Connector, String)}, tried every {@code retry} (tests shorten it). */
  public static PostgresSingletonLocks start(Connector connector, String instanceId, Duration retry) {
    requireNonNull(retry, "retry");
    if (retry.isZero() || retry.isNegative()) {
      throw new IllegalArgumentException("retry must be positive: " + retry);
    }
    PostgresSingletonLocks locks = new PostgresSingletonLocks(connector, instanceId);
    locks.thread.scheduleWithFixedDelay(locks::round, 0, retry.toMillis(), TimeUnit.MILLISECONDS);
    return locks;
  }

  /** The second key of {@code job}'s lock: the first four bytes of SHA-256 of its UTF-8 name. */
  public static int key(String job) {
    requireNonNull(job, "job");
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(job.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest, 0, 4).getInt();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public void register(String job) {
    requireNonNull(job, "job");
    int key = key(job);
    synchronized (keys) {
      if (keys.containsKey(job)) {
        return;
      }
      keys.forEach((other, k) -> {
        if (k == key) {
          throw new IllegalArgumentException("job: '" + job + "' has the lock key of '" + other + "'; rename one");
        }
      });
      keys.put(job, key);
    }
    soon(this::round);
  }

  @Override
  public boolean mayRun(String job) {
    if (!held.contains(job)) {
      return false;
    }
    synchronized (session) {
      if (!valid()) {
        lostLocked("the check of its connection failed");
        return false;
      }
    }
    return held.contains(job);
  }

  @Override
  public boolean held(String job) {
    return held.contains(job);
  }

  @Override
  public List<String> jobs() {
    synchronized (keys) {
      return List.copyOf(keys.keySet());
    }
  }

  @Override
  public void onChange(String job, Consumer<Boolean> listener) {
    requireNonNull(listener, "listener");
    listeners.computeIfAbsent(job, j -> new CopyOnWriteArrayList<>()).add(listener);
    register(job);
  }

  @Override
  public String instanceId() {
    return instanceId;
  }

  /** The server process of the locks' session, while connected (operators and tests). */
  public OptionalInt backendPid() {
    synchronized (session) {
      return connection == null ? OptionalInt.empty() : OptionalInt.of(backendPid);
    }
  }

  /** One round: checks a holder's session, reconnects when there is none, tries the locks not held. */
  private void round() {
    if (closed) {
      return;
    }
    synchronized (keys) {
      if (keys.isEmpty()) {
        return; // no once-only job here (a controller that only serves the web UI): no session
      }
    }
    List<String> taken = new ArrayList<>();
    synchronized (session) {
      if (connection != null && !held.isEmpty() && !valid()) {
        lostLocked("its connection broke");
      }
      if (connection == null && !connect()) {
        return;
      }
      Map<String, Integer> wanted;
      synchronized (keys) {
        wanted = new TreeMap<>(keys);
      }
      wanted.keySet().removeAll(held);
      if (wanted.isEmpty()) {
        return;
      }
      try (PreparedStatement ps = requireNonNull(connection).prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
        ps.setQueryTimeout((int) VALID_TIMEOUT.toSeconds() * 2);
        for (Map.Entry<String, Integer> e : wanted.entrySet()) {
          ps.setInt(1, NAMESPACE);
          ps.setInt(2, e.getValue());
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next() && rs.getBoolean(1)) {
              held.add(e.getKey());
              taken.add(e.getKey());
            }
          }
        }
      } catch (SQLException e) {
        lostLocked("trying the locks failed: " + e.getMessage());
        taken.clear();
      }
    }
    for (String job : taken) {
      log.info("This controller ({}) now runs '{}' (took its lock).", instanceId, job);
      tell(job, true);
    }
  }

  /** Opens the session; false (logged once per outage) when the database cannot be reached. */
  private boolean connect() {
    try {
      Connection c = connector.open();
      c.setAutoCommit(true);
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
        backendPid = rs.next() ? rs.getInt(1) : 0;
      }
      connection = c;
      if (reportedUnreachable) {
        log.info("The lock session of controller {} is back.", instanceId);
      }
      reportedUnreachable = false;
      return true;
    } catch (SQLException | RuntimeException e) {
      if (!reportedUnreachable) {
        log.warn("Controller {} cannot open its lock session ({}): it runs no once-only job until it can.",
            instanceId, e.getMessage());
        reportedUnreachable = true;
      }
      return false;
    }
  }

  /** Whether the session answers within {@link #VALID_TIMEOUT}; caller holds {@link #session}. */
  private boolean valid() {
    Connection c = connection;
    if (c == null) {
      return false;
    }
    try {
      return c.isValid((int) VALID_TIMEOUT.toSeconds());
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  /** Drops the session and every lock of it; caller holds {@link #session}. */
  private void lostLocked(String why) {
    Connection c = connection;
    connection = null;
    backendPid = 0;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // broken already
      }
    }
    List<String> lost = new ArrayList<>(held);
    held.clear();
    if (!lost.isEmpty()) {
      log.warn("Controller {} lost its lock session ({}): it stops running {} until it takes the locks again.",
          instanceId, why, lost);
      for (String job : lost) {
        soon(() -> tell(job, false));
      }
    }
  }

  private void tell(String job, boolean nowHeld) {
    for (Consumer<Boolean> l : listeners.getOrDefault(job, List.of())) {
      try {
        l.accept(nowHeld);
      } catch (RuntimeException e) {
        log.warn("Reacting to the lock of '{}' failed: {}", job, e.toString());
      }
    }
  }

  private void soon(Runnable r) {
    try {
      thread.execute(r);
    } catch (RejectedExecutionException closing) {
      // closed: nothing more to do
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.shutdownNow();
    synchronized (session) {
      Connection c = connection;
      connection = null;
      held.clear();
      if (c != null) {
        try {
          c.close(); // the server releases the session's advisory locks
        } catch (SQLException e) {
          // released when the server notices anyway
        }
      }
    }
  }

  @Override
  public String toString() {
    return "PostgreSQL advisory locks of controller " + instanceId;
  }
}
