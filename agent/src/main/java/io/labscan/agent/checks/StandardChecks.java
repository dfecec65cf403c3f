package io.labscan.agent.checks;

import io.labscan.agent.checks.av.AvCheck;
import io.labscan.agent.checks.harvest.HarvestCheck;
import io.labscan.agent.checks.mail.MailCheck;
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
    checks.add(new AvCheck());
    checks.add(new MailCheck());
    checks.add(new HarvestCheck());
    return List.copyOf(checks);
  }
}
