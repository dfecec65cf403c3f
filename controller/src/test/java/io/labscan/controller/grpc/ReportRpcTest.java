package io.labscan.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.Timestamps;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.GrpcChannels;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.TestReports;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.EnrollRequest;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ReportAck;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Report, Enroll and Heartbeat RPCs over a real loopback socket. */
class ReportRpcTest {
  @TempDir Path dir;
  private ControllerRuntime controller;
  private ControllerClient client;

  @BeforeEach
  void start() {
    controller = ControllerRuntime.start(
        new ControllerRuntime.Options(dir.resolve("c.db"), "127.0.0.1", 0, true), Clock.systemUTC());
    ManagedChannel channel = GrpcChannels.forController("127.0.0.1:" + controller.grpcPort(), true);
    client = new ControllerClient(channel);
  }

  @AfterEach
  void stop() {
    client.close();
    controller.close();
  }

  private static Report report() {
    return TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", Instant.now(), 1, "10.20.3.17");
  }

  @Test
  void theSameReportIdSentTwiceIsStoredOnce() {
    Report report = report();

    ReportAck first = client.report(report);
    ReportAck second = client.report(report);

    assertThat(first.getDuplicate()).isFalse();
    assertThat(second.getDuplicate()).isTrue();
    assertThat(second.getReportId()).isEqualTo(report.getReportId());
    assertThat(controller.store().reportCount()).isEqualTo(1);
  }

  @Test
  void anAcknowledgedReportIsAlreadyReadableFromTheStore() {
    Report report = report();
    client.report(report);
    assertThat(controller.store().host(report.getInventory().getHostId())).isPresent();
  }

  @Test
  void aReportFromTheFutureIsRefusedNamingTheField() {
    Report report = report().toBuilder()
        .setCreated(Timestamps.fromMillis(Instant.now().plus(Duration.ofDays(30)).toEpochMilli())).build();
    assertInvalid(report, "report.created");
  }

  @Test
  void aNegativeCountIsRefusedNamingTheField() {
    Report report = report().toBuilder()
        .addEgress(SmtpEgressWindow.newBuilder().setConnections(-4)
            .setWindowStart(Timestamps.fromMillis(System.currentTimeMillis()))
            .setWindowEnd(Timestamps.fromMillis(System.currentTimeMillis())))
        .build();
    assertInvalid(report, "report.egress[0].connections");
  }

  @Test
  void anUnknownEnumValueIsRefusedNamingTheField() {
    Report report = report().toBuilder().addAv(AvStatus.newBuilder().setProvider("clamav").setStateValue(42)).build();
    assertInvalid(report, "report.av[0].state");
  }

  @Test
  void anOverlongPathIsRefusedNamingTheField() {
    Report report = report().toBuilder()
        .addFindings(ArtifactFinding.newBuilder().setRuleId("klez.wink").setPath("C:/" + "A".repeat(5000)))
        .build();
    assertInvalid(report, "report.findings[0].path");
  }

  @Test
  void aReportWithoutAHostIdIsRefused() {
    Report report = report().toBuilder()
        .setInventory(report().getInventory().toBuilder().setHostId("not-a-uuid")).build();
    assertInvalid(report, "report.inventory.host_id");
  }

  private void assertInvalid(Report report, String field) {
    assertThatThrownBy(() -> client.report(report))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).startsWith(field + ":");
        });
    assertThat(controller.store().reportCount()).isZero();
  }

  @Test
  void heartbeatFromAnUnenrolledHostIsNotFound() {
    assertThatThrownBy(() -> client.heartbeat(HeartbeatRequest.newBuilder()
            .setHostId(TestReports.newHostId()).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void heartbeatAfterEnrolmentReturnsThePolicyVersion() {
    String hostId = TestReports.newHostId();
    client.enroll(EnrollRequest.newBuilder().setHostId(hostId).setHostname("lab-pc-12").build());
    var response = client.heartbeat(HeartbeatRequest.newBuilder().setHostId(hostId).build());
    assertThat(response.getPolicyVersion()).isEqualTo(1);
    assertThat(response.hasServerTime()).isTrue();
  }

  @Test
  void enrolmentWithAMalformedHostIdIsInvalidArgument() {
    assertThatThrownBy(() -> client.enroll(EnrollRequest.newBuilder().setHostId("x").setHostname("h").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }
}
