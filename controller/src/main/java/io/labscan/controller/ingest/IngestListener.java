package io.labscan.controller.ingest;

import io.labscan.controller.store.Store;
import io.labscan.proto.v1.Report;
import java.time.Duration;

/** Told after each report is committed (or found to be a duplicate): the hook for metrics. */
@FunctionalInterface
public interface IngestListener {
  /** @param latency from the report's arrival to its commit */
  void ingested(Report report, Store.IngestOutcome outcome, Duration latency);
}
