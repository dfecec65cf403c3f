package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's single writer. SQLite allows one writer at a time, so one thread owns the
 * write connection and runs queued tasks in batches: up to {@link #MAX_BATCH} tasks share
 * one transaction (one fsync), each inside its own savepoint so a failing task fails alone.
 * Futures complete only after the batch is committed, and on another thread: what follows a
 * commit (acknowledging reports over gRPC, scheduling verdicts) must not hold up the next
 * batch, since the writer is the one thread every write waits for.
 *
 * <h2>A database that cannot be reached: fail fast, bounded</h2>
 * A server database ({@link Link#unreachable}) can vanish: restarted, crashed, cut off. Before,
 * each batch then waited for a connection as long as the pool let it (seconds), every write
 * queued behind it waited for all the batches before it, and an agent's report got no answer
 * within its 30 s deadline at all, where it should hear {@code UNAVAILABLE} at once and retry.
 * So the writer keeps a circuit:
 * <ul>
 *   <li><b>Closed</b> (the database answers): writes run as described above.</li>
 *   <li><b>Open</b> ("database unreachable"): entered when the link could not give a connection,
 *       or a batch failed and the link says its connection is lost. The failing batch and every
 *       write queued behind it complete at once with a StoreException whose
 *       {@link StoreException#databaseUnreachable()} is true, and so does every write submitted
 *       while the circuit is open, in {@link #submit} itself: none of them waits for the
 *       database. So how long a write can wait is bounded by what the link bounds (how long it
 *       waits for a connection, how long a statement on a silent connection may block), not by
 *       the length of the queue.</li>
 *   <li><b>Probing</b>: while open, the writer thread alone tries the database again, one
 *       {@link Link#probe()} at a time, {@link #PROBE_INTERVAL} after the last attempt ended;
 *       the first probe that succeeds closes the circuit. Not a half-open state letting real
 *       writes through: a probe costs one connection attempt whatever the load, and several
 *       controllers sharing the database each probe once a second, not once per waiting report.</li>
 * </ul>
 * Nothing acknowledged is lost: a refused write did not run (its caller, the gRPC service,
 * answers UNAVAILABLE and the agent keeps the report in its spool); a batch whose connection was
 * lost is failed as a whole and not acknowledged, whether or not its commit reached the server, so
 * it is sent again (a report under its id, which the database de-duplicates). SQLite's
 * {@link #fixed} link is never unreachable: its behaviour is unchanged.
 */
public final class WriteQueue implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WriteQueue.class);
  static final int MAX_BATCH = 512;
  static final int MAX_QUEUED = 50_000;
  /** While the database is unreachable, the writer tries it again this long after its last attempt ended. */
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

  /** One unit of work on the write connection. */
  @FunctionalInterface
  public interface Task<T> {
    T run(Connection db) throws SQLException;
  }

  private record Pending<T>(Task<T> task, CompletableFuture<T> future) {}

  /**
   * The connection the writer works on and its statement cache. SQLite's is one fixed
   * connection; a server database's may be lost (the server restarted, the network cut) and is
   * then replaced: {@link #failed} drops a broken one, and the next batch connects again.
   * Used by the writer thread only.
   */
  public interface Link {
    /** The connection to run the next batch on (connecting when there is none). */
    Connection connection() throws SQLException;

    /** The statement cache of the connection {@link #connection()} returned last. */
    StatementCache statements();

    /** A batch failed with {@code cause}: drop the connection if it is broken. */
    default void failed(Exception cause) {}

    /**
     * Whether {@code cause} means the database cannot be reached at all (see the class comment:
     * the circuit opens). Asked after {@link #connection()} failed, and after a failed batch was
     * handed to {@link #failed}. A fixed connection (SQLite's file) never is.
     */
    default boolean unreachable(Exception cause) {
      return false;
    }

    /**
     * One attempt to reach the database again while the circuit is open; returns when the next
     * batch can run, throws while the database still cannot be reached. Bounded by the link's own
     * timeouts.
     */
    default void probe() throws SQLException {
      connection();
    }

    /** The writer is done: close what the link holds. */
    default void close() {
      statements().close();
    }
  }

  /** A link that is always the same connection (SQLite's writer). */
  static Link fixed(Connection db, StatementCache statements) {
    requireNonNull(db, "db");
    requireNonNull(statements, "statements");
    return new Link() {
      @Override
      public Connection connection() {
        return db;
      }

      @Override
      public StatementCache statements() {
        return statements;
      }
    };
  }

  private final Link link;
  private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
  private final Thread thread;
  /** Completes the futures of committed batches, in commit order. */
  private final ExecutorService completer;
  private volatile boolean running = true;
  /** Why the database cannot be reached, while the circuit is open (class comment); null while closed. */
  private volatile @Nullable String unreachable;
  /** When the circuit opened ({@link System#nanoTime()}), for the log line when it closes. */
  private volatile long unreachableSince;

  /**
   * @param statements the writer connection's statement cache, used here for the savepoints;
   *     used by this queue's thread only
   */
  WriteQueue(Connection db, StatementCache statements, String name) {
    this(fixed(db, statements), name);
  }

  /** A writer over {@code link}, its thread named after {@code name}. */
  public WriteQueue(Link link, String name) {
    this.link = requireNonNull(link, "link");
    this.completer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "labscan-store-completions-" + name);
      t.setDaemon(true);
      return t;
    });
    this.thread = new Thread(this::loop, "labscan-store-writer-" + name);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Queues {@code task}; see {@link Database#write}. */
  public <T> CompletableFuture<T> submit(Task<T> task) {
    CompletableFuture<T> future = new CompletableFuture<>();
    if (!running) {
      future.completeExceptionally(new StoreException("The store is closed."));
      return future;
    }
    String down = unreachable;
    if (down != null) {
      future.completeExceptionally(refusal(down));
      return future;
    }
    if (!queue.offer(new Pending<>(task, future))) {
      future.completeExceptionally(new StoreException(
          "The store's write queue is full (" + MAX_QUEUED + " pending writes); try again later."));
    }
    return future;
  }

  /**
   * Why the database cannot be reached while the circuit is open, or empty while it is closed
   * (for /healthz and tests).
   */
  public java.util.Optional<String> unreachable() {
    return java.util.Optional.ofNullable(unreachable);
  }

  private static StoreException refusal(String why) {
    return StoreException.unreachable("The database cannot be reached (" + why + "); writes are refused until it "
        + "answers again (tried every " + PROBE_INTERVAL.toSeconds() + " s). Nothing of this write was stored.");
  }

  private void loop() {
    List<Pending<?>> batch = new ArrayList<>(MAX_BATCH);
    while (running || !queue.isEmpty()) {
      try {
        String down = unreachable;
        if (down != null) {
          refuseUntilReachable(down);
          continue;
        }
        Pending<?> first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        runBatch(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
      } finally {
        batch.clear();
      }
    }
    List<Pending<?>> unrun = new ArrayList<>();
    queue.drainTo(unrun);
    if (!unrun.isEmpty()) {
      StoreException closed = new StoreException("The store closed before this write ran.");
      completer.execute(() -> unrun.forEach(p -> p.future().completeExceptionally(closed)));
    }
    // Cleaned up here, on the writer thread, after its last use of both: closing them from
    // close() while a slow batch still ran would reject that batch's completions.
    link.close();
    completer.shutdown();
  }

  /**
   * The circuit is open: refuses whatever is queued (writes that were queued before it opened,
   * or raced with it) as it arrives, for {@link #PROBE_INTERVAL}, then probes the database once.
   */
  private void refuseUntilReachable(String down) throws InterruptedException {
    long until = System.nanoTime() + PROBE_INTERVAL.toNanos();
    for (long left = PROBE_INTERVAL.toNanos(); left > 0 && running; left = until - System.nanoTime()) {
      Pending<?> p = queue.poll(left, TimeUnit.NANOSECONDS);
      if (p != null) {
        List<Pending<?>> refused = new ArrayList<>();
        refused.add(p);
        queue.drainTo(refused);
        fail(refused, refusal(down));
      }
    }
    if (!running) {
      List<Pending<?>> refused = new ArrayList<>();
      queue.drainTo(refused);
      fail(refused, refusal(down));
      return;
    }
    try {
      link.probe();
    } catch (SQLException | RuntimeException e) {
      log.debug("The database is still unreachable: {}", e.getMessage());
      return;
    }
    unreachable = null;
    log.warn("The database answers again after {} s; writes are taken again.",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - unreachableSince));
  }

  /**
   * Opens the circuit (class comment) for {@code cause}, fails {@code batch} and everything
   * queued with the refusal.
   */
  private void open(String why, Exception cause, List<Pending<?>> batch, boolean batchRan) {
    String reason = why + ": " + cause.getMessage();
    unreachableSince = System.nanoTime();
    unreachable = reason;
    log.error("The database cannot be reached ({}); refusing writes until it answers again.", reason);
    List<Pending<?>> refused = new ArrayList<>();
    if (batchRan) {
      // Its commit may or may not have reached the server: not acknowledged, so it is sent again
      // (a report under its id, which the database de-duplicates).
      fail(batch, StoreException.unreachable("The database connection was lost during this write (" + reason
          + "); it was not acknowledged.", cause));
    } else {
      refused.addAll(batch);
    }
    queue.drainTo(refused);
    fail(refused, refusal(reason));
  }

  private void fail(List<Pending<?>> pending, StoreException failure) {
    if (pending.isEmpty()) {
      return;
    }
    List<Pending<?>> failed = List.copyOf(pending);
    completer.execute(() -> failed.forEach(p -> p.future().completeExceptionally(failure)));
  }

  private void runBatch(List<Pending<?>> batch) {
    List<Runnable> completions = new ArrayList<>(batch.size());
    Connection db;
    try {
      db = link.connection();
    } catch (SQLException | RuntimeException e) {
      if (link.unreachable(e)) {
        open("no connection", e, batch, false);
        return;
      }
      StoreException failure = new StoreException("No connection to the database for the write: " + e.getMessage(), e);
      log.error("{}", failure.getMessage());
      fail(batch, failure);
      return;
    }
    StatementCache statements = link.statements();
    try {
      db.setAutoCommit(false);
      for (Pending<?> p : batch) {
        completions.add(runOne(db, statements, p));
      }
      db.commit();
    } catch (SQLException | RuntimeException e) {
      statements.close(); // as in runOne: a failed statement is finalized
      try {
        db.rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      link.failed(e);
      if (link.unreachable(e)) {
        open("connection lost", e, batch, true);
        return;
      }
      StoreException failure = new StoreException("The database refused the write: " + e.getMessage(), e);
      log.error("{}", failure.getMessage());
      fail(batch, failure);
      return;
    } finally {
      try {
        db.setAutoCommit(true);
      } catch (SQLException ignored) {
        // The next batch sets it again.
      }
    }
    completer.execute(() -> completions.forEach(Runnable::run));
  }

  private <T> Runnable runOne(Connection db, StatementCache statements, Pending<T> p) throws SQLException {
    statements.prepare("SAVEPOINT task").executeUpdate();
    try {
      T value = p.task().run(db);
      statements.prepare("RELEASE SAVEPOINT task").executeUpdate();
      return () -> p.future().complete(value);
    } catch (SQLException | RuntimeException e) {
      // sqlite-jdbc finalizes a statement whose step failed; it cannot run again. Failures are
      // rare, so every cached statement is dropped and compiled again on its next use.
      statements.close();
      statements.prepare("ROLLBACK TO SAVEPOINT task").executeUpdate();
      statements.prepare("RELEASE SAVEPOINT task").executeUpdate();
      StoreException failure = e instanceof StoreException se ? se
          : new StoreException("Write failed: " + e.getMessage(), e);
      return () -> p.future().completeExceptionally(failure);
    }
  }

  /**
   * Stops taking writes, lets the writer finish what is queued, and waits for the last
   * completions. The writer thread closes the statement cache and the completer itself.
   */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
      if (thread.isAlive()) {
        log.warn("The store's writer is still busy after 30 s; closing without waiting for it.");
        return;
      }
      completer.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
