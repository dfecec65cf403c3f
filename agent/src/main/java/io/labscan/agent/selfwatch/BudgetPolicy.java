package io.labscan.agent.selfwatch;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.proto.v1.Policy;
import java.time.Duration;

/**
 * The agent's resource budget, from policy fields 80-83 (defaults: 96 MiB, 2 % of one core over
 * 5 minutes, 5 minutes over the memory budget before a restart).
 *
 * @param memoryBytes resident-size budget
 * @param cpuPercent CPU budget in percent of one core, averaged over {@code cpuWindow}
 * @param cpuWindow the averaging window of the CPU budget
 * @param memoryOverMinutes how long the resident size must stay over budget before a restart
 */
public record BudgetPolicy(long memoryBytes, double cpuPercent, Duration cpuWindow, int memoryOverMinutes) {
  /** Below this a JVM cannot run at all: a smaller budget would restart the agent in a loop. */
  public static final long MIN_MEMORY_BYTES = 32L * 1024 * 1024;
  public static final Duration MIN_CPU_WINDOW = Duration.ofMinutes(1);
  public static final Duration MAX_CPU_WINDOW = Duration.ofHours(1);

  public BudgetPolicy {
    requireNonNull(cpuWindow, "cpuWindow");
    if (memoryBytes < MIN_MEMORY_BYTES) {
      throw new IllegalArgumentException("memory budget below " + MIN_MEMORY_BYTES / (1024 * 1024) + " MiB");
    }
    if (!(cpuPercent > 0) || Double.isInfinite(cpuPercent)) {
      throw new IllegalArgumentException("CPU budget must be a positive percentage");
    }
    if (cpuWindow.compareTo(MIN_CPU_WINDOW) < 0 || cpuWindow.compareTo(MAX_CPU_WINDOW) > 0) {
      throw new IllegalArgumentException("CPU window must be 1 min to 1 h");
    }
    if (memoryOverMinutes < 1) {
      throw new IllegalArgumentException("memoryOverMinutes must be at least 1");
    }
  }

  /** The defaults (PolicyDefaults). */
  public static BudgetPolicy defaults() {
    return from(PolicyDefaults.defaults());
  }

  /**
   * The budget {@code policy} sets, defaults filled in; values out of range are brought into it
   * (a policy comes from the controller, but an agent must never be told into a restart loop).
   */
  public static BudgetPolicy from(Policy policy) {
    Policy p = PolicyDefaults.withDefaults(requireNonNull(policy, "policy"));
    long window = Math.max(MIN_CPU_WINDOW.toSeconds(), Math.min(p.getAgentCpuWindowSeconds(), MAX_CPU_WINDOW.toSeconds()));
    return new BudgetPolicy(Math.max(MIN_MEMORY_BYTES, p.getAgentMemoryBudgetBytes()),
        Math.min(100.0 * Runtime.getRuntime().availableProcessors(), p.getAgentCpuBudgetPercent()),
        Duration.ofSeconds(window), Math.max(1, Math.min(p.getAgentMemoryOverMinutes(), 24 * 60)));
  }
}
