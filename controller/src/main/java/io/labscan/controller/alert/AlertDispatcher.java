package io.labscan.controller.alert;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.verdict.Assessment;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.VerdictListener;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns verdict changes into alerts: when a host becomes INFECTED or SUSPECTED, every sink
 * gets one alert (the verdict service reports changes only, so a host that stays INFECTED
 * across many reports alerts once). Delivery runs on its own thread and retries a failing
 * sink {@link #ATTEMPTS} times with growing pauses, so a slow webhook never holds up verdicts.
 *
 * <p>Before an alert goes to the sinks it is claimed ({@link AlertClaims}, on the alerts' thread):
 * with several controllers on one database only the controller that claims it first sends it
 * ({@link StoredAlertClaims}); a controller alone on its database sends every alert.
 */
public final class AlertDispatcher implements VerdictListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AlertDispatcher.class);
  public static final int ATTEMPTS = 3;
  private static final Duration FIRST_RETRY = Duration.ofSeconds(5);

  private final List<AlertSink> sinks;
  private final AlertClaims claims;
  private final ScheduledExecutorService executor;

  public AlertDispatcher(List<AlertSink> sinks) {
    this(sinks, AlertClaims.ALWAYS);
  }

  /** Alerts to {@code sinks}, each sent only when {@code claims} gives it to this controller. */
  public AlertDispatcher(List<AlertSink> sinks, AlertClaims claims) {
    this.sinks = List.copyOf(sinks);
    this.claims = java.util.Objects.requireNonNull(claims, "claims");
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "labscan-alerts");
      t.setDaemon(true);
      return t;
    });
  }

  public List<AlertSink> sinks() {
    return sinks;
  }

  @Override
  public void verdictChanged(String hostId, String hostname, Assessment assessment, Instant at) {
    if (!assessment.verdict().isInfectedList() || sinks.isEmpty()) {
      return;
    }
    dispatch(new Alert(hostId, hostname, assessment.verdict(), at, assessment.reasons()));
  }

  @Override
  public void addressConflict(String hostId, String hostname, Assessment assessment, Reason conflict, Instant at) {
    if (sinks.isEmpty()) {
      return;
    }
    dispatch(new Alert(Alert.Kind.ADDRESS_CONFLICT, hostId, hostname, assessment.verdict(), at, List.of(conflict)));
  }

  /** Sends any alert (a two-keys alert, ...) to every sink, with the same retries. */
  public void raise(Alert alert) {
    java.util.Objects.requireNonNull(alert, "alert");
    dispatch(alert);
  }

  /** Claims the alert and, when it is this controller's, tries every sink once; on the alerts' thread. */
  private void dispatch(Alert alert) {
    if (sinks.isEmpty()) {
      return;
    }
    try {
      executor.execute(() -> {
        if (!claims.claim(alert)) {
          log.info("Alert for host {} ({}) was sent by another controller already.", alert.hostId(),
              alert.kind().event());
          return;
        }
        for (AlertSink sink : sinks) {
          attempt(sink, alert, 1);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      log.warn("Alert for host {} dropped: the controller is stopping.", alert.hostId());
    }
  }

  private void attempt(AlertSink sink, Alert alert, int attempt) {
    try {
      sink.send(alert);
    } catch (IOException | RuntimeException e) {
      if (attempt < ATTEMPTS) {
        long delay = FIRST_RETRY.toMillis() * (1L << (attempt - 1));
        log.warn("Alert for host {} to {} failed (attempt {} of {}): {}; retrying in {} s", alert.hostId(),
            sink.describe(), attempt, ATTEMPTS, e.getMessage(), delay / 1000);
        executor.schedule(() -> attempt(sink, alert, attempt + 1), delay, TimeUnit.MILLISECONDS);
      } else {
        log.error("Alert for host {} to {} dropped after {} attempts: {}", alert.hostId(), sink.describe(),
            ATTEMPTS, e.getMessage());
      }
    }
  }

  /** Waits until alerts queued so far were tried once (tests). */
  void flush() {
    try {
      executor.submit(() -> { }).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("alerts not flushed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
    sinks.forEach(AlertSink::close);
  }
}
