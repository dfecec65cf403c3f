package io.labscan.agent.schedule;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.ScanPlan;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the nightly full scan: asked every minute (and at start) by the agent's scheduler,
 * it lets the {@link NightlyScanPlanner} decide, records on disk which due time it started,
 * and starts the scan unless one is running (then it asks again next minute).
 */
public final class NightlyScans {
  private static final Logger log = LoggerFactory.getLogger(NightlyScans.class);

  private final NightlyScanPlanner planner;
  private final ScheduleStateStore store;
  private final Function<ScanPlan, Optional<? extends CompletableFuture<?>>> scan;
  private final BooleanSupplier scanning;

  /**
   * @param scan starts a scan, empty when it did not start (one was running)
   * @param scanning true while a scan runs
   */
  public NightlyScans(NightlyScanPlanner planner, ScheduleStateStore store,
      Function<ScanPlan, Optional<? extends CompletableFuture<?>>> scan, BooleanSupplier scanning) {
    this.planner = requireNonNull(planner, "planner");
    this.store = requireNonNull(store, "store");
    this.scan = requireNonNull(scan, "scan");
    this.scanning = requireNonNull(scanning, "scanning");
  }

  /** One decision; returns true when it started a scan. */
  public synchronized boolean check() {
    NightlyScanPlanner.Decision decision = planner.decide(store.load());
    if (!decision.runNow()) {
      log.debug("Nightly scan: {}", decision.reason());
      return false;
    }
    if (scanning.getAsBoolean()) {
      log.debug("Nightly scan due but a scan is running; asking again later.");
      return false;
    }
    Optional<? extends CompletableFuture<?>> started = scan.apply(ScanPlan.full(decision.trigger()));
    if (started.isEmpty()) {
      return false;
    }
    store.recordStarted(decision.occurrence().orElseThrow());
    log.info("Nightly full scan started ({}): {}.", decision.trigger(), decision.reason());
    return true;
  }
}
