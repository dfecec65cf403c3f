package io.labscan.agent.checks;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.CheckOutcome;
import io.labscan.proto.v1.CheckResult;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanSummary;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the checks of one scan and assembles their evidence into a report. One failing check
 * never sinks the scan: its failure is recorded in the summary and the others still run.
 */
public final class Scanner {
  private static final Logger log = LoggerFactory.getLogger(Scanner.class);

  private final List<Check> checks;
  private final LongSupplier sequences;

  /**
   * @param checks the checks, run in this order
   * @param sequences hands out the agent's strictly increasing report sequence numbers
   */
  public Scanner(List<Check> checks, LongSupplier sequences) {
    this.checks = List.copyOf(requireNonNull(checks, "checks"));
    this.sequences = requireNonNull(sequences, "sequences");
  }

  public Report scan(ScanContext context) {
    requireNonNull(context, "context");
    Instant started = context.clock().instant();
    Report.Builder report = Report.newBuilder();
    ScanSummary.Builder summary = ScanSummary.newBuilder()
        .setScanId(UUID.randomUUID().toString())
        .setKind(context.plan().kind())
        .setTrigger(context.plan().trigger())
        .setStarted(Timestamps.fromMillis(started.toEpochMilli()));
    if (!context.liveSystem()) {
      summary.setRoot(context.root().toString());
    }
    EvidenceSink sink = new EvidenceSink(report, summary);
    for (Check check : checks) {
      if (!check.appliesTo(context.plan())) {
        continue;
      }
      long t0 = System.nanoTime();
      CheckResult.Builder result = CheckResult.newBuilder().setCheck(check.name());
      try {
        check.run(context, sink);
        result.setOutcome(CheckOutcome.CHECK_OUTCOME_OK);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        result.setOutcome(CheckOutcome.CHECK_OUTCOME_FAILED).setMessage("interrupted");
      } catch (Exception | LinkageError e) {
        log.warn("Check {} failed: {}", check.name(), e.toString(), e);
        result.setOutcome(CheckOutcome.CHECK_OUTCOME_FAILED)
            .setMessage(e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()));
      }
      result.setDurationMillis((System.nanoTime() - t0) / 1_000_000);
      summary.addChecks(result);
    }
    Instant finished = context.clock().instant();
    summary.setFinished(Timestamps.fromMillis(finished.toEpochMilli()));
    return report
        .setReportId(UUID.randomUUID().toString())
        .setSequence(sequences.getAsLong())
        .setCreated(Timestamps.fromMillis(finished.toEpochMilli()))
        .setPolicyVersion(context.policy().getVersion())
        .setScan(summary)
        .build();
  }
}
