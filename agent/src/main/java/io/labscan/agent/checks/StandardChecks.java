package io.labscan.agent.checks;

import io.labscan.agent.inventory.InventoryCheck;
import io.labscan.agent.inventory.InventoryCollector;
import java.util.ArrayList;
import java.util.List;

/** The checks a normal scan runs, in order. New detectors register here. */
public final class StandardChecks {
  private StandardChecks() {}

  public static List<Check> create(String hostId, String lab) {
    List<Check> checks = new ArrayList<>();
    checks.add(new InventoryCheck(new InventoryCollector(lab), hostId));
    checks.add(new io.labscan.agent.checks.artifacts.ArtifactCheck());
    return List.copyOf(checks);
  }
}
