package io.labscan.agent.worker;

/** Where an agent runs its scans. */
public enum ScanMode {
  /** In the agent's own JVM: embedded agents (tests, the controller's demo). */
  IN_PROCESS,
  /** In a worker JVM started per scan: the installed service ({@code run}, Windows service). */
  WORKER_PROCESS
}
