package io.labscan.controller.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.agent.transport.ReportSender;
import io.labscan.agent.transport.Spool;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.contract.egress.EgressReports;
import io.labscan.controller.TestReports;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report limits are one definition on both sides (io.labscan.contract.report.ReportLimits):
 * the agent clips what the controller would refuse, so one over-long value does not cost a
 * minute of egress evidence. Real agent sender, real mutual-TLS gRPC, real SQLite.
 */
class ClippedReportsTest {
  private static final String DEEP_PATH = "C:\\Users\\janet\\AppData\\Local\\Temp\\"
      + "a\\".repeat(2_600) + "WINKxyz.exe";

  @TempDir Path dir;
  private SecureController controller;

  @AfterEach
  void stop() {
    controller.close();
  }

  private static Report egressReport(String hostId, Instant now) {
    long start = now.minusSeconds(60).toEpochMilli();
    SmtpEgressWindow window = SmtpEgressWindow.newBuilder()
        .setWindowStart(Timestamps.fromMillis(start)).setWindowEnd(Timestamps.fromMillis(now.toEpochMilli()))
        .setPid(4711).setProcessName("WINKxyz.exe").setProcessPath(DEEP_PATH).setConnections(3)
        .setDistinctDestinations(1)
        .addDestinations(EgressDestination.newBuilder().setIp("192.0.2.25").setPort(25).setConnections(3))
        .build();
    return EgressReports.report(TestReports.inventory(hostId, "lab-pc-07", "10.20.3.17"), List.of(window), 1, 0, now);
  }

  @Test
  void anEgressReportWithAWindowsPathOverThePathLimitIsRefusedWhenSentAsIs() throws Exception {
    controller = new SecureController(dir);
    AgentCredentials agent = controller.enrolled("agent");
    Report report = egressReport(agent.hostId().orElseThrow(), Instant.now());

    assertThatThrownBy(() -> controller.mutualTls(agent).report(report))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("report.egress[0].process_path");
        });
  }

  @Test
  void theAgentsSenderClipsThatPathAndTheControllerStoresTheWholeEgressReport() throws Exception {
    controller = new SecureController(dir);
    AgentCredentials agent = controller.enrolled("agent");
    try (Spool spool = Spool.open(dir.resolve("agent"));
        ReportSender sender = new ReportSender(spool, controller.mutualTls(agent))) {
      sender.submit(egressReport(agent.hostId().orElseThrow(), Instant.now()));

      sender.start();

      await().atMost(Duration.ofSeconds(20)).until(() -> spool.size() == 0);
    }
    assertThat(controller.runtime.store().reportCount()).isEqualTo(1);
  }
}
