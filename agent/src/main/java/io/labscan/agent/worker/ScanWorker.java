package io.labscan.agent.worker;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.artifacts.ActiveRuleSet;
import io.labscan.agent.checks.artifacts.ScanProgress;
import io.labscan.agent.checks.artifacts.journal.ChangeJournal;
import io.labscan.agent.checks.artifacts.journal.HandedOverJournal;
import io.labscan.agent.checks.artifacts.journal.JournalHandoff;
import io.labscan.agent.checks.artifacts.journal.JournalSnapshot;
import io.labscan.agent.checks.artifacts.journal.NoChangeJournal;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private static final Logger log = LoggerFactory.getLogger(ScanWorker.class);

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
    ChangeJournal journal = handedOverJournal(folder);
    try (InProcessScanRunner runner = new InProcessScanRunner(request.hostId(), request.lab(),
        request.scanRoot(), request.stateDir(), clock, ActiveRuleSet.builtIn(), ScanProgress.none(), journal)) {
      report = runner.run(new ScanPlan(request.kind(), request.trigger()), policy);
    }
    WorkerFiles.write(folder.resolve(WorkerFiles.REPORT), report);
    return report;
  }

  /**
   * The change journal's snapshot the daemon handed over, if any: its artifact walk then
   * reuses the outcome of folders that did not change, and on completing it writes
   * {@value WorkerFiles#JOURNAL_DONE} so the daemon can drop the changes it covered. No
   * file, or a damaged one: no journal (the full walk).
   */
  static ChangeJournal handedOverJournal(Path folder) {
    Path file = folder.resolve(WorkerFiles.JOURNAL);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return new NoChangeJournal("the daemon handed over no change journal");
    }
    Optional<JournalSnapshot> snapshot;
    try {
      snapshot = JournalHandoff.decode(WorkerFiles.readBytes(file, JournalHandoff.MAX_SNAPSHOT_BYTES));
    } catch (IOException e) {
      snapshot = Optional.empty();
    }
    if (snapshot.isEmpty()) {
      log.warn("Change journal snapshot {} is damaged; scanning every folder.", file);
      return new NoChangeJournal("damaged journal snapshot");
    }
    Path done = folder.resolve(WorkerFiles.JOURNAL_DONE);
    return new HandedOverJournal(snapshot.get(), s -> {
      try {
        WorkerFiles.writeBytes(done, JournalHandoff.encodeCompleted(s));
      } catch (IOException e) {
        // The daemon then keeps the changes: the next scan lists those folders again. Safe.
        log.warn("Cannot tell the daemon the artifact walk completed ({}).", e.getMessage());
      }
    });
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
