package io.labscan.agent.selfwatch;

import java.time.Instant;
import java.util.Optional;

/**
 * Where the agent stands against its budget after one reading (see {@link ResourceBudget}).
 *
 * @param usage the reading
 * @param at when it was taken (the agent's clock)
 * @param cpuPercent CPU use since the previous reading, percent of one core (0 at the first)
 * @param cpuPercentWindow CPU use averaged over the budget window (or what of it was seen so far)
 * @param windowComplete whether a whole budget window was seen (CPU decisions wait for one)
 * @param overMemory the resident size is over the memory budget
 * @param overMemoryMinutes how long it has been over, without a break, in whole minutes
 * @param slowFactor how much slower the agent samples (1: normal pace; 2, 4, 8 while over the CPU budget)
 * @param paceChanged the slow factor changed with this reading: the watchers must be re-paced
 * @param restart the agent should restart itself now (memory over budget long enough, back-off allows it)
 * @param restartHeld over budget long enough, but the back-off forbids another restart today
 * @param lastRestart when the agent last restarted itself for memory, within the last day
 * @param restartsToday restarts for memory within the last day
 * @param policy the budget applied
 */
public record BudgetState(SelfUsage usage, Instant at, double cpuPercent, double cpuPercentWindow,
    boolean windowComplete, boolean overMemory, long overMemoryMinutes, int slowFactor, boolean paceChanged,
    boolean restart, boolean restartHeld, Optional<Instant> lastRestart, int restartsToday, BudgetPolicy policy) {

  /** Whether the agent is slowed for CPU. */
  public boolean cpuSlowed() {
    return slowFactor > 1;
  }

  /** One line for the log. */
  public String describe() {
    return String.format(java.util.Locale.ROOT,
        "RSS %.1f MiB (budget %.0f MiB%s), CPU %.2f %% last interval, %.2f %% over %s (budget %.2f %%)%s",
        usage.rssBytes() / 1048576.0, policy.memoryBytes() / 1048576.0,
        overMemory ? ", over for " + overMemoryMinutes + " min" : "", cpuPercent, cpuPercentWindow,
        policy.cpuWindow(), policy.cpuPercent(), slowFactor > 1 ? ", sampling " + slowFactor + "x slower" : "");
  }
}
