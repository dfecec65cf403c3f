package io.labscan.agent.inventory.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lease parsers on recorded samples of each source. */
class DhcpLeaseParsersTest {
  private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");

  static String sample(String name) throws IOException {
    try (InputStream in = DhcpLeaseParsersTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void dhclientsLastBlockForAnAddressGivesItsLeaseEndInUtc() throws Exception {
    List<DhcpLease> leases = DhclientLeaseFile.parse(sample("dhclient.eth0.leases"));

    assertThat(leases).hasSize(2);
    assertThat(DhcpLeases.latest(leases, NOW))
        .containsExactly(Map.entry("10.20.3.17", Instant.parse("2026-12-07T20:11:07Z")));
  }

  @Test
  void dhclientsEpochTimesAreReadAndAnInfiniteLeaseHasNoEnd() throws Exception {
    List<DhcpLease> leases = DhclientLeaseFile.parse(sample("dhclient-epoch.leases"));

    assertThat(leases).containsExactly(new DhcpLease("192.168.10.44", Instant.ofEpochSecond(1765106713)));
  }

  @Test
  void dhclient6LeasesEndAtTheirStartPlusMaxLife() throws Exception {
    List<DhcpLease> leases = DhclientLeaseFile.parse(sample("dhclient6.leases"));

    assertThat(leases).containsExactly(new DhcpLease("2001:db8:20:3::17", Instant.ofEpochSecond(1765119721 + 7200)));
  }

  @Test
  void systemdNetworkdLeasesEndTheirLifetimeAfterTheFileWasWritten() throws Exception {
    Instant written = Instant.parse("2026-12-07T02:30:00Z");

    assertThat(NetworkdLeaseFile.parse(sample("networkd-lease-2"), written))
        .contains(new DhcpLease("10.20.3.40", Instant.parse("2026-12-07T03:30:00Z")));
  }

  @Test
  void networkManagersInternalLeaseFilesShareTheNetworkdFormat() throws Exception {
    DhcpLeases.FileText f = new DhcpLeases.FileText(
        sample("internal-3b1f2a44-8c7e-4b1d-9f0a-2c6d5e7f8a90-wlp2s0.lease"), Instant.parse("2026-12-07T01:00:00Z"));

    assertThat(DhcpLeases.parse(f)).containsExactly(new DhcpLease("172.16.40.23", Instant.parse("2026-12-07T13:00:00Z")));
  }

  @Test
  void macIpconfigPacketsLeaseTimeCountsFromWhenItWasAsked() throws Exception {
    assertThat(MacIpconfigPacket.parse(sample("ipconfig-getpacket-en0.txt"), NOW))
        .contains(new DhcpLease("10.20.5.88", NOW.plusSeconds(0x15180)));
  }

  @Test
  void macOsAsksOnlyPlausiblyNamedInterfaces() throws Exception {
    String packet = sample("ipconfig-getpacket-en0.txt");
    List<String> asked = new java.util.ArrayList<>();

    List<DhcpLease> leases = DhcpLeases.mac(List.of("en0", "-rf", "en0; reboot", "bridge100"), NOW, n -> {
      asked.add(n);
      return n.equals("en0") ? java.util.Optional.of(packet) : java.util.Optional.empty();
    });

    assertThat(asked).containsExactly("en0", "bridge100");
    assertThat(leases).hasSize(1);
  }

  @Test
  void garbageGivesNoLease() {
    assertThat(DhclientLeaseFile.parse("lease { fixed-address 999.1.1.1; expire 1 2026/13/40 99:00:00; }")).isEmpty();
    assertThat(DhclientLeaseFile.parse("lease { lease { lease {")).isEmpty();
    assertThat(NetworkdLeaseFile.parse("ADDRESS=not-an-ip\nLIFETIME=3600\n", NOW)).isEmpty();
    assertThat(NetworkdLeaseFile.parse("ADDRESS=10.1.1.1\nLIFETIME=99999999999\n", NOW)).isEmpty();
    assertThat(MacIpconfigPacket.parse("yiaddr = 0.0.0.0\nlease_time (uint32): 0xffffffff\n", NOW)).isEmpty();
  }

  @Test
  void endedLeasesAreLeftOut() {
    assertThat(DhcpLeases.latest(List.of(new DhcpLease("10.1.1.1", NOW.minusSeconds(1))), NOW)).isEmpty();
  }

  @Test
  void windowsAdaptersGiveLeasesOnlyForDhcpAddresses() {
    List<DhcpLease> leases = WindowsAdapterLeases.leases(List.of(
        new WindowsAdapterLeases.Adapter(true, List.of("10.20.3.17", "0.0.0.0"), 1765134667L),
        new WindowsAdapterLeases.Adapter(false, List.of("10.20.9.9"), 1765134667L),
        new WindowsAdapterLeases.Adapter(true, List.of("10.20.3.18"), 0L)));

    assertThat(leases).containsExactly(new DhcpLease("10.20.3.17", Instant.ofEpochSecond(1765134667L)));
  }
}
