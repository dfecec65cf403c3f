package io.labscan.controller.ingest;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Store;
import io.labscan.controller.verdict.VerdictService;
import io.labscan.proto.v1.Report;
import java.time.Clock;
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

  public ReportIngestor(Store store, VerdictService verdicts, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.verdicts = requireNonNull(verdicts, "verdicts");
    this.clock = requireNonNull(clock, "clock");
    this.validator = new ReportValidator(clock);
  }

  public ReportValidator validator() {
    return validator;
  }

  /**
   * Validates and stores a report. Fails with {@link InvalidReportException} before anything
   * is stored; the future completes after the commit.
   */
  public CompletableFuture<Store.IngestOutcome> ingest(Report report, String via) throws InvalidReportException {
    validator.validate(report);
    return store.ingest(report, clock.instant(), via).thenApply(outcome -> {
      if (outcome == Store.IngestOutcome.STORED) {
        verdicts.evidenceArrived(report.getInventory().getHostId());
      }
      return outcome;
    });
  }
}
