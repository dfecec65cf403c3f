package io.labscan.agent.inventory;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.Check;
import io.labscan.agent.checks.EvidenceSink;
import io.labscan.agent.checks.ScanContext;
import java.time.Duration;

/** Puts the host inventory into every report. */
public final class InventoryCheck implements Check {
  private final InventoryCollector collector;
  private final String hostId;

  public InventoryCheck(InventoryCollector collector, String hostId) {
    this.collector = requireNonNull(collector, "collector");
    this.hostId = requireNonNull(hostId, "hostId");
  }

  @Override
  public String name() {
    return "inventory";
  }

  /** Asks the operating system about itself: seconds. */
  @Override
  public Duration budget() {
    return Duration.ofMinutes(5);
  }

  @Override
  public void run(ScanContext context, EvidenceSink sink) {
    sink.inventory(collector.collect(hostId));
  }
}
