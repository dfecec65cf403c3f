package io.labscan.controller.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.Timestamps;
import io.labscan.controller.TestReports;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reported addresses are IP literals of their list's family, named when they are not. */
class ReportAddressValidationTest {
  private final ReportValidator validator = new ReportValidator(Clock.systemUTC());

  private static Report withInterface(NetworkInterface.Builder nif) {
    Report r = TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", Instant.now(), 1);
    return r.toBuilder().setInventory(r.getInventory().toBuilder().clearInterfaces().addInterfaces(nif)).build();
  }

  @Test
  void dottedQuadsAndRfc5952AddressesAreAccepted() {
    Report r = withInterface(NetworkInterface.newBuilder().setName("eth0")
        .addAllIpv4(List.of("10.20.3.17", "192.0.2.1")).addAllIpv6(List.of("2001:db8::17", "fe80::1", "::1")));
    assertThatCode(() -> validator.validate(r)).doesNotThrowAnyException();
  }

  private static io.labscan.proto.v1.AddressLease lease(String ip, Instant end) {
    return io.labscan.proto.v1.AddressLease.newBuilder().setIp(ip).setLeaseEnd(Timestamps.fromMillis(end.toEpochMilli()))
        .build();
  }

  @Test
  void aLeaseOfOneOfTheInterfacesAddressesIsAcceptedEvenWeeksAhead() {
    Report r = withInterface(NetworkInterface.newBuilder().setName("eth0").addIpv4("10.20.3.17")
        .addLeases(lease("10.20.3.17", Instant.now().plus(java.time.Duration.ofDays(30)))));
    assertThatCode(() -> validator.validate(r)).doesNotThrowAnyException();
  }

  @Test
  void aLeaseOfAnAddressTheInterfaceDoesNotCarryIsRefused() {
    assertRefused(withInterface(NetworkInterface.newBuilder().setName("eth0").addIpv4("10.20.3.17")
        .addLeases(lease("10.20.3.20", Instant.now().plusSeconds(3600)))),
        "report.inventory.interfaces[0].leases[0].ip");
  }

  @Test
  void aLeaseWithoutAnEndIsRefused() {
    assertRefused(withInterface(NetworkInterface.newBuilder().setName("eth0").addIpv4("10.20.3.17")
        .addLeases(io.labscan.proto.v1.AddressLease.newBuilder().setIp("10.20.3.17"))),
        "report.inventory.interfaces[0].leases[0].lease_end");
  }

  @Test
  void anIpv6AddressWithAZoneIdIsRefused() {
    assertRefused(withInterface(NetworkInterface.newBuilder().addIpv6("fe80::1%eth0")),
        "report.inventory.interfaces[0].ipv6[0]");
  }

  @Test
  void aBracketedOrPrefixedAddressIsRefused() {
    assertRefused(withInterface(NetworkInterface.newBuilder().addIpv6("[2001:db8::17]")),
        "report.inventory.interfaces[0].ipv6[0]");
    assertRefused(withInterface(NetworkInterface.newBuilder().addIpv6("IPv6:2001:db8::17")),
        "report.inventory.interfaces[0].ipv6[0]");
  }

  @Test
  void anIpv4AddressInTheIpv6ListIsRefused() {
    assertRefused(withInterface(NetworkInterface.newBuilder().addIpv6("10.20.3.17")),
        "report.inventory.interfaces[0].ipv6[0]");
  }

  @Test
  void anOutOfRangeDottedQuadIsRefused() {
    assertRefused(withInterface(NetworkInterface.newBuilder().addIpv4("10.20.3.300")),
        "report.inventory.interfaces[0].ipv4[0]");
  }

  @Test
  void anEgressDestinationThatIsAHostNameIsRefused() {
    long now = System.currentTimeMillis();
    Report r = TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", Instant.now(), 1, "10.20.3.17").toBuilder()
        .addEgress(SmtpEgressWindow.newBuilder().setWindowStart(Timestamps.fromMillis(now))
            .setWindowEnd(Timestamps.fromMillis(now))
            .addDestinations(EgressDestination.newBuilder().setIp("smtp.example.net").setPort(25)))
        .build();
    assertRefused(r, "report.egress[0].destinations[0].ip");
  }

  @Test
  void moreThanSixtyFourInterfacesAreRefusedNamingTheList() {
    Report r = withInterface(NetworkInterface.newBuilder().setName("eth0"));
    HostInventory.Builder inventory = r.getInventory().toBuilder().clearInterfaces();
    for (int i = 0; i < 65; i++) {
      inventory.addInterfaces(NetworkInterface.newBuilder().setName("veth" + i));
    }
    assertRefused(r.toBuilder().setInventory(inventory).build(), "report.inventory.interfaces");
  }

  private void assertRefused(Report r, String field) {
    assertThatThrownBy(() -> validator.validate(r)).isInstanceOfSatisfying(InvalidReportException.class,
        e -> assertThat(e.field()).isEqualTo(field));
  }
}
