package io.labscan.agent.worker;

import io.labscan.agent.checks.ScanPlan;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;

/**
 * Runs one scan and hands back its report. The report's {@code sequence} is not set: the
 * caller numbers it when it spools it, so a failed scan burns no sequence number.
 */
public interface ScanRunner extends AutoCloseable {
  /**
   * Runs a scan of {@code plan} under {@code policy}; blocks until it ends.
   *
   * @throws ScanFailedException when the scan produced no usable report
   */
  Report run(ScanPlan plan, Policy policy);

  /**
   * Slows the runner's resident watchers (the change journal) by {@code slowFactor} (1: normal);
   * asked while the agent is over its CPU budget. Runners without one ignore it.
   */
  default void pace(int slowFactor) {}

  /** Cancels a running scan (if any); later {@link #run} calls fail. */
  @Override
  void close();
}
