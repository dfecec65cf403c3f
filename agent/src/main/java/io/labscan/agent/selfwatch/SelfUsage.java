package io.labscan.agent.selfwatch;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * One reading of the agent's own resource use, as the operating system counts it.
 *
 * @param rssBytes resident set size (Linux VmRSS, Windows working set, macOS resident size)
 * @param anonBytes its anonymous part (heap, stacks, malloc arenas), where the platform says
 * @param fileBytes its file-backed and shared part (mapped jars, libraries, CDS archive), where the platform says
 * @param cpuTime CPU time (user + system) the process used since it started
 * @param threads live threads of the process (all of them where the OS counts; Java threads otherwise)
 */
public record SelfUsage(long rssBytes, OptionalLong anonBytes, OptionalLong fileBytes, Duration cpuTime,
    int threads) {
  public SelfUsage {
    requireNonNull(anonBytes, "anonBytes");
    requireNonNull(fileBytes, "fileBytes");
    requireNonNull(cpuTime, "cpuTime");
    if (rssBytes < 0 || threads < 0 || cpuTime.isNegative()) {
      throw new IllegalArgumentException("negative resource reading: rss " + rssBytes + ", cpu " + cpuTime
          + ", threads " + threads);
    }
  }
}
