package io.labscan.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.agent.AgentRuntime;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.inventory.AddressWatch;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import io.labscan.agent.worker.ScanFailedException;
import io.labscan.agent.worker.ScanRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Scan now" through the real runtime. The controller address is a closed port on
 * loopback: enrolment keeps failing in the background, which the scan does not need.
 */
class AgentRuntimeScanNowTest {
  @TempDir Path stateDir;
  @TempDir Path scanRoot;

  @Test
  void scanNowRunsAtOnceSpoolsTheReportAndRecordsTheFullScan() throws Exception {
    AgentConfig config = AgentConfig.defaults().withStateDir(stateDir).withScanRoot(scanRoot)
        .withController("127.0.0.1:1", true);
    // Interfaces that cannot be read: no inventory report of the start joins the scan's in the spool.
    AddressWatch unreadable = new AddressWatch(() -> {
      throw new IllegalStateException("no interfaces in this test");
    }, Duration.ofSeconds(15));
    try (AgentRuntime agent = AgentRuntime.builder(config, Clock.systemUTC()).addresses(unreadable).start()) {
      Optional<CompletableFuture<Report>> scan = agent.scanNow(ScanPlan.full("controller"));

      assertThat(scan).isPresent();
      Report report = scan.get().get(60, TimeUnit.SECONDS);
      assertThat(report.getScan().getKind()).isEqualTo(ScanKind.SCAN_KIND_FULL);
      assertThat(report.getScan().getTrigger()).isEqualTo("controller");
      assertThat(agent.spooledReports()).isEqualTo(1);
      assertThat(agent.isScanning()).isFalse();
      assertThat(Files.readString(stateDir.resolve(ScheduleStateStore.FILE_NAME))).contains("lastCompletedFullScan");
    }
  }

  @Test
  void aFailedScanSpoolsNothingAndIsNotRecordedAsCompleted() throws Exception {
    AgentConfig config = AgentConfig.defaults().withStateDir(stateDir).withScanRoot(scanRoot)
        .withController("127.0.0.1:1", true);
    AddressWatch unreadable = new AddressWatch(() -> {
      throw new IllegalStateException("no interfaces in this test");
    }, Duration.ofSeconds(15));
    ScanRunner crashing = new ScanRunner() {
      @Override
      public Report run(io.labscan.agent.checks.ScanPlan plan, io.labscan.proto.v1.Policy policy) {
        throw new ScanFailedException("Scan worker exited with status 134");
      }

      @Override
      public void close() {}
    };
    try (AgentRuntime agent = AgentRuntime.builder(config, Clock.systemUTC()).addresses(unreadable)
        .scanRunners((h, c, k) -> crashing).start()) {
      CompletableFuture<Report> scan = agent.scanNow(ScanPlan.full("schedule")).orElseThrow();

      assertThatThrownBy(() -> scan.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(ScanFailedException.class);
      assertThat(agent.spooledReports()).isZero();
      assertThat(agent.isScanning()).isFalse();
      Path schedule = stateDir.resolve(ScheduleStateStore.FILE_NAME);
      assertThat(Files.exists(schedule) ? Files.readString(schedule) : "").doesNotContain("lastCompletedFullScan");
    }
  }
}
