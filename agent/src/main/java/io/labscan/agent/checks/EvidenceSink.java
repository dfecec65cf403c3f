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
 *
 * <p>The scanner hands each check its own sink over the one report, and closes it when the
 * check ends or overruns its time budget: what a check writes before that is kept (evidence
 * found before a timeout is still evidence), what an abandoned check writes after it is
 * dropped, so a check still running on its own thread can never change a report that was
 * already built. All sinks of a report share one lock.
 */
public final class EvidenceSink {
  private final io.labscan.proto.v1.Report.Builder report;
  private final io.labscan.proto.v1.ScanSummary.Builder summary;
  private final Object lock;
  private boolean closed;

  EvidenceSink(io.labscan.proto.v1.Report.Builder report,
      io.labscan.proto.v1.ScanSummary.Builder summary) {
    this(report, summary, new Object());
  }

  private EvidenceSink(io.labscan.proto.v1.Report.Builder report,
      io.labscan.proto.v1.ScanSummary.Builder summary, Object lock) {
    this.report = requireNonNull(report, "report");
    this.summary = requireNonNull(summary, "summary");
    this.lock = requireNonNull(lock, "lock");
  }

  /** Another sink into the same report, for one check; closed independently of this one. */
  EvidenceSink another() {
    return new EvidenceSink(report, summary, lock);
  }

  /** From now on everything written here is dropped. */
  void close() {
    synchronized (lock) {
      closed = true;
    }
  }

  public void inventory(HostInventory inventory) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      report.setInventory(requireNonNull(inventory, "inventory"));
    }
  }

  public void av(AvStatus status) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      report.addAv(requireNonNull(status, "status"));
    }
  }

  public void finding(ArtifactFinding finding) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      report.addFindings(requireNonNull(finding, "finding"));
    }
  }

  public void egress(SmtpEgressWindow window) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      report.addEgress(requireNonNull(window, "window"));
    }
  }

  public void harvest(HarvestDigests digests) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      report.setHarvest(requireNonNull(digests, "digests"));
    }
  }

  /** Counts files and bytes examined. */
  public void scanned(long files, long bytes) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      summary.setFilesScanned(summary.getFilesScanned() + files);
      summary.setBytesScanned(summary.getBytesScanned() + bytes);
    }
  }

  /** Counts entries passed over, by a short reason such as {@code "too-large"}. */
  public void skipped(String reason, long count) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      requireNonNull(reason, "reason");
      Map<String, Long> skipped = summary.getSkippedMap();
      summary.putSkipped(reason, skipped.getOrDefault(reason, 0L) + count);
    }
  }
}
