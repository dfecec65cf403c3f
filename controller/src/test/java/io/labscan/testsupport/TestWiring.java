package io.labscan.testsupport;

import io.labscan.controller.fleet.Fleet;
import io.labscan.controller.fleet.LabRules;
import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.quarantine.Quarantines;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.VerdictPolicy;
import java.time.Clock;

/**
 * The services the composition root ({@code Controller}) wires, built the same way over a bare
 * store, for tests that run one of them without a whole controller. Main code never builds a
 * {@link Fleet} or a {@link PolicyProvider}: the composition root does, with the one
 * {@link Quarantines} they share (ArchitectureTest).
 */
public final class TestWiring {
  private TestWiring() {}

  /** A fleet over {@code store}, with quarantine orders of its own. */
  public static Fleet fleet(Storage store, LabRules labRules, VerdictPolicy policy, Clock clock) {
    return new Fleet(store, labRules, policy, new Quarantines(store, clock), clock);
  }

  /** The policies served from {@code store}, with quarantine orders of its own. */
  public static PolicyProvider policies(Storage store, Clock clock) {
    return new PolicyProvider(store, new Quarantines(store, clock), clock);
  }
}
