package io.labscan.agent.checks;

import java.time.Duration;

/**
 * One kind of evidence the agent collects (inventory, antivirus status, artifacts, ...).
 *
 * <p>A check reads the machine (under {@link ScanContext#root()} for anything on disk) and
 * writes what it found into the {@link EvidenceSink}. It must never write to or execute
 * anything it scans. A check that cannot do its work throws; the scanner records the
 * failure in the scan summary and carries on with the other checks.
 *
 * <p>A check runs under a time budget ({@link #budget()}, or the policy's
 * {@code check_budget_seconds}): the scanner runs it on a thread of its own and interrupts
 * that thread when the budget is spent. A check must therefore honour interruption at every
 * point where hostile input can make it wait or loop (file walks, parser loops, SQLite
 * queries); one that does not is abandoned and the report is delivered without it.
 */
public interface Check {

  /** Short stable name, used in scan summaries and logs, e.g. {@code "inventory"}. */
  String name();

  /** Whether this check belongs in a scan of the given kind. */
  default boolean appliesTo(ScanPlan plan) {
    return true;
  }

  /**
   * How long one run may take when the policy sets no budget for this check. The built-in
   * budgets of the standard checks add up to less than the worker's 6 h timeout, so a scan
   * whose every check overruns still ends with a report.
   */
  default Duration budget() {
    return Duration.ofMinutes(15);
  }

  /** Runs the check once. */
  void run(ScanContext context, EvidenceSink sink) throws Exception;
}
