package io.labscan.agent.selfwatch.linux;

import static java.util.Objects.requireNonNull;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The memory and thread lines of {@code /proc/<pid>/status} (proc(5)): {@code VmRSS},
 * {@code RssAnon}, {@code RssFile}, {@code RssShmem} (kB, i.e. KiB) and {@code Threads}.
 * Stateless; the text comes from the caller (a recorded sample in tests).
 *
 * <p><b>Why status, not statm.</b> {@code statm} gives pages and no anon/file split; the split
 * (kernel 4.5+) is what tells a heap leak (anon grows) from mapped jars and the class-data
 * archive (file), and the footprint work measures the same numbers. On older kernels the split
 * lines are missing and the parts are reported unknown, never guessed. {@code RssShmem} counts
 * with the file part: shared memory is not the agent's private growth.
 *
 * @param rssBytes VmRSS
 * @param anonBytes RssAnon, when the kernel reports it
 * @param fileBytes RssFile + RssShmem, when the kernel reports them
 * @param threads the Threads line, when present
 */
public record ProcSelfStatus(long rssBytes, OptionalLong anonBytes, OptionalLong fileBytes, OptionalInt threads) {
  /** Bytes above this are no reading of a real process (a 48-bit address space is 256 TiB). */
  static final long MAX_BYTES = 1L << 48;

  /**
   * Parses the text of a status file.
   *
   * @throws IllegalArgumentException when there is no well-formed {@code VmRSS} line (a kernel
   *     thread, or not a status file)
   */
  public static ProcSelfStatus parse(String text) {
    requireNonNull(text, "text");
    long rss = -1;
    long anon = -1;
    long file = -1;
    long shmem = -1;
    int threads = -1;
    for (String line : text.split("\n", 200)) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon);
      String value = line.substring(colon + 1).strip();
      switch (key) {
        case "VmRSS" -> rss = kib(value, key);
        case "RssAnon" -> anon = kib(value, key);
        case "RssFile" -> file = kib(value, key);
        case "RssShmem" -> shmem = kib(value, key);
        case "Threads" -> threads = count(value);
        default -> { }
      }
    }
    if (rss < 0) {
      throw new IllegalArgumentException("no VmRSS line: not the status of a user process");
    }
    return new ProcSelfStatus(rss,
        anon < 0 ? OptionalLong.empty() : OptionalLong.of(anon),
        file < 0 ? OptionalLong.empty() : OptionalLong.of(file + Math.max(shmem, 0)),
        threads < 0 ? OptionalInt.empty() : OptionalInt.of(threads));
  }

  /** "98692 kB" in bytes. */
  private static long kib(String value, String key) {
    String v = value.endsWith("kB") ? value.substring(0, value.length() - 2).strip() : "";
    try {
      long kib = Long.parseLong(v);
      if (kib < 0 || kib > MAX_BYTES / 1024) {
        throw new IllegalArgumentException(key + " out of range: " + value);
      }
      return kib * 1024;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " is not a size in kB: '" + value + "'");
    }
  }

  private static int count(String value) {
    try {
      return Math.max(0, Integer.parseInt(value));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
