package io.labscan.agent.selfwatch;

/**
 * Reads the agent's own resource use from the operating system: one implementation per platform
 * (Linux /proc/self, Windows GetProcessMemoryInfo/GetProcessTimes, macOS task_info), handed out
 * by the platform seam ({@code PlatformServices.selfUsage()}). Cheap enough to call every minute:
 * two small file reads on Linux, two system calls elsewhere.
 */
@FunctionalInterface
public interface SelfUsageMeter {
  /**
   * The current reading.
   *
   * @throws IllegalStateException when the platform gave no usable answer (the message says why);
   *     the agent then reports no resources and applies no budget decision for that minute
   */
  SelfUsage measure();

  /** A meter for platforms with no reading: every call fails, and the agent skips self-watching. */
  static SelfUsageMeter unavailable(String why) {
    return () -> {
      throw new IllegalStateException(why);
    };
  }
}
