package io.labscan.agent.checks.artifacts;

/**
 * Listens to a running artifact scan, e.g. to show progress on a terminal. Called from the
 * scanning thread, often (per file): implementations must be cheap and throttle themselves.
 */
public interface ScanProgress {

  /** The scan of {@code root} begins. */
  void started(String root);

  /** Progress so far; {@code folder} is relative to the root, '/'-separated, untrusted text. */
  void progress(long files, long bytesRead, String folder);

  /** The scan ended (also after a failure, with what was done up to then). */
  void finished(ScanTotals totals);

  /** Shows nothing. */
  static ScanProgress none() {
    return new ScanProgress() {
      @Override
      public void started(String root) {}

      @Override
      public void progress(long files, long bytesRead, String folder) {}

      @Override
      public void finished(ScanTotals totals) {}
    };
  }

  /**
   * Progress on standard error when it is an interactive terminal ({@code System.console()}
   * is not null), at most about four updates a second; nothing otherwise, so logs and pipes
   * stay clean.
   */
  static ScanProgress forConsole() {
    return System.console() == null ? none() : new ConsoleScanProgress(System.err, System::nanoTime);
  }
}
