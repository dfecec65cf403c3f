package io.labscan.controller.selfwatch;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The agents' resource use summed up per lab: how many report, the median and maximum resident
 * size and CPU share, and how many are flagged over budget. The median says what the agent costs
 * a typical machine of the lab; the maximum finds the one that leaks. Computed from the stored
 * figures at each request: a sort of at most one number per host.
 *
 * @param lab the lab ("" for hosts without one)
 * @param agents agents with figures
 * @param rssMedianBytes median resident size
 * @param rssMaxBytes largest resident size
 * @param cpuMedianPercent median CPU share over the budget window (percent of one core)
 * @param cpuMaxPercent largest CPU share over the budget window
 * @param overBudget agents flagged over their memory or CPU budget, or restarted for memory within a day
 */
public record LabResources(String lab, int agents, long rssMedianBytes, long rssMaxBytes, double cpuMedianPercent,
    double cpuMaxPercent, int overBudget) {

  /** One host's figures with its lab and whether it is flagged. */
  public record Member(String lab, HostResources figures, boolean flagged) {
    public Member {
      requireNonNull(lab, "lab");
      requireNonNull(figures, "figures");
    }
  }

  /** The summary of every lab that has at least one agent with figures, by lab name. */
  public static Map<String, LabResources> byLab(Collection<Member> members) {
    Map<String, List<Member>> groups = new TreeMap<>();
    for (Member m : members) {
      groups.computeIfAbsent(m.lab(), k -> new ArrayList<>()).add(m);
    }
    Map<String, LabResources> out = new TreeMap<>();
    groups.forEach((lab, list) -> out.put(lab, of(lab, list)));
    return out;
  }

  static LabResources of(String lab, List<Member> list) {
    double[] rss = values(list, m -> (double) m.figures().rssBytes());
    double[] cpu = values(list, m -> m.figures().cpuPercentWindow());
    return new LabResources(lab, list.size(), (long) median(rss), (long) rss[rss.length - 1], median(cpu),
        cpu[cpu.length - 1], (int) list.stream().filter(Member::flagged).count());
  }

  private static double[] values(List<Member> list, Function<Member, Double> f) {
    double[] v = list.stream().map(f).mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return v;
  }

  /** The middle value; the mean of the two middle ones for an even count. */
  static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
