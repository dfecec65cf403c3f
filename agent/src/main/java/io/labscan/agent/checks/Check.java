package io.labscan.agent.checks;

/**
 * One kind of evidence the agent collects (inventory, antivirus status, artifacts, ...).
 *
 * <p>A check reads the machine (under {@link ScanContext#root()} for anything on disk) and
 * writes what it found into the {@link EvidenceSink}. It must never write to or execute
 * anything it scans. A check that cannot do its work throws; the scanner records the
 * failure in the scan summary and carries on with the other checks.
 */
public interface Check {

  /** Short stable name, used in scan summaries and logs, e.g. {@code "inventory"}. */
  String name();

  /** Whether this check belongs in a scan of the given kind. */
  default boolean appliesTo(ScanPlan plan) {
    return true;
  }

  /** Runs the check once. */
  void run(ScanContext context, EvidenceSink sink) throws Exception;
}
