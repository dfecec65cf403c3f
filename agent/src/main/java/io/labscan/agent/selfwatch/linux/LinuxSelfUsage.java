package io.labscan.agent.selfwatch.linux;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.selfwatch.SelfUsage;
import io.labscan.agent.platform.linux.Libc;
import io.labscan.agent.selfwatch.SelfUsageMeter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The agent's own resource use on Linux, from {@code /proc/self/status} (resident size, its
 * anon/file split, threads) and {@code /proc/self/stat} (CPU ticks): two reads of a few hundred
 * bytes, no native call but one {@code sysconf} at start.
 */
public final class LinuxSelfUsage implements SelfUsageMeter {
  /** USER_HZ: fixed at 100 by every Linux ABI the agent runs on; asked of libc when it answers. */
  static final long DEFAULT_TICKS = 100;
  /** {@code _SC_CLK_TCK} in glibc's unistd.h. */
  private static final int SC_CLK_TCK = 2;

  private final Path procSelf;
  private final long ticksPerSecond;

  LinuxSelfUsage(Path procSelf, long ticksPerSecond) {
    this.procSelf = requireNonNull(procSelf, "procSelf");
    if (ticksPerSecond <= 0) {
      throw new IllegalArgumentException("ticksPerSecond must be positive");
    }
    this.ticksPerSecond = ticksPerSecond;
  }

  /** This process, through {@code /proc/self}. */
  public static LinuxSelfUsage system() {
    return new LinuxSelfUsage(Path.of("/proc/self"), clockTicks());
  }

  /** A process directory laid out like {@code /proc/<pid>} (tests: a folder of recorded samples). */
  public static LinuxSelfUsage at(Path procDir, long ticksPerSecond) {
    return new LinuxSelfUsage(procDir, ticksPerSecond);
  }

  @Override
  public SelfUsage measure() {
    try {
      ProcSelfStatus status = ProcSelfStatus.parse(read("status"));
      ProcSelfStat stat = ProcSelfStat.parse(read("stat"));
      return new SelfUsage(status.rssBytes(), status.anonBytes(), status.fileBytes(), stat.cpuTime(ticksPerSecond),
          status.threads().orElse(stat.threads()));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot read " + procSelf + ": " + e.getMessage(), e);
    }
  }

  private String read(String name) throws IOException {
    // A status file is about 1.5 KiB; the bound keeps a bind-mounted oddity from costing more.
    try (var in = Files.newInputStream(procSelf.resolve(name))) {
      return new String(in.readNBytes(16 * 1024), StandardCharsets.US_ASCII);
    }
  }

  private static long clockTicks() {
    try {
      long ticks = Libc.Sys.sysconf(SC_CLK_TCK);
      return ticks > 0 ? ticks : DEFAULT_TICKS;
    } catch (RuntimeException | LinkageError e) {
      return DEFAULT_TICKS;
    }
  }
}
