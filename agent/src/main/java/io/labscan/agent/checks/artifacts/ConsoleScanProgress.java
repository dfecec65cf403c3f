package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.rules.Printable;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One status line rewritten in place with {@code \r}: files, bytes read, rate and the current
 * folder; then a one-line summary. Folder names come from the scanned disk and are stripped of
 * control characters before they reach the terminal.
 */
final class ConsoleScanProgress implements ScanProgress {
  static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  static final int WIDTH = 100;

  private final PrintStream out;
  private final LongSupplier nanoTime;
  private long startedAt;
  private long lastShown;
  private int shownLength;

  ConsoleScanProgress(PrintStream out, LongSupplier nanoTime) {
    this.out = requireNonNull(out, "out");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
  }

  @Override
  public void started(String root) {
    startedAt = nanoTime.getAsLong();
    lastShown = startedAt;
    out.println("Scanning " + Printable.tail(root, WIDTH - 9) + " for artifacts...");
  }

  @Override
  public void progress(long files, long bytesRead, String folder) {
    long now = nanoTime.getAsLong();
    if (now - lastShown < INTERVAL_NANOS) {
      return;
    }
    lastShown = now;
    double seconds = Math.max(1e-9, (now - startedAt) / 1e9);
    String head = String.format(Locale.ROOT, "%,d files  %s read  %,.0f files/s  ",
        files, bytes(bytesRead), files / seconds);
    String where = Printable.tail(folder.isEmpty() ? "/" : folder, Math.max(10, WIDTH - 1 - head.length()));
    show(head + where);
  }

  @Override
  public void finished(ScanTotals totals) {
    if (shownLength > 0) {
      out.print("\r" + " ".repeat(shownLength) + "\r"); // blank out the status line
      shownLength = 0;
    }
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
        "Artifact scan: %,d files in %s, %s read (%,d files read, %,d from cache), %,d finding%s",
        totals.files(), duration(totals.elapsed().toMillis()), bytes(totals.bytesRead()),
        totals.filesRead(), totals.cacheHits(), totals.findings(), totals.findings() == 1 ? "" : "s"));
    if (!totals.skipped().isEmpty()) {
      StringJoiner skipped = new StringJoiner(", ", "; skipped: ", "");
      for (Map.Entry<String, Long> e : totals.skipped().entrySet()) {
        skipped.add(e.getKey() + " " + String.format(Locale.ROOT, "%,d", e.getValue()));
      }
      line.append(skipped);
    }
    out.println(line);
    out.flush();
  }

  private void show(String text) {
    String padded = text.length() < shownLength ? text + " ".repeat(shownLength - text.length()) : text;
    out.print("\r" + padded);
    out.flush();
    shownLength = text.length();
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static String duration(long millis) {
    long s = millis / 1000;
    return s < 60 ? String.format(Locale.ROOT, "%.1f s", millis / 1000.0)
        : String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
  }
}
