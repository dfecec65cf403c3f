package io.labscan.controller.selfwatch;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.policy.AgentBudget;
import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.Storage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the dashboard, the JSON API and {@code /metrics} show of the agents' own resource use:
 * one host's figures with its flags, and the per-lab summary, judged against the fleet's budget.
 *
 * <p><b>A flag, not a compliance reason.</b> Compliance says whether a lab machine is protected
 * against the worm (seen recently, scanned recently). An agent over its own budget is LabScan's
 * problem, not the machine's: counting it against the lab's compliance would let a LabScan bug
 * turn a lab manager's numbers red. It is shown where an operator looks instead (the host page,
 * the lab's row, {@code labscan_agents_over_budget}).
 */
public final class AgentResourcesView {
  private final Storage store;
  private final AgentResourceRepository repository;
  private final Clock clock;

  public AgentResourcesView(Storage store, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.repository = new AgentResourceRepository(store);
    this.clock = requireNonNull(clock, "clock");
  }

  /** One host: its entry (figures and refusal) and flags. */
  public record HostView(Optional<HostResources> figures, List<String> flags, String refused,
      Optional<java.time.Instant> refusedAt, AgentBudget budget) {}

  public Optional<HostView> host(String hostId) {
    AgentBudget budget = PolicyProvider.agentBudgetOf(store);
    return repository.of(hostId).map(e -> new HostView(e.figures(),
        e.figures().map(f -> f.flags(budget.memoryBytes(), budget.cpuPercent(), clock.instant())).orElse(List.of()),
        e.refused(), e.refusedAt(), budget));
  }

  /** Per lab (the host's effective lab), over every host with figures. */
  public Map<String, LabResources> labs() {
    Map<String, String> labByHost = new java.util.HashMap<>();
    for (HostSummary h : store.hosts()) {
      labByHost.put(h.hostId(), h.effectiveLab().map(HostSummary.EffectiveLab::lab).orElse(h.lab()));
    }
    return labs(labByHost);
  }

  /** Per lab over the hosts given (host id to lab: the hosts a user may see). */
  public Map<String, LabResources> labs(Map<String, String> labByHost) {
    AgentBudget budget = PolicyProvider.agentBudgetOf(store);
    Map<String, HostResources> all = repository.all();
    List<LabResources.Member> members = new ArrayList<>();
    labByHost.forEach((hostId, lab) -> {
      HostResources f = all.get(hostId);
      if (f != null) {
        members.add(new LabResources.Member(lab, f,
            !f.flags(budget.memoryBytes(), budget.cpuPercent(), clock.instant()).isEmpty()));
      }
    });
    return LabResources.byLab(members);
  }
}
