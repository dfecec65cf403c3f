package io.labscan.agent.selfwatch.linux;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The CPU times of {@code /proc/<pid>/stat} (proc(5)): {@code utime} (field 14) and {@code stime}
 * (field 15), in clock ticks, and {@code num_threads} (field 20). Stateless.
 *
 * <p><b>Why after the last parenthesis.</b> Field 2 is the command name in parentheses, and a
 * process may name itself anything up to 15 bytes, spaces and ')' included ({@code prctl
 * PR_SET_NAME}); fields are counted from the last ')' on, as procps does.
 *
 * @param ticks utime + stime, in clock ticks ({@code sysconf(_SC_CLK_TCK)}, 100 on every Linux ABI)
 * @param threads num_threads
 */
public record ProcSelfStat(long ticks, int threads) {
  /** Field numbers (1-based, proc(5)) of what is read; the fields after ')' start at 3. */
  private static final int UTIME = 14;
  private static final int STIME = 15;
  private static final int NUM_THREADS = 20;
  private static final int FIRST_AFTER_COMM = 3;

  /** @throws IllegalArgumentException when the line is not a stat line */
  public static ProcSelfStat parse(String line) {
    requireNonNull(line, "line");
    int close = line.lastIndexOf(')');
    if (close < 0 || line.indexOf('(') < 0 || line.indexOf('(') > close) {
      throw new IllegalArgumentException("not a /proc stat line: no (comm)");
    }
    String[] f = line.substring(close + 1).strip().split("\\s+");
    if (f.length <= NUM_THREADS - FIRST_AFTER_COMM) {
      throw new IllegalArgumentException("not a /proc stat line: " + (f.length + 2) + " fields");
    }
    try {
      long utime = Long.parseLong(f[UTIME - FIRST_AFTER_COMM]);
      long stime = Long.parseLong(f[STIME - FIRST_AFTER_COMM]);
      int threads = Integer.parseInt(f[NUM_THREADS - FIRST_AFTER_COMM]);
      if (utime < 0 || stime < 0 || threads < 0) {
        throw new IllegalArgumentException("negative CPU time or thread count in /proc stat");
      }
      return new ProcSelfStat(Math.addExact(utime, stime), threads);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("not a /proc stat line: " + e.getMessage());
    }
  }

  /** The CPU time at {@code ticksPerSecond}. */
  public Duration cpuTime(long ticksPerSecond) {
    if (ticksPerSecond <= 0) {
      throw new IllegalArgumentException("ticksPerSecond must be positive");
    }
    long seconds = ticks / ticksPerSecond;
    long rest = ticks % ticksPerSecond;
    return Duration.ofSeconds(seconds, rest * 1_000_000_000L / ticksPerSecond);
  }
}
