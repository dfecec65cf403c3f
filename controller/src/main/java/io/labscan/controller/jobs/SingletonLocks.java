package io.labscan.controller.jobs;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Which controller runs the work that must run once when several {@code serve} processes share
 * one database (issue 20): verdict sweeps, campaign triggers, compliance snapshots, retention,
 * scheduled reports, complaint mailboxes. Each such job has a lock named after it; the one
 * controller holding a job's lock runs it, the others stand by and try to take the lock again
 * every few seconds, so a survivor takes over within a minute when the holder dies.
 *
 * <p>Work tied to this controller's own connections is never a singleton: delivering waiting
 * commands to the agents connected here, pushing policies to them, alerts about a report this
 * controller ingested.
 *
 * <p>Two implementations: {@link #always()} for SQLite (one process owns the database file, so
 * every lock is held from the start) and PostgreSQL's, in {@code store.postgres}, on
 * session-level advisory locks (its javadoc says why advisory locks and not Quartz's clustered
 * JDBC job store or {@code SELECT ... FOR UPDATE SKIP LOCKED}).
 *
 * <p>A job asks {@link #mayRun} right before each run, never caches the answer: the
 * implementation checks there that its lock is still held (on PostgreSQL, that the lock's
 * session is alive), so a controller that lost its lock stops running the job at once.
 */
public interface SingletonLocks extends AutoCloseable {
  /** Job names, each one lock (and one {@code labscan_singleton_job_held} series). */
  String VERDICT_SWEEPS = "verdict sweeps";
  String CAMPAIGN_TRIGGERS = "campaign triggers";
  String COMPLIANCE_SNAPSHOTS = "compliance snapshots";
  String RETENTION = "retention";
  String SCHEDULED_REPORTS = "scheduled reports";
  String COMPLAINT_MAILBOXES = "complaint mailboxes";
  String QUARANTINE_RULES = "quarantine rules";

  /** Declares {@code job}: from now on this controller tries to take its lock. Idempotent. */
  void register(String job);

  /**
   * Whether this controller may run {@code job} now: it holds the job's lock and the lock is
   * still good (checked now; a failed check counts as lost, and every lock of the session is
   * dropped). Cheap enough to call before every run; never blocks for long.
   */
  boolean mayRun(String job);

  /**
   * Whether {@code job}'s lock was held at the last check, without asking the database: for
   * {@code /metrics}, which anonymous scrapes must not turn into database work.
   */
  boolean held(String job);

  /** The registered jobs, sorted. */
  List<String> jobs();

  /**
   * Tells {@code listener} whenever this controller takes ({@code true}) or loses
   * ({@code false}) {@code job}'s lock, on the locks' own thread. Not called for a lock that is
   * held from the start and never changes ({@link #always()}).
   */
  void onChange(String job, Consumer<Boolean> listener);

  /** This controller's name among its peers (hostname and process id, or configured). */
  String instanceId();

  /** Gives every lock back (other controllers take over) and stops trying. */
  @Override
  void close();

  /** Registers {@code job} and returns the check to make before each run of it. */
  default BooleanSupplier gate(String job) {
    register(job);
    return () -> mayRun(job);
  }

  /** Registers {@code job} and wraps {@code work} so that it runs only while this controller may run it. */
  default Runnable gated(String job, Runnable work) {
    requireNonNull(work, "work");
    BooleanSupplier gate = gate(job);
    return () -> {
      if (gate.getAsBoolean()) {
        work.run();
      }
    };
  }

  /**
   * The locks of a controller that owns its database alone (SQLite: the file's owner is the
   * only writer), held from the start and never lost.
   */
  static SingletonLocks always() {
    return always(defaultInstanceId());
  }

  /** As {@link #always()}, named {@code instanceId}. */
  static SingletonLocks always(String instanceId) {
    requireNonNull(instanceId, "instanceId");
    Set<String> jobs = new TreeSet<>();
    return new SingletonLocks() {
      @Override
      public synchronized void register(String job) {
        jobs.add(requireNonNull(job, "job"));
      }

      @Override
      public synchronized boolean mayRun(String job) {
        jobs.add(requireNonNull(job, "job"));
        return true;
      }

      @Override
      public boolean held(String job) {
        return true;
      }

      @Override
      public synchronized List<String> jobs() {
        return List.copyOf(jobs);
      }

      @Override
      public void onChange(String job, Consumer<Boolean> listener) {
        register(job);
        requireNonNull(listener, "listener");
      }

      @Override
      public String instanceId() {
        return instanceId;
      }

      @Override
      public void close() {
        // nothing held outside this process
      }

      @Override
      public String toString() {
        return "locks held alone (one controller owns the database)";
      }
    };
  }

  /**
   * {@code LABSCAN_INSTANCE} (or the system property {@code labscan.instance}) when set, else
   * the host name and process id ({@code lab-ctl-1:4242}): unique among the controllers of one
   * database, and stable for the life of the process.
   */
  static String defaultInstanceId() {
    String configured = System.getProperty("labscan.instance", System.getenv("LABSCAN_INSTANCE"));
    if (configured != null && !configured.isBlank()) {
      return clean(configured);
    }
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException | RuntimeException e) {
        host = "localhost";
      }
    }
    return clean(host + ":" + ProcessHandle.current().pid());
  }

  /** Printable ASCII only, at most 100 characters: it goes into metrics labels and logs. */
  private static String clean(String s) {
    StringBuilder b = new StringBuilder();
    s.strip().codePoints().limit(100).forEach(c -> b.append(c >= 0x21 && c < 0x7f ? (char) c : '_'));
    return b.length() == 0 ? "controller" : b.toString();
  }
}
