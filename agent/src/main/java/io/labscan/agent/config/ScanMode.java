package io.labscan.agent.config;

/**
 * Where an agent runs its scans: a setting of the agent, read by the runtime and the service
 * body, carried out by {@code worker.ScanRunners}. It sits with the configuration (not in
 * {@code worker}) so that the Windows service body can choose it without the platform package
 * depending on the worker, which itself asks the platform seam for its sources.
 */
public enum ScanMode {
  /** In the agent's own JVM: embedded agents (tests, the controller's demo). */
  IN_PROCESS,
  /** In a worker JVM started per scan: the installed service ({@code run}, Windows service). */
  WORKER_PROCESS
}
