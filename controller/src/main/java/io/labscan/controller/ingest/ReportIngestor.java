package io.labscan.controller.ingest;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Store;
import io.labscan.controller.verdict.VerdictService;
import io.labscan.proto.v1.Report;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;

/**
 * The one way a report enters the controller, for gRPC and {@code import} alike: validate,
 * store once, then let the verdict service look at the host again.
 */
public final class ReportIngestor {
  private final Store store;
  private final VerdictService verdicts;
  private final ReportValidator validator;
  private final Clock clock;
  private final List<IngestListener> listeners = new CopyOnWriteArrayList<>();

  public ReportIngestor(Store store, VerdictService verdicts, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.verdicts = requireNonNull(verdicts, "verdicts");
    this.clock = requireNonNull(clock, "clock");
    this.validator = new ReportValidator(clock);
  }

  /** Adds a listener told after each report is stored (metrics). */
  public void addListener(IngestListener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  public ReportValidator validator() {
    return validator;
  }

  /**
   * Validates and stores a report. Fails with {@link InvalidReportException} before anything
   * is stored; the future completes after the commit.
   */
  public CompletableFuture<Store.IngestOutcome> ingest(Report report, String via) throws InvalidReportException {
    long started = System.nanoTime();
    validator.validate(report);
    return store.ingest(report, clock.instant(), via).thenApply(outcome -> {
      if (outcome == Store.IngestOutcome.STORED) {
        verdicts.evidenceArrived(report.getInventory().getHostId());
      }
      Duration latency = Duration.ofNanos(System.nanoTime() - started);
      for (IngestListener listener : listeners) {
        listener.ingested(report, outcome, latency);
      }
      return outcome;
    });
  }
}
