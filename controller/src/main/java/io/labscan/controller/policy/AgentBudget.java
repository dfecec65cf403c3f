package io.labscan.controller.policy;

import io.labscan.contract.policy.PolicyDefaults;
import java.util.Locale;

/**
 * The agents' resource budget operators set for the fleet ({@code labscan-controller policy
 * --agent-memory-budget 96MiB --agent-cpu-budget 2%}), sent in policy fields 80-81. An agent over
 * its memory budget for five minutes restarts itself; one over its CPU budget (averaged over five
 * minutes) slows its sampling; the controller flags both (docs/reliability.md).
 *
 * @param memoryBytes resident-size budget, 32 MiB to 4 GiB (below 32 MiB no JVM runs: the agent would restart in a loop)
 * @param cpuPercent CPU budget in percent of one core, 0.1 to 100
 */
public record AgentBudget(long memoryBytes, double cpuPercent) {
  public static final long MIN_MEMORY = 32L * 1024 * 1024;
  public static final long MAX_MEMORY = 4L * 1024 * 1024 * 1024;
  public static final double MIN_CPU = 0.1;
  public static final double MAX_CPU = 100;

  /** @throws IllegalArgumentException for a budget out of range, with the range */
  public AgentBudget {
    if (memoryBytes < MIN_MEMORY || memoryBytes > MAX_MEMORY) {
      throw new IllegalArgumentException("the agent memory budget must be between 32 MiB and 4 GiB");
    }
    if (!(cpuPercent >= MIN_CPU && cpuPercent <= MAX_CPU)) {
      throw new IllegalArgumentException("the agent CPU budget must be between 0.1 % and 100 % of one core");
    }
  }

  public static AgentBudget defaults() {
    return new AgentBudget(PolicyDefaults.AGENT_MEMORY_BUDGET_BYTES, PolicyDefaults.AGENT_CPU_BUDGET_PERCENT);
  }

  /** "96MiB", "512 MiB", "1GiB", "100000000" (bytes); MB/GB are read as MiB/GiB. */
  public static long parseSize(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT).replace(" ", "");
    long unit = 1;
    String number = t;
    for (String[] u : new String[][] {{"gib", "1073741824"}, {"gb", "1073741824"}, {"g", "1073741824"},
        {"mib", "1048576"}, {"mb", "1048576"}, {"m", "1048576"}, {"kib", "1024"}, {"kb", "1024"}, {"k", "1024"},
        {"b", "1"}}) {
      if (t.endsWith(u[0])) {
        unit = Long.parseLong(u[1]);
        number = t.substring(0, t.length() - u[0].length());
        break;
      }
    }
    try {
      double v = Double.parseDouble(number);
      if (!(v >= 0) || Double.isInfinite(v) || v * unit > Long.MAX_VALUE / 2.0) {
        throw new NumberFormatException();
      }
      return (long) (v * unit);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a size such as 96MiB or 1GiB");
    }
  }

  /** "2%", "2", "0.5 %". */
  public static double parsePercent(String text) {
    String t = text.strip().replace(" ", "");
    if (t.endsWith("%")) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      double v = Double.parseDouble(t);
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a percentage such as 2% or 0.5%");
    }
  }

  public AgentBudget withMemory(long bytes) {
    return new AgentBudget(bytes, cpuPercent);
  }

  public AgentBudget withCpu(double percent) {
    return new AgentBudget(memoryBytes, percent);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%.0f MiB / %s %% of a core", memoryBytes / 1048576.0,
        new java.math.BigDecimal(Double.toString(cpuPercent)).stripTrailingZeros().toPlainString());
  }
}
