package io.labscan.agent.selfwatch.macos;

import static java.util.Objects.requireNonNull;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.labscan.agent.selfwatch.SelfUsage;
import io.labscan.agent.selfwatch.SelfUsageMeter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's own resource use on macOS: the resident size from {@code task_info(mach_task_self(),
 * MACH_TASK_BASIC_INFO)}, or, when that binding fails, from {@code ps -o rss= -p PID} (KiB); CPU
 * time from the JDK ({@code ProcessHandle...totalCpuDuration()}, which asks {@code proc_pidinfo}
 * and, unlike the basic info's {@code user_time}, counts live threads); threads from the JVM.
 *
 * <p>{@code mach_task_basic_info} is read at fixed offsets: {@code virtual_size} (8 bytes),
 * {@code resident_size} (8), {@code resident_size_max} (8), two {@code time_value_t} (8 each),
 * {@code policy} and {@code suspend_count} (4 each): 48 bytes, 12 {@code natural_t} words.
 * macOS has no anon/file split in this call; those are unknown.
 */
public final class MacSelfUsage implements SelfUsageMeter {
  private static final Logger log = LoggerFactory.getLogger(MacSelfUsage.class);
  /** MACH_TASK_BASIC_INFO in mach/task_info.h. */
  static final int MACH_TASK_BASIC_INFO = 20;
  static final int MACH_TASK_BASIC_INFO_COUNT = 12;
  static final int RESIDENT_SIZE_OFFSET = 8;
  private static final Duration PS_TIMEOUT = Duration.ofSeconds(5);

  /** libSystem, as much of it as the agent uses. */
  interface LibSystem extends Library {
    int mach_task_self();

    int task_info(int task, int flavor, Pointer info, int[] count);
  }

  private final @Nullable LibSystem system;

  private MacSelfUsage(@Nullable LibSystem system) {
    this.system = system;
  }

  /** This process: task_info when libSystem binds, else {@code ps}. */
  public static MacSelfUsage system() {
    @Nullable LibSystem lib = null;
    try {
      lib = Native.load("System", LibSystem.class);
    } catch (RuntimeException | LinkageError e) {
      log.info("task_info unavailable ({}); reading the resident size with ps.", e.toString());
    }
    return new MacSelfUsage(lib);
  }

  @Override
  public SelfUsage measure() {
    LibSystem lib = system;
    long rss = lib != null ? taskInfoResidentSize(lib) : psResidentSize(ProcessHandle.current().pid());
    Duration cpu = ProcessHandle.current().info().totalCpuDuration().orElseThrow(() ->
        new IllegalStateException("the JDK cannot read this process's CPU time"));
    return new SelfUsage(rss, OptionalLong.empty(), OptionalLong.empty(), cpu,
        ManagementFactory.getThreadMXBean().getThreadCount());
  }

  private long taskInfoResidentSize(LibSystem system) {
    Memory info = new Memory(MACH_TASK_BASIC_INFO_COUNT * 4L);
    int[] count = {MACH_TASK_BASIC_INFO_COUNT};
    int kr = system.task_info(system.mach_task_self(), MACH_TASK_BASIC_INFO, info, count);
    if (kr != 0) {
      log.debug("task_info returned {}; asking ps.", kr);
      return psResidentSize(ProcessHandle.current().pid());
    }
    return info.getLong(RESIDENT_SIZE_OFFSET);
  }

  /** {@code ps -o rss= -p PID}: the resident size in KiB. */
  static long psResidentSize(long pid) {
    try {
      Process ps = new ProcessBuilder("/bin/ps", "-o", "rss=", "-p", Long.toString(pid))
          .redirectErrorStream(true).start();
      String out;
      try (var in = ps.getInputStream()) {
        out = new String(in.readNBytes(256), StandardCharsets.US_ASCII);
      }
      if (!ps.waitFor(PS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        ps.destroyForcibly();
        throw new IllegalStateException("ps did not answer within " + PS_TIMEOUT.toSeconds() + " s");
      }
      return parsePsRss(out);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run ps: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading ps", e);
    }
  }

  /** The output of {@code ps -o rss=} ("  98692\n") in bytes. */
  static long parsePsRss(String out) {
    String v = requireNonNull(out, "out").strip();
    try {
      long kib = Long.parseLong(v);
      if (kib < 0 || kib > (1L << 38)) {
        throw new IllegalStateException("ps reported an impossible resident size: " + v);
      }
      return kib * 1024;
    } catch (NumberFormatException e) {
      throw new IllegalStateException("ps did not print a resident size: '" + v + "'");
    }
  }
}
