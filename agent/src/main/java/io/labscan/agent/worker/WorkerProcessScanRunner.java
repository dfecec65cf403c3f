package io.labscan.agent.worker;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.Excerpt;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.artifacts.journal.ChangeJournal;
import io.labscan.agent.checks.artifacts.journal.JournalHandoff;
import io.labscan.agent.checks.artifacts.journal.JournalSnapshot;
import io.labscan.agent.checks.artifacts.journal.NoChangeJournal;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Runs each scan in a worker JVM ({@code labscan-agent scan-worker}) and reads back its
 * report. The worker's output is untrusted until checked: it must exit 0 within the timeout
 * and leave a report of bounded size for this plan and this host; anything else is a
 * {@link ScanFailedException} and the worker is killed. One scan at a time (the agent's scan
 * gate sees to that); {@link #close()} kills a running worker.
 */
public final class WorkerProcessScanRunner implements ScanRunner {
  private static final Logger log = LoggerFactory.getLogger(WorkerProcessScanRunner.class);

  /** Largest policy handed to a worker (a pushed rule set is at most a few MiB). */
  static final long MAX_POLICY_BYTES = 16L * 1024 * 1024;
  /** Largest report accepted back: the spool's own bound. */
  static final long MAX_REPORT_BYTES = 64L * 1024 * 1024;
  /** A full scan of a lab PC takes minutes to an hour; six hours means a stuck worker. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(6);
  private static final Duration KILL_GRACE = Duration.ofSeconds(5);
  /** What a JVM with -XX:+ExitOnOutOfMemoryError exits with (the worker's profile sets it). */
  static final int EXIT_OUT_OF_MEMORY = 3;

  private final String hostId;
  private final String lab;
  private final Path scanRoot;
  private final Path stateDir;
  private final WorkerCommandLine commandLine;
  private final Duration timeout;
  private final ChangeJournal journal;
  private final Object lock = new Object();
  /** The worker process of the scan under way; null between scans. */
  private @Nullable Process running;
  private boolean closed;

  public WorkerProcessScanRunner(String hostId, String lab, Path scanRoot, Path stateDir,
      WorkerCommandLine commandLine, Duration timeout) {
    this(hostId, lab, scanRoot, stateDir, commandLine, timeout, new NoChangeJournal("no journal given"));
  }

  /**
   * @param journal the daemon's change journal: each worker gets a snapshot of it, and the
   *     changes a worker's completed walk covered are dropped; closed with this runner
   */
  public WorkerProcessScanRunner(String hostId, String lab, Path scanRoot, Path stateDir,
      WorkerCommandLine commandLine, Duration timeout, ChangeJournal journal) {
    this.journal = requireNonNull(journal, "journal");
    this.hostId = requireNonNull(hostId, "hostId");
    this.lab = requireNonNull(lab, "lab");
    this.scanRoot = requireNonNull(scanRoot, "scanRoot");
    this.stateDir = requireNonNull(stateDir, "stateDir");
    this.commandLine = requireNonNull(commandLine, "commandLine");
    this.timeout = requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
  }

  @Override
  public Report run(ScanPlan plan, Policy policy) {
    requireNonNull(plan, "plan");
    requireNonNull(policy, "policy");
    Path folder;
    Path reportFile;
    Path journalDone;
    JournalSnapshot snapshot = journal.checkpoint(); // before the worker starts: every earlier change is in it
    try {
      folder = WorkerFiles.folder(stateDir);
      reportFile = folder.resolve(WorkerFiles.REPORT);
      journalDone = folder.resolve(WorkerFiles.JOURNAL_DONE);
      // A report (or completion) left by an earlier worker must never pass for this scan's.
      Files.deleteIfExists(reportFile);
      Files.deleteIfExists(journalDone);
      WorkerFiles.write(folder.resolve(WorkerFiles.POLICY), policy);
      if (snapshot.continuous()) {
        WorkerFiles.writeBytes(folder.resolve(WorkerFiles.JOURNAL), JournalHandoff.encode(snapshot));
      } else {
        Files.deleteIfExists(folder.resolve(WorkerFiles.JOURNAL));
      }
    } catch (IOException e) {
      throw new ScanFailedException("Cannot prepare the scan worker in " + stateDir + ": " + e.getMessage(), e);
    }
    ScanWorker.Request request = new ScanWorker.Request(stateDir, scanRoot, lab, hostId, plan.kind(), plan.trigger());
    Process process = null;
    try {
      process = start(request);
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
        throw new ScanFailedException("Scan worker timed out after " + timeout + " and was killed.");
      }
      int status = process.exitValue();
      if (status != 0 && isClosed()) {
        throw new ScanFailedException("Scan " + plan.trigger() + " cancelled: the agent is stopping.");
      }
      if (status == EXIT_OUT_OF_MEMORY) {
        throw new ScanFailedException("Scan worker ran out of memory (its heap is capped at "
            + WorkerCommandLine.MAX_HEAP + "); lower the policy's largest scanned file size, or look for a "
            + "file the scan reads whole (see its log lines above).");
      }
      if (status != 0) {
        throw new ScanFailedException("Scan worker exited with status " + status + " (see its log lines above).");
      }
      Report report;
      try {
        report = WorkerFiles.read(reportFile, Report.parser(), MAX_REPORT_BYTES);
      } catch (IOException e) {
        throw new ScanFailedException("Scan worker left no usable report: " + e.getMessage(), e);
      }
      validate(report, plan);
      journalCompleted(journalDone, snapshot);
      return report;
    } catch (InterruptedException e) {
      kill(process); // not null: start() does not wait, so nothing before it is interrupted
      Thread.currentThread().interrupt();
      throw new ScanFailedException("Scan " + plan.trigger() + " cancelled: the agent is stopping.", e);
    } finally {
      synchronized (lock) {
        running = null;
      }
      if (process != null) {
        closeStdin(process);
      }
      deleteQuietly(folder.resolve(WorkerFiles.POLICY));
      deleteQuietly(reportFile);
      deleteQuietly(folder.resolve(WorkerFiles.JOURNAL));
      deleteQuietly(journalDone);
    }
  }

  private Process start(ScanWorker.Request request) {
    ProcessBuilder builder = new ProcessBuilder(commandLine.command(request))
        // The worker logs to stderr; the daemon relays it into its own log (WorkerLog), which
        // is the journal under systemd but a file under the Windows service, where an
        // inherited stderr would go nowhere.
        .redirectError(ProcessBuilder.Redirect.PIPE)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    // stdin stays a pipe the daemon never writes: the worker exits when it closes (ScanWorker).
    synchronized (lock) {
      if (closed) {
        throw new ScanFailedException("The agent is stopping: scan " + request.trigger() + " not started.");
      }
      Process started;
      try {
        started = builder.start();
      } catch (IOException e) {
        throw new ScanFailedException("Cannot start the scan worker (" + builder.command().get(0) + "): "
            + e.getMessage(), e);
      }
      running = started;
      log.info("Scan {} ({}) running in worker process {}.", request.trigger(), request.kind(), started.pid());
      WorkerLog.relay(started.getErrorStream(), started.pid());
      return started;
    }
  }

  /**
   * Drops the journal's changes the worker's walk covered, only when the worker said its walk
   * completed under exactly this snapshot (a failed or cancelled scan never gets here, and a
   * walk that stopped early writes nothing): otherwise they stay for the next scan.
   */
  private void journalCompleted(Path journalDone, JournalSnapshot snapshot) {
    if (!snapshot.continuous() || !Files.exists(journalDone)) {
      return;
    }
    try {
      if (JournalHandoff.completes(WorkerFiles.readBytes(journalDone, JournalHandoff.COMPLETED_BYTES), snapshot)) {
        journal.completed(snapshot);
      }
    } catch (IOException e) {
      log.debug("Journal completion from the worker unreadable: {}", e.toString());
    }
  }

  private void validate(Report report, ScanPlan plan) {
    try {
      UUID.fromString(report.getReportId());
    } catch (IllegalArgumentException e) {
      throw new ScanFailedException("Scan worker's report has no valid id ('" + Excerpt.of(report.getReportId()) + "').");
    }
    if (!report.hasScan() || report.getScan().getKind() != plan.kind()
        || !report.getScan().getTrigger().equals(plan.trigger())) {
      throw new ScanFailedException("Scan worker's report is not for this scan (" + plan.kind() + ", "
          + plan.trigger() + ").");
    }
    if (report.hasInventory() && !report.getInventory().getHostId().equals(hostId)) {
      throw new ScanFailedException("Scan worker's report names host '" + Excerpt.of(report.getInventory().getHostId())
          + "', not this host " + hostId + ".");
    }
  }

  /** Asks the worker to stop, then forces it (and anything it started) after a grace period. */
  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroy();
    try {
      if (!process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void closeStdin(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      log.debug("Closing the worker's stdin: {}", e.toString());
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.debug("Cannot delete {}: {}", file, e.toString());
    }
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /** Slows the daemon's change journal (the worker processes are short-lived: not paced). */
  @Override
  public void pace(int slowFactor) {
    journal.pace(slowFactor);
  }

  /** Kills the running worker, if any; later scans are refused. */
  @Override
  public void close() {
    Process process;
    synchronized (lock) {
      closed = true;
      process = running;
    }
    if (process != null) {
      log.info("Stopping: killing scan worker {}.", process.pid());
      kill(process);
    }
    journal.close();
  }
}
