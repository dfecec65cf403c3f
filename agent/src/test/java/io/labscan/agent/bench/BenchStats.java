package io.labscan.agent.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Summary of repeated measurements (median and spread) and the machine's state, for the
 * benchmark mains. Benchmarks print; they never assert on timings.
 */
public final class BenchStats {
  private BenchStats() {}

  /** Median, 10th/90th percentile, min and max of {@code values}. */
  public record Summary(int n, double median, double p10, double p90, double min, double max) {
    public String format(String unit) {
      return String.format(Locale.ROOT, "median %.3f %s (p10 %.3f, p90 %.3f, min %.3f, max %.3f, n=%d)",
          median, unit, p10, p90, min, max, n);
    }
  }

  public static Summary of(double[] values) {
    if (values.length == 0) {
      return new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double[] v = values.clone();
    Arrays.sort(v);
    return new Summary(v.length, percentile(v, 50), percentile(v, 10), percentile(v, 90), v[0], v[v.length - 1]);
  }

  /** Nearest-rank percentile of sorted {@code v}. */
  public static double percentile(double[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** The load averages from /proc/loadavg, as printed by uptime. */
  public static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split("\\s+");
      return "load average " + f[0] + ", " + f[1] + ", " + f[2];
    } catch (IOException | RuntimeException e) {
      return "load average unknown";
    }
  }

  /** VmRSS of this process in MiB, from /proc/self/status. */
  public static double rssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return Double.NaN;
  }

  public static void header(String name) {
    System.out.printf(Locale.ROOT, "# %s | %s | java %s %s | %d cpus%n", name, load(),
        System.getProperty("java.version"), System.getProperty("java.vm.name"),
        Runtime.getRuntime().availableProcessors());
  }
}
