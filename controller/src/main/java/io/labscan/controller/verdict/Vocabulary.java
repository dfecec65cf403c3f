package io.labscan.controller.verdict;

import java.time.Duration;

/**
 * The facts the verdicts, the compliance figures, triage and the web UI must agree on, each
 * defined once here. Java code uses these constants; the web UI reads them from
 * {@code GET /api/v1/meta} instead of repeating them in HTML or JavaScript.
 */
public final class Vocabulary {
  /** A host without a completed full scan this recent is UNKNOWN, and not compliant. */
  public static final Duration FULL_SCAN_WITHIN = Duration.ofHours(26);
  /** A host whose agent was silent longer is UNKNOWN, and not compliant. */
  public static final Duration SEEN_WITHIN = Duration.ofHours(1);
  /**
   * A traced complaint counts against a host, and triage records it as evidence, from this
   * confidence on.
   */
  public static final double COMPLAINT_THRESHOLD = 0.5;

  private Vocabulary() {}
}
