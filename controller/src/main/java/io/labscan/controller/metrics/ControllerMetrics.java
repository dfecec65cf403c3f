package io.labscan.controller.metrics;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.ingest.IngestListener;
import io.labscan.controller.store.Store;
import io.labscan.controller.verdict.Verdict;
import io.labscan.proto.v1.Report;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The controller's Prometheus metrics, in a registry of its own:
 * <ul>
 *   <li>{@code labscan_agents_connected}: agents with an open command stream (gauge)
 *   <li>{@code labscan_reports_ingested_total{outcome="stored|duplicate"}}: reports (counter; rate() gives reports/s)
 *   <li>{@code labscan_report_ingest_seconds}: from a report's arrival to its commit (histogram)
 *   <li>{@code labscan_hosts{verdict="…"}}: hosts per current verdict (gauge)
 *   <li>{@code labscan_database_bytes}: size of the SQLite database, free pages included (gauge)
 *   <li>{@code labscan_pruned_rows_total{table="…"}}: rows deleted by retention since start (counter)
 *   <li>{@code labscan_complaints{day="2026-12-07",outcome="triaged|no-origin|not-a-complaint|failed"}}:
 *       complaints from watched mailboxes handled per UTC day, the last 14 days (gauge; {@link #complaintsPerDay})
 *   <li>{@code labscan_singleton_job_held{job="verdict sweeps"}}: 1 on the controller running that
 *       once-only job now, 0 on the others (gauge; {@link #singletonJobs})
 *   <li>{@code labscan_controller_instance_info{instance="host:pid"}}: 1 (gauge; {@link #singletonJobs})
 * </ul>
 */
public final class ControllerMetrics implements IngestListener {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter reports;
  private final Histogram ingestSeconds;
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  public ControllerMetrics(IntSupplier agentsConnected, Supplier<Map<Verdict, Integer>> verdictCounts) {
    this(agentsConnected, verdictCounts, () -> 0L, Map::of);
  }

  /**
   * @param databaseBytes the database's size
   * @param prunedRows rows deleted by retention since the controller started, per table
   */
  public ControllerMetrics(IntSupplier agentsConnected, Supplier<Map<Verdict, Integer>> verdictCounts,
      LongSupplier databaseBytes, Supplier<Map<String, Long>> prunedRows) {
    requireNonNull(databaseBytes, "databaseBytes");
    requireNonNull(prunedRows, "prunedRows");
    GaugeWithCallback.builder()
        .name("labscan_database_bytes")
        .help("Size of the controller's SQLite database in bytes (free pages included)")
        .callback(cb -> cb.call(databaseBytes.getAsLong()))
        .register(registry);
    CounterWithCallback.builder()
        .name("labscan_pruned_rows_total")
        .help("Rows deleted by retention (daily prune) since the controller started, per table")
        .labelNames("table")
        .callback(cb -> prunedRows.get().forEach((table, rows) -> cb.call(rows, table)))
        .register(registry);
    requireNonNull(agentsConnected, "agentsConnected");
    requireNonNull(verdictCounts, "verdictCounts");
    GaugeWithCallback.builder()
        .name("labscan_agents_connected")
        .help("Agents with an open command stream to this controller")
        .callback(cb -> cb.call(agentsConnected.getAsInt()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("labscan_hosts")
        .help("Hosts per current verdict")
        .labelNames("verdict")
        .callback(cb -> {
          Map<Verdict, Integer> counts = verdictCounts.get();
          for (Verdict v : Verdict.values()) {
            cb.call(counts.getOrDefault(v, 0), v.name());
          }
        })
        .register(registry);
    reports = Counter.builder()
        .name("labscan_reports_ingested_total")
        .help("Reports received from agents and imports, by outcome")
        .labelNames("outcome")
        .register(registry);
    ingestSeconds = Histogram.builder()
        .name("labscan_report_ingest_seconds")
        .help("Time from a report's arrival to its commit in the store")
        .classicOnly()
        .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
        .register(registry);
    for (Store.IngestOutcome outcome : Store.IngestOutcome.values()) {
      reports.labelValues(outcome.name().toLowerCase(Locale.ROOT));
    }
  }

  @Override
  public void ingested(Report report, Store.IngestOutcome outcome, Duration latency) {
    reports.labelValues(outcome.name().toLowerCase(Locale.ROOT)).inc();
    ingestSeconds.observe(latency.toNanos() / 1e9);
  }

  /**
   * Registers {@code labscan_complaints{day, outcome}}: complaints handled per UTC day and
   * outcome, read from {@code perDay} at each scrape (day → outcome → count). Once.
   */
  public void complaintsPerDay(Supplier<Map<String, Map<String, Long>>> perDay) {
    requireNonNull(perDay, "perDay");
    GaugeWithCallback.builder()
        .name("labscan_complaints")
        .help("Complaints from watched mailboxes handled per UTC day (last 14 days), by outcome")
        .labelNames("day", "outcome")
        .callback(cb -> perDay.get().forEach((day, outcomes) ->
            outcomes.forEach((outcome, n) -> cb.call(n, day, outcome))))
        .register(registry);
  }

  /**
   * Registers the agents' own resource use per lab (docs/reliability.md), read from {@code perLab}
   * at each scrape: {@code labscan_agent_rss_bytes{lab, stat="median|max"}},
   * {@code labscan_agent_cpu_percent{lab, stat="median|max"}} (percent of one core, averaged over
   * the agents' budget window), {@code labscan_agents_reporting_resources{lab}} and
   * {@code labscan_agents_over_budget{lab}}. Once.
   *
   * <p><b>Per lab, not per host.</b> A host label would make one time series per machine and
   * metric (thousands in a campus, each new host id a new series that never goes away), the label
   * explosion Prometheus warns against; the per-host figures are in the host API. A lab's median
   * and maximum say what the agent costs and whether one machine leaks; the over-budget count
   * says how many to look at.
   */
  public void agentResources(Supplier<Map<String, io.labscan.controller.selfwatch.LabResources>> perLab) {
    requireNonNull(perLab, "perLab");
    GaugeWithCallback.builder()
        .name("labscan_agent_rss_bytes")
        .help("Resident size of the LabScan agents per lab: median and max over the agents reporting")
        .labelNames("lab", "stat")
        .callback(cb -> perLab.get().forEach((lab, r) -> {
          cb.call(r.rssMedianBytes(), lab, "median");
          cb.call(r.rssMaxBytes(), lab, "max");
        }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("labscan_agent_cpu_percent")
        .help("CPU use of the LabScan agents per lab, percent of one core over their budget window: median and max")
        .labelNames("lab", "stat")
        .callback(cb -> perLab.get().forEach((lab, r) -> {
          cb.call(r.cpuMedianPercent(), lab, "median");
          cb.call(r.cpuMaxPercent(), lab, "max");
        }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("labscan_agents_reporting_resources")
        .help("Agents per lab whose heartbeat carried their own resource figures")
        .labelNames("lab")
        .callback(cb -> perLab.get().forEach((lab, r) -> cb.call(r.agents(), lab)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("labscan_agents_over_budget")
        .help("Agents per lab over their memory or CPU budget, or restarted for memory within a day")
        .labelNames("lab")
        .callback(cb -> perLab.get().forEach((lab, r) -> cb.call(r.overBudget(), lab)))
        .register(registry);
  }

  /**
   * Registers {@code labscan_singleton_job_held{job}} (1 where this controller holds the job's
   * lock now, 0 otherwise; one series per job that runs once among controllers sharing a
   * database, issue 20) and {@code labscan_controller_instance_info{instance}} (always 1: which
   * controller answered the scrape). Read from the locks' last known state at each scrape: a
   * scrape never asks the database. Once.
   *
   * @param jobs the jobs with a lock, read at each scrape
   * @param held whether this controller holds a job's lock
   * @param instance this controller's name among its peers
   */
  public void singletonJobs(Supplier<java.util.List<String>> jobs, java.util.function.Predicate<String> held,
      String instance) {
    requireNonNull(jobs, "jobs");
    requireNonNull(held, "held");
    requireNonNull(instance, "instance");
    GaugeWithCallback.builder()
        .name("labscan_singleton_job_held")
        .help("1 where this controller holds the lock of a job that runs on one controller at a time, else 0")
        .labelNames("job")
        .callback(cb -> jobs.get().forEach(job -> cb.call(held.test(job) ? 1 : 0, job)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("labscan_controller_instance_info")
        .help("The controller that answered this scrape (always 1)")
        .labelNames("instance")
        .callback(cb -> cb.call(1, instance))
        .register(registry);
  }

  public String contentType() {
    return writer.getContentType();
  }

  /** The current values in the Prometheus text format. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
