package io.labscan.agent.cli;

import io.labscan.agent.worker.ScanWorker;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code labscan-agent scan-worker}: one scan in a process of its own, started by the
 * {@code run} daemon (not for operators: hidden from the help). Reads the policy from and
 * writes the report to {@code <state>/scan-worker/}; exits when the daemon goes away.
 */
@Command(name = "scan-worker", hidden = true,
    description = "Runs one scan for the agent service (started by 'run'; not for interactive use).")
final class ScanWorkerCommand implements Callable<Integer> {
  @Option(names = "--state-dir", required = true, paramLabel = "DIR") Path stateDir;
  @Option(names = "--root", required = true, paramLabel = "DIR") Path root;
  @Option(names = "--host-id", required = true, paramLabel = "UUID") String hostId;
  @Option(names = "--kind", required = true, paramLabel = "KIND") ScanKind kind;
  @Option(names = "--trigger", required = true, paramLabel = "WHY") String trigger;
  @Option(names = "--lab", defaultValue = "", paramLabel = "LAB") String lab;

  @Override
  public Integer call() throws Exception {
    ScanWorker.exitWhenParentGoes(System.in);
    Report report = ScanWorker.run(new ScanWorker.Request(stateDir, root, lab, hostId, kind, trigger),
        Clock.systemUTC());
    System.err.println("Scan worker: report " + report.getReportId() + " written.");
    return 0;
  }
}
