package io.labscan.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.GrpcChannels;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.TestReports;
import io.labscan.controller.ingest.ReportValidator;
import io.labscan.controller.store.AddressInterval;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ReportAck;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #16: a report's lists have documented limits, enforced before anything is stored, so
 * one agent cannot hold the single store writer (and every other agent's acknowledgement).
 * Real gRPC over a loopback socket, real SQLite file.
 */
class ReportLimitsOverGrpcTest {
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

  /** {@code v4} IPv4 addresses on eth0 and {@code v6} IPv6 addresses on eth1. */
  private static Report withAddresses(String hostId, int v4, int v6) {
    List<String> ipv4 = new ArrayList<>();
    for (int i = 0; i < v4; i++) {
      ipv4.add("10.20." + (i / 250) + "." + (1 + i % 250));
    }
    List<String> ipv6 = new ArrayList<>();
    for (int i = 0; i < v6; i++) {
      ipv6.add("2001:db8:20::" + Integer.toHexString(i + 1));
    }
    Report base = TestReports.fullScan(hostId, "lab-pc-07", Instant.now(), 1);
    return base.toBuilder()
        .setInventory(base.getInventory().toBuilder().clearInterfaces()
            .addInterfaces(NetworkInterface.newBuilder().setName("eth0").setMac("00:0c:29:3e:1a:07")
                .addAllIpv4(ipv4))
            .addInterfaces(NetworkInterface.newBuilder().setName("eth1").setMac("00:0c:29:3e:1a:08")
                .addAllIpv6(ipv6)))
        .build();
  }

  @Test
  void aReportWithTheMostAddressesAllowedIsAcceptedAndEveryAddressStored() {
    String hostId = TestReports.newHostId();
    Report report = withAddresses(hostId, 200, ReportValidator.MAX_ADDRESSES - 200);

    ReportAck ack = client.report(report);

    assertThat(ack.getDuplicate()).isFalse();
    List<AddressInterval> stored = controller.store().addressHistory(hostId);
    assertThat(stored).hasSize(ReportValidator.MAX_ADDRESSES);
    assertThat(stored).extracting(AddressInterval::ip).contains("10.20.0.1", "2001:db8:20::38");
  }

  @Test
  void oneAddressOverTheLimitIsRefusedNamingTheFieldAndNothingIsStored() {
    Report report = withAddresses(TestReports.newHostId(), 200, ReportValidator.MAX_ADDRESSES - 200 + 1);

    assertInvalid(report, "report.inventory.interfaces");
  }

  @Test
  void sixteenThousandAddressesInOneListAreRefusedNamingTheList() {
    Report report = withAddresses(TestReports.newHostId(), 16_000, 0);

    assertInvalid(report, "report.inventory.interfaces[0].ipv4");
  }

  @Test
  void anAddressThatIsNotAnIpIsRefusedNamingTheElement() {
    Report base = TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", Instant.now(), 1,
        "10.20.3.17", "mail.example.edu");

    assertInvalid(base, "report.inventory.interfaces[0].ipv4[1]");
  }

  @Test
  void anIpv6AddressInTheIpv4ListIsRefused() {
    Report base = TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", Instant.now(), 1, "2001:db8::17");

    assertInvalid(base, "report.inventory.interfaces[0].ipv4[0]");
  }

  @Test
  void aHostnameWithABidiOverrideIsRefusedNamingTheField() {
    // Red-team round 7, T8: the name is printed in answers and tables; the whole report is refused.
    Report report = TestReports.fullScan(TestReports.newHostId(), "lab-pc-12\u202Etxt.exe", Instant.now(), 1,
        "10.20.3.17");

    assertInvalid(report, "report.inventory.hostname");
  }

  private void assertInvalid(Report report, String field) {
    assertThatThrownBy(() -> client.report(report))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).startsWith(field + ":");
        });
    assertThat(controller.store().reportCount()).isZero();
  }
}
