package io.labscan.agent.checks;

import static java.util.Objects.requireNonNull;

import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.HarvestDigests;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.util.Map;

/**
 * Where checks put what they found. Collects into the report being built; checks never see
 * the report itself, so the scanner alone decides ids, sequence numbers and the summary.
 */
public final class EvidenceSink {
  private final io.labscan.proto.v1.Report.Builder report;
  private final io.labscan.proto.v1.ScanSummary.Builder summary;

  EvidenceSink(io.labscan.proto.v1.Report.Builder report,
      io.labscan.proto.v1.ScanSummary.Builder summary) {
    this.report = requireNonNull(report, "report");
    this.summary = requireNonNull(summary, "summary");
  }

  public synchronized void inventory(HostInventory inventory) {
    report.setInventory(requireNonNull(inventory, "inventory"));
  }

  public synchronized void av(AvStatus status) {
    report.addAv(requireNonNull(status, "status"));
  }

  public synchronized void finding(ArtifactFinding finding) {
    report.addFindings(requireNonNull(finding, "finding"));
  }

  public synchronized void egress(SmtpEgressWindow window) {
    report.addEgress(requireNonNull(window, "window"));
  }

  public synchronized void harvest(HarvestDigests digests) {
    report.setHarvest(requireNonNull(digests, "digests"));
  }

  /** Counts files and bytes examined. */
  public synchronized void scanned(long files, long bytes) {
    summary.setFilesScanned(summary.getFilesScanned() + files);
    summary.setBytesScanned(summary.getBytesScanned() + bytes);
  }

  /** Counts entries passed over, by a short reason such as {@code "too-large"}. */
  public synchronized void skipped(String reason, long count) {
    requireNonNull(reason, "reason");
    Map<String, Long> skipped = summary.getSkippedMap();
    summary.putSkipped(reason, skipped.getOrDefault(reason, 0L) + count);
  }
}
