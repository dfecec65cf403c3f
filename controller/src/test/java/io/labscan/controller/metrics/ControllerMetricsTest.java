package io.labscan.controller.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.controller.store.Store;
import io.labscan.controller.verdict.Verdict;
import io.labscan.proto.v1.Report;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ControllerMetricsTest {
  final AtomicInteger connected = new AtomicInteger();
  final ControllerMetrics metrics = new ControllerMetrics(connected::get,
      () -> Map.of(Verdict.INFECTED, 2, Verdict.CLEAN, 40));
  final Report report = TestReports.fullScan(TestReports.newHostId(), "pc", Instant.now(), 1, "10.0.0.1");

  private String scrape() {
    return new String(metrics.scrape(), StandardCharsets.UTF_8);
  }

  @Test
  void connectedAgentsAreReadAtScrapeTime() {
    connected.set(17);
    assertThat(scrape()).contains("labscan_agents_connected 17.0");
  }

  @Test
  void reportsAreCountedByOutcome() {
    metrics.ingested(report, Store.IngestOutcome.STORED, Duration.ofMillis(12));
    metrics.ingested(report, Store.IngestOutcome.STORED, Duration.ofMillis(30));
    metrics.ingested(report, Store.IngestOutcome.DUPLICATE, Duration.ofMillis(3));
    assertThat(scrape()).contains("labscan_reports_ingested_total{outcome=\"stored\"} 2.0")
        .contains("labscan_reports_ingested_total{outcome=\"duplicate\"} 1.0");
  }

  @Test
  void ingestLatencyLandsInTheHistogramBuckets() {
    metrics.ingested(report, Store.IngestOutcome.STORED, Duration.ofMillis(30));
    assertThat(scrape()).contains("labscan_report_ingest_seconds_bucket{le=\"0.025\"} 0")
        .contains("labscan_report_ingest_seconds_bucket{le=\"0.05\"} 1")
        .contains("labscan_report_ingest_seconds_count 1");
  }

  @Test
  void everyVerdictHasAGaugeEvenAtZero() {
    assertThat(scrape()).contains("labscan_hosts{verdict=\"INFECTED\"} 2.0")
        .contains("labscan_hosts{verdict=\"CLEAN\"} 40.0")
        .contains("labscan_hosts{verdict=\"SUSPECTED\"} 0.0");
  }
}
