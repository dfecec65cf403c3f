package io.labscan.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.labscan.agent.checks.ScanPlan;
import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's side of a scan worker, with real child JVMs. */
class WorkerProcessScanRunnerTest {
  private static final String HOST = UUID.randomUUID().toString();

  @TempDir Path stateDir;
  @TempDir Path scanRoot;

  private static WorkerCommandLine fake(Class<?> main) {
    return new WorkerCommandLine(List.of(WorkerCommandLine.ofThisJvm().prefix().get(0),
        "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
  }

  private WorkerProcessScanRunner runner(WorkerCommandLine commandLine, Duration timeout) {
    return new WorkerProcessScanRunner(HOST, "lab-7", scanRoot, stateDir, commandLine, timeout);
  }

  private Report scan(WorkerProcessScanRunner runner) {
    return runner.run(ScanPlan.full("schedule"), PolicyDefaults.defaults());
  }

  @Test
  void aWorkerRunsTheScanInItsOwnJvmAndHandsBackTheReportForThisHostAndPlan() throws Exception {
    Files.writeString(scanRoot.resolve("notes.txt"), "nothing to see");
    try (WorkerProcessScanRunner runner = runner(WorkerCommandLine.ofThisJvm(), Duration.ofMinutes(5))) {
      Report report = scan(runner);

      assertThat(report.getInventory().getHostId()).isEqualTo(HOST);
      assertThat(report.getInventory().getLab()).isEqualTo("lab-7");
      assertThat(report.getScan().getKind()).isEqualTo(ScanKind.SCAN_KIND_FULL);
      assertThat(report.getScan().getTrigger()).isEqualTo("schedule");
      assertThat(report.getScan().getRoot()).isEqualTo(scanRoot.toString());
      assertThat(report.getScan().getChecksList()).isNotEmpty();
    }
  }

  @Test
  void theExchangeFilesAreRemovedAfterAScan() throws Exception {
    try (WorkerProcessScanRunner runner = runner(WorkerCommandLine.ofThisJvm(), Duration.ofMinutes(5))) {
      scan(runner);
    }
    try (var files = Files.list(stateDir.resolve(WorkerFiles.FOLDER))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void aWorkerThatCrashesFailsTheScanWithItsExitStatus() {
    try (WorkerProcessScanRunner runner = runner(fake(FakeWorkers.Crash.class), Duration.ofMinutes(5))) {
      assertThatThrownBy(() -> scan(runner)).isInstanceOf(ScanFailedException.class)
          .hasMessageContaining("exited with status 134");
    }
  }

  @Test
  void aWorkerOutOfMemoryFailsTheScanSayingSoAndWhatToChange() {
    try (WorkerProcessScanRunner runner = runner(fake(FakeWorkers.OutOfMemory.class), Duration.ofMinutes(5))) {
      assertThatThrownBy(() -> scan(runner)).isInstanceOf(ScanFailedException.class)
          .hasMessageContaining("ran out of memory").hasMessageContaining("largest scanned file size");
    }
  }

  @Test
  void whatTheWorkerWritesToStderrReachesTheDaemonsLog() {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(WorkerLog.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events =
        new ch.qos.logback.core.read.ListAppender<>();
    events.start();
    logger.addAppender(events);
    try (WorkerProcessScanRunner runner = runner(fake(FakeWorkers.Complain.class), Duration.ofMinutes(5))) {
      assertThatThrownBy(() -> scan(runner)).hasMessageContaining("status 7");

      await().atMost(Duration.ofSeconds(20)).until(() -> events.list.stream()
          .anyMatch(e -> e.getFormattedMessage().endsWith("Cannot read the policy: disk on fire")));
    } finally {
      logger.detachAppender(events);
    }
  }

  @Test
  void aWorkerThatOutlivesTheTimeoutIsKilledAndTheScanFails() throws Exception {
    try (WorkerProcessScanRunner runner = runner(fake(FakeWorkers.Hang.class), Duration.ofSeconds(3))) {
      assertThatThrownBy(() -> scan(runner)).isInstanceOf(ScanFailedException.class)
          .hasMessageContaining("timed out");
    }
    long pid = Long.parseLong(Files.readString(stateDir.resolve(FakeWorkers.PID_FILE)));
    await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void closingTheRunnerKillsARunningWorkerAndFailsItsScan() throws Exception {
    WorkerProcessScanRunner runner = runner(fake(FakeWorkers.Hang.class), Duration.ofMinutes(5));
    CompletableFuture<Report> scan = CompletableFuture.supplyAsync(() -> scan(runner));
    Path pidFile = stateDir.resolve(FakeWorkers.PID_FILE);
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(pidFile));

    runner.close();

    assertThatThrownBy(() -> scan.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(ScanFailedException.class)
        .hasMessageContaining("cancelled: the agent is stopping");
    long pid = Long.parseLong(Files.readString(pidFile));
    await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void aClosedRunnerStartsNoWorker() {
    WorkerProcessScanRunner runner = runner(fake(FakeWorkers.Hang.class), Duration.ofMinutes(5));
    runner.close();

    assertThatThrownBy(() -> scan(runner)).isInstanceOf(ScanFailedException.class).hasMessageContaining("stopping");
    assertThat(stateDir.resolve(FakeWorkers.PID_FILE)).doesNotExist();
  }

  @Test
  void aWorkerThatExitsCleanlyWithoutAReportFailsTheScan() {
    try (WorkerProcessScanRunner runner = runner(fake(FakeWorkers.NoReport.class), Duration.ofMinutes(5))) {
      assertThatThrownBy(() -> scan(runner)).isInstanceOf(ScanFailedException.class)
          .hasMessageContaining("no usable report");
    }
  }

  @Test
  void aReportLeftByAnEarlierWorkerIsNotTakenForThisScan() throws Exception {
    Report stale = Report.newBuilder().setReportId(UUID.randomUUID().toString())
        .setScan(io.labscan.proto.v1.ScanSummary.newBuilder().setKind(ScanKind.SCAN_KIND_FULL).setTrigger("schedule"))
        .build();
    WorkerFiles.write(WorkerFiles.folder(stateDir).resolve(WorkerFiles.REPORT), stale);
    try (WorkerProcessScanRunner runner = runner(fake(FakeWorkers.NoReport.class), Duration.ofMinutes(5))) {
      assertThatThrownBy(() -> scan(runner)).isInstanceOf(ScanFailedException.class)
          .hasMessageContaining("no usable report");
    }
  }

  @Test
  void aReportThatIsNoProtobufMessageFailsTheScan() {
    try (WorkerProcessScanRunner runner = runner(fake(FakeWorkers.Garbage.class), Duration.ofMinutes(5))) {
      assertThatThrownBy(() -> scan(runner)).isInstanceOf(ScanFailedException.class)
          .hasMessageContaining("not a valid message");
    }
  }

  @Test
  void aReportNamingAnotherHostIsRefused() {
    try (WorkerProcessScanRunner runner = runner(fake(FakeWorkers.OtherHost.class), Duration.ofMinutes(5))) {
      assertThatThrownBy(() -> scan(runner)).isInstanceOf(ScanFailedException.class)
          .hasMessageContaining("not this host " + HOST);
    }
  }

  @Test
  void aReportForAnotherPlanIsRefused() {
    try (WorkerProcessScanRunner runner = runner(fake(FakeWorkers.OtherHost.class), Duration.ofMinutes(5))) {
      assertThatThrownBy(() -> runner.run(new ScanPlan(ScanKind.SCAN_KIND_QUICK, "controller"),
          PolicyDefaults.defaults())).isInstanceOf(ScanFailedException.class)
          .hasMessageContaining("not for this scan");
    }
  }

  @Test
  void aWorkerStopsWhenItsDaemonCloses() throws Exception {
    Process worker = new ProcessBuilder(fake(FakeWorkers.WatchParent.class).prefix())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      worker.getOutputStream().close();

      assertThat(worker.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(worker.exitValue()).isEqualTo(ScanWorker.EXIT_PARENT_GONE);
    } finally {
      worker.destroyForcibly();
    }
  }
}
