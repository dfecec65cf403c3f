package io.labscan.agent.checks;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.labscan.contract.policy.CheckBudgets;
import io.labscan.proto.v1.CheckOutcome;
import io.labscan.proto.v1.CheckResult;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the checks of one scan and assembles their evidence into a report. One failing check
 * never sinks the scan: its failure is recorded in the summary and the others still run.
 *
 * <h2>Time budgets</h2>
 *
 * <p>Nothing a user of the scanned machine can write may keep a scan from ending with a
 * report: a 4 KiB address book with a recursive view, a mailbox crafted to make a parser
 * loop, a FUSE file system whose reads never return. So each check runs on a thread of its
 * own under a deadline, its {@link #budgetOf budget}. When the budget is spent the thread is
 * interrupted; checks honour that at their blocking points (walks between entries, parser
 * loops, SQLite through a progress handler). The check is then recorded as failed with
 * "timed out", and {@code scan.skipped["timeout:<check>"]} is counted so the controller sees
 * which evidence is missing. A check that still has not stopped {@link #DEFAULT_GRACE} after
 * the interrupt is abandoned: its thread is a daemon thread, its evidence sink is closed (what
 * it writes later is dropped, see {@link EvidenceSink}), and the scan goes on with the next
 * check. The worker JVM exits after writing the report, which ends such a thread.
 *
 * <p>Evidence a check wrote before its deadline stays in the report: a finding made in the
 * first hour of an artifact walk is true whether or not the walk finished.
 */
public final class Scanner {
  private static final Logger log = LoggerFactory.getLogger(Scanner.class);

  /** Prefix of the {@code scan.skipped} key that names a check which ran out of time. */
  public static final String TIMEOUT_PREFIX = "timeout:";
  /** How long an interrupted check has to stop before it is abandoned. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
  /** No budget from a policy is taken above this (a typo must not switch the deadline off). */
  public static final Duration MAX_BUDGET = CheckBudgets.MAX_BUDGET;

  private final List<Check> checks;
  private final LongSupplier sequences;
  private final Duration grace;

  /**
   * @param checks the checks, run in this order
   * @param sequences hands out the agent's strictly increasing report sequence numbers
   */
  public Scanner(List<Check> checks, LongSupplier sequences) {
    this(checks, sequences, DEFAULT_GRACE);
  }

  /** @param grace how long an interrupted check has to stop before it is abandoned */
  Scanner(List<Check> checks, LongSupplier sequences, Duration grace) {
    this.checks = List.copyOf(requireNonNull(checks, "checks"));
    this.sequences = requireNonNull(sequences, "sequences");
    this.grace = requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace < 0");
    }
  }

  /**
   * The time budget of {@code check} under {@code policy}: the policy's
   * {@code check_budget_seconds} entry for the check's name when positive (at most
   * {@link #MAX_BUDGET}), else the check's own {@link Check#budget()}.
   */
  public static Duration budgetOf(Check check, Policy policy) {
    requireNonNull(check, "check");
    requireNonNull(policy, "policy");
    long seconds = policy.getCheckBudgetSecondsMap().getOrDefault(check.name(), 0L);
    if (seconds > 0) {
      return Duration.ofSeconds(Math.min(seconds, MAX_BUDGET.toSeconds()));
    }
    return check.budget();
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
    EvidenceSink scanSink = new EvidenceSink(report, summary);
    boolean cancelled = false;
    for (Check check : checks) {
      if (!check.appliesTo(context.plan())) {
        continue;
      }
      CheckResult.Builder result = CheckResult.newBuilder().setCheck(check.name());
      if (cancelled) {
        result.setOutcome(CheckOutcome.CHECK_OUTCOME_SKIPPED).setMessage("scan interrupted");
      } else {
        cancelled = !runWithBudget(check, context, scanSink, result);
      }
      summary.addChecks(result);
    }
    scanSink.close();
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

  /**
   * Runs one check on its own thread under its budget and records how it went.
   *
   * @return false when the scanning thread itself was interrupted (the scan is cancelled)
   */
  private boolean runWithBudget(Check check, ScanContext context, EvidenceSink scanSink,
      CheckResult.Builder result) {
    Duration budget = budgetOf(check, context.policy());
    EvidenceSink sink = scanSink.another();
    CheckThread thread = new CheckThread(check, context, sink);
    long t0 = System.nanoTime();
    thread.start();
    try {
      thread.join(Math.max(1, budget.toMillis()));
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(Math.max(1, grace.toMillis()));
        boolean abandoned = thread.isAlive();
        sink.close();
        scanSink.skipped(TIMEOUT_PREFIX + check.name(), 1);
        String message = "timed out after " + text(budget)
            + (abandoned ? "; did not stop when interrupted and was abandoned" : "");
        log.warn("Check {} {}; the report goes without the rest of its evidence.",
            check.name(), message);
        result.setOutcome(CheckOutcome.CHECK_OUTCOME_FAILED).setMessage(message);
      } else {
        sink.close();
        thread.record(result);
      }
    } catch (InterruptedException e) {
      // The scan itself is being cancelled: stop the check, keep the flag for our caller.
      thread.interrupt();
      sink.close();
      Thread.currentThread().interrupt();
      result.setOutcome(CheckOutcome.CHECK_OUTCOME_FAILED).setMessage("interrupted");
      return false;
    } finally {
      result.setDurationMillis((System.nanoTime() - t0) / 1_000_000);
    }
    return true;
  }

  /** {@code PT1H30M} as {@code 1h30m}, {@code PT2S} as {@code 2s}. */
  static String text(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  /** The thread one check runs on; a daemon, so an abandoned check cannot keep the JVM up. */
  private static final class CheckThread extends Thread {
    private final Check check;
    private final ScanContext context;
    private final EvidenceSink sink;
    /** Written by this thread before it ends; read after {@code join}, which orders them. */
    private Throwable failure;

    CheckThread(Check check, ScanContext context, EvidenceSink sink) {
      super("labscan-check-" + check.name());
      this.check = check;
      this.context = context;
      this.sink = sink;
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        check.run(context, sink);
      } catch (Throwable e) {
        failure = e;
      }
    }

    /** Records the outcome of a check that ended by itself. */
    void record(CheckResult.Builder result) {
      if (failure == null) {
        result.setOutcome(CheckOutcome.CHECK_OUTCOME_OK);
      } else if (failure instanceof InterruptedException) {
        result.setOutcome(CheckOutcome.CHECK_OUTCOME_FAILED).setMessage("interrupted");
      } else {
        log.warn("Check {} failed: {}", check.name(), failure.toString(), failure);
        result.setOutcome(CheckOutcome.CHECK_OUTCOME_FAILED).setMessage(
            failure.getClass().getSimpleName() + ": " + String.valueOf(failure.getMessage()));
      }
    }
  }
}
