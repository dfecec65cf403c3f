package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.EvidenceSink;

/**
 * The scan-summary counters a file walk feeds: files and bytes read, and entries passed over
 * by reason. Lets the store walker and readers be exercised without a whole scan.
 */
public interface ScanCounters {

  /** Counts files and bytes examined. */
  void scanned(long files, long bytes);

  /** Counts entries passed over, by a short reason such as {@code "too-large"}. */
  void skipped(String reason, long count);

  /** Counters that write into a scan's evidence sink. */
  static ScanCounters of(EvidenceSink sink) {
    requireNonNull(sink, "sink");
    return new ScanCounters() {
      @Override
      public void scanned(long files, long bytes) {
        sink.scanned(files, bytes);
      }

      @Override
      public void skipped(String reason, long count) {
        sink.skipped(reason, count);
      }
    };
  }
}
