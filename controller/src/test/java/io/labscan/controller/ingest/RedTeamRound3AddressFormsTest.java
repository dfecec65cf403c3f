package io.labscan.controller.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.TestReports;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Red-team round 3 of issue #15: address spellings a lying agent uses to slip past the family
 * and form checks. Each is refused with the element named, as a plain wrong address is.
 */
class RedTeamRound3AddressFormsTest {
  private final ReportValidator validator = new ReportValidator(Clock.systemUTC());

  private static Report withInterface(NetworkInterface.Builder nif) {
    Report r = TestReports.fullScan(TestReports.newHostId(), "lab-pc-66", Instant.now(), 1);
    return r.toBuilder().setInventory(r.getInventory().toBuilder().clearInterfaces().addInterfaces(nif)).build();
  }

  @Test
  void anIpv4MappedAddressInTheIpv6ListIsRefusedAsTheIpv4AddressItIs() {
    // Stored in canonical form this is 10.20.3.17: an IPv4 claim made through the IPv6 list.
    assertRefused(withInterface(NetworkInterface.newBuilder().setName("eth0").addIpv6("::ffff:10.20.3.17")),
        "report.inventory.interfaces[0].ipv6[0]");
  }

  @Test
  void aDottedQuadWithLeadingZerosIsRefusedBecauseItsMeaningIsAmbiguous() {
    // 010.020.003.017 is 10.20.3.17 to Java and 8.16.3.15 to inet_aton(3).
    assertRefused(withInterface(NetworkInterface.newBuilder().setName("eth0").addIpv4("010.020.003.017")),
        "report.inventory.interfaces[0].ipv4[0]");
  }

  private void assertRefused(Report r, String field) {
    assertThatThrownBy(() -> validator.validate(r)).isInstanceOfSatisfying(InvalidReportException.class,
        e -> assertThat(e.field()).isEqualTo(field));
  }
}
