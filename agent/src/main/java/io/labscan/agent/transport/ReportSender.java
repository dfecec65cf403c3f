package io.labscan.agent.transport;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.contract.report.ReportLimits;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ReportAck;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the spool to the controller, oldest first, one report at a time. A report leaves
 * the spool only after the controller's acknowledgement; transient failures back off
 * exponentially with full jitter so a lab of agents does not hammer a restarting controller
 * in step. A report the controller rejects as invalid is dropped (logged): sending it again
 * can never succeed, and it must not block the reports behind it.
 *
 * <p>A controller that answers that its database cannot be reached ({@link DatabaseUnavailability}) keeps
 * the agent (no failover) and the report stays spooled; the retries back off as any other, but
 * never beyond {@link #DATABASE_RETRY_MAX}: the controller answers such a refusal at once, so a
 * retry costs it little, and the spool should drain soon after the database is back rather than
 * up to {@link #MAX_BACKOFF} later.
 */
public final class ReportSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReportSender.class);
  static final Duration MIN_BACKOFF = Duration.ofMillis(500);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(2);
  /** Longest wait between retries while the controller says its database is unreachable (class comment). */
  static final Duration DATABASE_RETRY_MAX = Duration.ofSeconds(30);
  /**
   * Largest report worth sending: the controller accepts messages up to 4 MiB, and the
   * ReportRequest envelope around a report adds a few bytes.
   */
  static final int MAX_REPORT_BYTES = 4 * 1024 * 1024 - 1024;

  private final Spool spool;
  private final ControllerClient client;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final Thread thread;
  private volatile boolean running = true;
  private boolean pending;

  public ReportSender(Spool spool, ControllerClient client) {
    this.spool = requireNonNull(spool, "spool");
    this.client = requireNonNull(client, "client");
    this.thread = new Thread(this::loop, "labscan-report-sender");
    this.thread.setDaemon(true);
  }

  public ReportSender start() {
    thread.start();
    return this;
  }

  /**
   * Spools a report, clipped to the report limits both sides share, and wakes the sender.
   * Clipping here, before the spool, means a value the controller would refuse (a 5,000
   * character Windows path) costs its own tail, counted in the report's {@code clipped}, and
   * never the whole report: a refused report is dropped with every egress window in it.
   */
  public void submit(Report report) {
    Report clipped = ReportLimits.clip(report);
    if (clipped != report) {
      log.warn("Report {}: {} value(s) clipped to the report limits in {}", clipped.getReportId(),
          clipped.getClipped().getValues(), clipped.getClipped().getFieldsList());
    }
    spool.add(clipped);
    poke();
  }

  /** Wakes the sender early, e.g. after the controller came back. */
  public void poke() {
    lock.lock();
    try {
      pending = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void loop() {
    long failures = 0;
    while (running) {
      Optional<Report> next;
      try {
        next = spool.oldest();
      } catch (RuntimeException e) {
        log.error("{}", e.getMessage());
        next = Optional.empty();
        failures++;
      }
      if (next.isEmpty()) {
        await(failures == 0 ? Duration.ofSeconds(30) : backoff(failures));
        continue;
      }
      Report report = next.get();
      if (report.getSerializedSize() > MAX_REPORT_BYTES) {
        // The controller refuses it (RESOURCE_EXHAUSTED) however often it is sent: like an
        // invalid report, it must not block the reports behind it.
        log.error("Report {} is {} bytes, over the controller's {} byte limit; dropping it.", report.getReportId(),
            report.getSerializedSize(), MAX_REPORT_BYTES);
        spool.remove(report.getReportId());
        continue;
      }
      long generation = client.generation();
      try {
        ReportAck ack = client.report(report);
        spool.remove(ack.getReportId().isEmpty() ? report.getReportId() : ack.getReportId());
        failures = 0;
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        // PERMISSION_DENIED: the report speaks for another host than the agent's certificate (one
        // spooled before the controller gave this agent a new host id): no retry can fix it.
        if (code == Status.Code.INVALID_ARGUMENT || code == Status.Code.PERMISSION_DENIED) {
          log.error("Controller refused report {} as {} ({}); dropping it.", report.getReportId(),
              code == Status.Code.INVALID_ARGUMENT ? "invalid" : "speaking for another host",
              e.getStatus().getDescription());
          spool.remove(report.getReportId());
          continue;
        }
        // The client moved to another controller: start afresh there, not after this one's backoff,
        // but after the move's spread delay (ControllerClient), so its agents do not all come at once.
        boolean moved = client.generation() != generation;
        failures = moved ? 1 : failures + 1;
        Duration wait = moved && !client.firstContactDelay().isZero() ? client.firstContactDelay()
            : DatabaseUnavailability.isDatabaseUnavailable(e) ? backoff(failures, DATABASE_RETRY_MAX) : backoff(failures);
        log.info("Report {} not delivered ({}); retrying in {} ms.", report.getReportId(), code,
            wait.toMillis());
        await(wait);
      } catch (RuntimeException e) {
        failures++;
        log.warn("Report {} not delivered: {}", report.getReportId(), e.toString());
        await(backoff(failures));
      }
    }
  }

  /** Capped exponential backoff with full jitter after {@code failures} failures in a row. */
  public static Duration backoff(long failures) {
    return backoff(failures, MAX_BACKOFF);
  }

  /** As {@link #backoff(long)}, never longer than {@code max}. */
  public static Duration backoff(long failures, Duration max) {
    long cap = Math.min(Math.max(MIN_BACKOFF.toMillis(), max.toMillis()),
        MIN_BACKOFF.toMillis() << Math.min(20, Math.max(0, failures - 1)));
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(MIN_BACKOFF.toMillis() / 2, cap + 1));
  }

  private void await(Duration d) {
    lock.lock();
    try {
      if (!pending && running) {
        wake.await(d.toMillis(), TimeUnit.MILLISECONDS);
      }
      pending = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    running = false;
    poke();
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
