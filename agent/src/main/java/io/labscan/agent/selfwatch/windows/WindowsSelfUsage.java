package io.labscan.agent.selfwatch.windows;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import io.labscan.agent.selfwatch.SelfUsage;
import io.labscan.agent.selfwatch.SelfUsageMeter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The agent's own resource use on Windows: the working set from {@code GetProcessMemoryInfo}
 * (psapi), CPU time from {@code GetProcessTimes} (kernel + user, in 100 ns units), threads from
 * the JVM (Windows has no per-process thread count short of a toolhelp snapshot of the whole
 * system, which costs more than the reading is worth every minute).
 *
 * <p><b>Why the working set.</b> It is what Task Manager shows as "Memory" and what Velociraptor
 * and osquery report; it is Windows' resident size. Windows does not split it into anonymous
 * and file-backed parts cheaply (QueryWorkingSetEx walks every page), so those are unknown.
 *
 * <p>{@code PROCESS_MEMORY_COUNTERS} is read from raw memory at fixed offsets rather than
 * through a JNA {@code Structure} (no reflection, and jna-platform has no mapping for it):
 * {@code DWORD cb, DWORD PageFaultCount}, then {@code SIZE_T} fields, of which
 * {@code WorkingSetSize} is the second.
 */
public final class WindowsSelfUsage implements SelfUsageMeter {
  /** psapi.dll, as much of it as the agent uses. */
  interface Psapi extends Library {
    boolean GetProcessMemoryInfo(WinNT.HANDLE process, Pointer counters, int cb);
  }

  /** cb, PageFaultCount and eight SIZE_T fields. */
  private static final int COUNTERS_SIZE = 8 + 8 * Native.SIZE_T_SIZE;
  private static final int WORKING_SET_OFFSET = 8 + Native.SIZE_T_SIZE;

  private final Psapi psapi;
  private final Kernel32 kernel32;

  private WindowsSelfUsage(Psapi psapi, Kernel32 kernel32) {
    this.psapi = psapi;
    this.kernel32 = kernel32;
  }

  /** This process; binds psapi.dll and kernel32.dll on first use. */
  public static WindowsSelfUsage system() {
    return new WindowsSelfUsage(Native.load("psapi", Psapi.class), Kernel32.INSTANCE);
  }

  @Override
  public SelfUsage measure() {
    WinNT.HANDLE self = kernel32.GetCurrentProcess(); // a pseudo-handle: nothing to close
    Memory counters = new Memory(COUNTERS_SIZE);
    counters.clear();
    counters.setInt(0, COUNTERS_SIZE);
    if (!psapi.GetProcessMemoryInfo(self, counters, COUNTERS_SIZE)) {
      throw new IllegalStateException("GetProcessMemoryInfo failed with error " + kernel32.GetLastError());
    }
    long workingSet = Native.SIZE_T_SIZE == 8 ? counters.getLong(WORKING_SET_OFFSET)
        : Integer.toUnsignedLong(counters.getInt(WORKING_SET_OFFSET));
    WinBase.FILETIME creation = new WinBase.FILETIME();
    WinBase.FILETIME exit = new WinBase.FILETIME();
    WinBase.FILETIME kernel = new WinBase.FILETIME();
    WinBase.FILETIME user = new WinBase.FILETIME();
    if (!kernel32.GetProcessTimes(self, creation, exit, kernel, user)) {
      throw new IllegalStateException("GetProcessTimes failed with error " + kernel32.GetLastError());
    }
    return new SelfUsage(workingSet, OptionalLong.empty(), OptionalLong.empty(),
        hundredNanos(kernel).plus(hundredNanos(user)), ManagementFactory.getThreadMXBean().getThreadCount());
  }

  /** A FILETIME that is a duration (kernel/user time), in 100 ns units. */
  static Duration hundredNanos(WinBase.FILETIME t) {
    long units = (Integer.toUnsignedLong(t.dwHighDateTime) << 32) | Integer.toUnsignedLong(t.dwLowDateTime);
    return Duration.ofSeconds(units / 10_000_000L, (units % 10_000_000L) * 100);
  }
}
