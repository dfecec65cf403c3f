/**
 * Where a scan runs. The {@code run} daemon stays small because scans run in a short-lived
 * worker JVM of the same jar ({@link io.labscan.agent.worker.WorkerProcessScanRunner}): the
 * daemon never loads the checks' classes, its heap never grows to scan size, and the worker
 * may use the C2 compiler (the JDK's SHA-256 intrinsic) that the daemon's C1-only profile leaves
 * out. The air-gapped {@code scan} command and embedded agents (tests, the controller's demo)
 * scan in-process ({@link io.labscan.agent.worker.InProcessScanRunner}).
 */
package io.labscan.agent.worker;
