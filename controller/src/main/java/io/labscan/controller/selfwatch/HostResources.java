package io.labscan.controller.selfwatch;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The newest resource figures an agent reported about itself, as accepted (validated and
 * clamped, {@link ResourceFigures}) and stored by the controller.
 *
 * @param rssBytes the agent daemon's resident size
 * @param anonBytes its anonymous part, when the platform tells it
 * @param fileBytes its file-backed part, when the platform tells it
 * @param cpuPercent CPU over the last interval (about a minute), percent of one core
 * @param cpuPercentWindow CPU averaged over the agent's budget window
 * @param threads the daemon's threads
 * @param budgetState the agent's own word: WITHIN, OVER_MEMORY, CPU_SLOWED, OVER_MEMORY_CPU_SLOWED or UNSPECIFIED
 * @param memoryOverMinutes consecutive minutes over the memory budget, by the agent's count
 * @param memoryRestarts restarts for memory within the last day
 * @param restartedForMemory when the agent last restarted itself for memory (within a day)
 * @param memoryBudgetBytes the memory budget the agent applied
 * @param cpuBudgetPercent the CPU budget the agent applied
 * @param measured when the agent says it measured (its clock: a claim)
 * @param received when the controller received them (its clock)
 */
public record HostResources(long rssBytes, OptionalLong anonBytes, OptionalLong fileBytes, double cpuPercent,
    double cpuPercentWindow, int threads, String budgetState, int memoryOverMinutes, int memoryRestarts,
    Optional<Instant> restartedForMemory, long memoryBudgetBytes, double cpuBudgetPercent,
    Optional<Instant> measured, Instant received) {
  /** A restart for memory is shown as a flag this long. */
  public static final Duration RESTART_FLAG = Duration.ofDays(1);

  public HostResources {
    requireNonNull(anonBytes, "anonBytes");
    requireNonNull(fileBytes, "fileBytes");
    requireNonNull(budgetState, "budgetState");
    requireNonNull(restartedForMemory, "restartedForMemory");
    requireNonNull(measured, "measured");
    requireNonNull(received, "received");
  }

  /**
   * Why this agent is flagged, judged against the controller's budget (the policy in force, not
   * the figures the agent says it applied: those are its claim) and what the agent says of
   * itself; empty when it is within budget. Each line names the numbers.
   */
  public List<String> flags(long memoryBudget, double cpuBudget, Instant now) {
    List<String> out = new ArrayList<>();
    if (rssBytes > memoryBudget || budgetState.contains("OVER_MEMORY")) {
      out.add(String.format(Locale.ROOT, "agent over its memory budget: %.1f MiB resident, budget %.0f MiB%s",
          mib(rssBytes), mib(memoryBudget), memoryOverMinutes > 0 ? " (over for " + memoryOverMinutes + " min)" : ""));
    }
    if (cpuPercentWindow > cpuBudget || budgetState.contains("CPU_SLOWED")) {
      out.add(String.format(Locale.ROOT, "agent over its CPU budget: %.2f %% of a core on average, budget %.2f %%%s",
          cpuPercentWindow, cpuBudget, budgetState.contains("CPU_SLOWED") ? "; it slowed its sampling" : ""));
    }
    restartedForMemory.filter(r -> !r.isBefore(now.minus(RESTART_FLAG))).ifPresent(r -> out.add(
        "agent restarted itself for memory at " + r + (memoryRestarts > 1 ? " (" + memoryRestarts
            + " times in a day)" : "")));
    return out;
  }

  static double mib(long bytes) {
    return bytes / 1048576.0;
  }
}
