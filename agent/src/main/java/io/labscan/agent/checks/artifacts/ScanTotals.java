package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one artifact scan did.
 *
 * @param files regular files examined (every file's name is checked)
 * @param bytesRead bytes actually read from disk for hashing and body scans
 * @param filesRead files opened and read (the rest needed no reading or came from the cache)
 * @param cacheHits files whose digests or body-scan verdict came from the cache
 * @param findings findings reported
 * @param skipped entries passed over, by reason
 * @param elapsed wall time of the scan
 * @param foldersReused folders not listed because the change journal vouched for their
 *     recorded outcome (their files are in {@code files} and their findings reported)
 */
public record ScanTotals(long files, long bytesRead, long filesRead, long cacheHits, long findings,
    Map<String, Long> skipped, Duration elapsed, long foldersReused) {
  public ScanTotals {
    skipped = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(skipped, "skipped"))); // sorted by reason
    requireNonNull(elapsed, "elapsed");
  }

  /** Totals of a scan without a change journal. */
  public ScanTotals(long files, long bytesRead, long filesRead, long cacheHits, long findings,
      Map<String, Long> skipped, Duration elapsed) {
    this(files, bytesRead, filesRead, cacheHits, findings, skipped, elapsed, 0);
  }
}
