package io.labscan.controller.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.ReportSender;
import io.labscan.agent.transport.Spool;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.controller.TestReports;
import io.labscan.controller.grpc.GrpcServers;
import io.labscan.controller.grpc.RateLimiter;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits on what one authenticated agent can make the controller do. */
class AgentLimitsTest {
  @TempDir Path dir;
  private SecureController controller;

  @AfterEach
  void stop() {
    controller.close();
  }

  private Report report(String hostId, long sequence) {
    return TestReports.fullScan(hostId, "lab-pc-07", Instant.now(), sequence, "10.20.3.17");
  }

  /** The report padded with findings until it is over the controller's message limit. */
  private static Report oversized(Report report) {
    Report.Builder huge = report.toBuilder();
    String detail = "x".repeat(1000);
    while (huge.build().getSerializedSize() <= GrpcServers.MAX_INBOUND_MESSAGE_BYTES) {
      huge.addFindings(ArtifactFinding.newBuilder().setRuleId("klez.wink").setDetail(detail));
    }
    return huge.build();
  }

  @Test
  void reportsBeyondTheAgentsRateLimitAreResourceExhausted() throws Exception {
    // A refill this slow adds no token during the test: exactly the burst gets through.
    controller = new SecureController(dir, new RateLimiter.Rate(0.0001, 2));
    AgentCredentials agent = controller.enrolled("agent");
    String hostId = agent.hostId().orElseThrow();
    ControllerClient client = controller.mutualTls(agent);
    client.report(report(hostId, 1));
    client.report(report(hostId, 2));

    assertThatThrownBy(() -> client.report(report(hostId, 3)))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    assertThat(controller.runtime.store().reportCount()).isEqualTo(2);
  }

  @Test
  void oneAgentsRateLimitDoesNotSlowAnother() throws Exception {
    controller = new SecureController(dir, new RateLimiter.Rate(0.0001, 1));
    AgentCredentials first = controller.enrolled("first");
    AgentCredentials second = controller.enrolled("second");
    controller.mutualTls(first).report(report(first.hostId().orElseThrow(), 1));

    controller.mutualTls(second).report(report(second.hostId().orElseThrow(), 1));

    assertThat(controller.runtime.store().reportCount()).isEqualTo(2);
  }

  @Test
  void aReportLargerThanTheMessageLimitIsResourceExhausted() throws Exception {
    controller = new SecureController(dir);
    AgentCredentials agent = controller.enrolled("agent");
    Report huge = oversized(report(agent.hostId().orElseThrow(), 1));

    assertThatThrownBy(() -> controller.mutualTls(agent).report(huge))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    assertThat(controller.runtime.store().reportCount()).isZero();
  }

  @Test
  void theAgentDropsAReportTooLargeToDeliverAndSendsTheOnesBehindIt() throws Exception {
    controller = new SecureController(dir);
    AgentCredentials agent = controller.enrolled("agent");
    String hostId = agent.hostId().orElseThrow();
    try (Spool spool = Spool.open(dir.resolve("agent"));
        ReportSender sender = new ReportSender(spool, controller.mutualTls(agent))) {
      spool.add(oversized(report(hostId, 1)));
      spool.add(report(hostId, 2));

      sender.start();

      await().atMost(Duration.ofSeconds(20)).until(() -> spool.size() == 0);
    }
    assertThat(controller.runtime.store().reportCount()).isEqualTo(1);
  }
}
