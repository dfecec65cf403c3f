package io.labscan.controller.campaign;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One firing of a campaign and where each targeted host stands. */
public record RunStatus(String runId, String campaignId, Instant fired, String firedBy, List<Target> targets) {
  public RunStatus {
    requireNonNull(runId, "runId");
    requireNonNull(campaignId, "campaignId");
    requireNonNull(fired, "fired");
    requireNonNull(firedBy, "firedBy");
    targets = List.copyOf(targets);
  }

  /**
   * One targeted host.
   *
   * @param detail plain words: when delivered, which scan completed, which checks failed
   */
  public record Target(String hostId, String hostname, String commandId, Optional<Instant> delivered,
      TargetState state, String detail) {}

  public Map<TargetState, Integer> counts() {
    Map<TargetState, Integer> counts = new EnumMap<>(TargetState.class);
    for (TargetState s : TargetState.values()) {
      counts.put(s, 0);
    }
    targets.forEach(t -> counts.merge(t.state(), 1, Integer::sum));
    return counts;
  }
}
