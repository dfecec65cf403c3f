package io.labscan.controller.cli;

import io.labscan.controller.store.Pruner;
import picocli.CommandLine.Option;

/** The retention settings shared by {@code serve} (daily prune) and {@code prune}. */
final class RetentionOptions {
  @Option(names = "--keep-reports-days", defaultValue = "30", paramLabel = "DAYS",
      description = "Raw reports older than this are pruned, except each host's newest report, latest full scan "
          + "and latest antivirus status (default: ${DEFAULT-VALUE}).")
  int reportDays;

  @Option(names = "--keep-findings-days", defaultValue = "90", paramLabel = "DAYS",
      description = "Findings, scans, antivirus observations and egress windows older than this are pruned, "
          + "except those current verdicts rest on (default: ${DEFAULT-VALUE}; at least 31).")
  int findingDays;

  @Option(names = "--keep-history-days", defaultValue = "730", paramLabel = "DAYS",
      description = "Verdict history and complaint traces (triage answers) older than this are pruned "
          + "(default: ${DEFAULT-VALUE}).")
  int historyDays;

  @Option(names = "--keep-audit-days", defaultValue = "400", paramLabel = "DAYS",
      description = "Audit log entries older than this are pruned (default: ${DEFAULT-VALUE}; at least 91).")
  int auditDays;

  @Option(names = "--keep-complaints-days", defaultValue = "400", paramLabel = "DAYS",
      description = "Complaints that arrived by mail (the Complaints page) older than this are pruned "
          + "(default: ${DEFAULT-VALUE}; at least 31).")
  int complaintDays;

  /** The settings; an IllegalArgumentException names a bad one. */
  Pruner.Retention retention() {
    return new Pruner.Retention(reportDays, findingDays, historyDays, auditDays, complaintDays);
  }
}
