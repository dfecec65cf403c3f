package io.labscan.agent.worker;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.ScanPlan;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The worker process's side: reads the policy the daemon handed over, runs the scan in this
 * JVM and writes the report where the daemon expects it. Started by
 * {@link WorkerProcessScanRunner} as {@code labscan-agent scan-worker …}.
 */
public final class ScanWorker {
  /** What the daemon asks of one worker; the command line carries it. */
  public record Request(Path stateDir, Path scanRoot, String lab, String hostId, ScanKind kind, String trigger) {
    public Request {
      requireNonNull(stateDir, "stateDir");
      requireNonNull(scanRoot, "scanRoot");
      requireNonNull(lab, "lab");
      requireNonNull(hostId, "hostId");
      requireNonNull(kind, "kind");
      requireNonNull(trigger, "trigger");
    }
  }

  private ScanWorker() {}

  /**
   * Runs the scan and writes {@code <state>/scan-worker/report.pb}.
   *
   * @throws IOException when the policy cannot be read or the report cannot be written
   */
  public static Report run(Request request, Clock clock) throws IOException {
    requireNonNull(request, "request");
    Path folder = WorkerFiles.folder(request.stateDir());
    Policy policy = WorkerFiles.read(folder.resolve(WorkerFiles.POLICY), Policy.parser(),
        WorkerProcessScanRunner.MAX_POLICY_BYTES);
    Report report;
    try (InProcessScanRunner runner = new InProcessScanRunner(request.hostId(), request.lab(),
        request.scanRoot(), request.stateDir(), clock)) {
      report = runner.run(new ScanPlan(request.kind(), request.trigger()), policy);
    }
    WorkerFiles.write(folder.resolve(WorkerFiles.REPORT), report);
    return report;
  }

  /**
   * Stops this process when the daemon goes away. The daemon holds the write end of the
   * worker's standard input: end-of-file means it exited (or was killed) without cancelling
   * us, and nobody would read the report. Works the same under systemd, launchd and the
   * Windows service, where killing the parent does not kill its children.
   */
  public static void exitWhenParentGoes(InputStream stdin) {
    requireNonNull(stdin, "stdin");
    Thread watch = new Thread(() -> {
      try {
        while (stdin.read() >= 0) {
          // the daemon writes nothing; any byte is ignored
        }
      } catch (IOException e) {
        // a broken pipe is the same news as end-of-file
      }
      Runtime.getRuntime().halt(EXIT_PARENT_GONE);
    }, "labscan-worker-parent-watch");
    watch.setDaemon(true);
    watch.start();
  }

  /**
   * Exit status when the daemon went away during the scan. Not 3: that is what
   * -XX:+ExitOnOutOfMemoryError exits with, which the daemon reports as running out of memory.
   */
  public static final int EXIT_PARENT_GONE = 4;
}
