package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rule of issue 15, red-team round 6, N0c/N1 ({@link VirtualHolding}): a holding on a virtual
 * adapter is no evidence on its own, unless the adapter carries the host's LAN address or the
 * host's own egress speaks.
 */
class VirtualHoldingTest {
  private static final Instant AT = Instant.parse("2026-12-06T17:32:11Z");
  private static final String MX = "192.0.2.25";

  private static final byte[] KEY = "virtual-holding-test-key".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  /** Evidence whose store knows each host's addresses ({@link FakeEvidence#knowsAddresses}). */
  private static FakeEvidence fleet() {
    return new FakeEvidence(KEY).knowsAddresses();
  }

  private static void on(FakeEvidence e, String host, String iface, String ip) {
    e.heldOnInterface(host, ip, iface, AT.minus(Duration.ofHours(1)), null);
  }

  private static AddressHolding holding(FakeEvidence e, String host, String ip) {
    return e.holdersOf(ip, AT).stream().filter(h -> h.hostId().equals(host)).findFirst().orElseThrow();
  }

  private static EgressHit smtp(String host, boolean allowed, String... destinations) {
    return new EgressHit(host, host, AT.minusSeconds(60), AT, 3, List.of(destinations), Optional.of("x.exe"), allowed);
  }

  @Test
  void aBridgeAddressBesideTheHostsLanAddressIsVirtual() {
    FakeEvidence e = fleet();
    on(e, "pc40", "eth0", "10.20.5.40");
    on(e, "pc40", "docker0", "172.17.0.1");

    assertThat(VirtualHolding.virtual(holding(e, "pc40", "172.17.0.1"), e, AT)).isTrue();
  }

  @Test
  void anOrdinaryNicsAddressIsNotVirtual() {
    FakeEvidence e = fleet();
    on(e, "pc40", "eth0", "10.20.5.40");
    on(e, "pc40", "docker0", "172.17.0.1");

    assertThat(VirtualHolding.virtual(holding(e, "pc40", "10.20.5.40"), e, AT)).isFalse();
  }

  @Test
  void aVirtualNamedAdapterInTheSameSubnetAsTheEthernetIsNotVirtual() {
    FakeEvidence e = fleet();
    on(e, "pc43", "eth0", "10.20.3.5");
    on(e, "pc43", "docker0", "10.20.3.43");

    assertThat(VirtualHolding.virtual(holding(e, "pc43", "10.20.3.43"), e, AT)).isFalse();
  }

  @Test
  void aVirtualNamedAdapterWithTheHostsOnlyRoutableAddressIsNotVirtual() {
    FakeEvidence e = fleet();
    on(e, "pc44", "vboxnet0", "10.20.3.44");
    on(e, "pc44", "lo", "127.0.0.1");
    on(e, "pc44", "eth0", "fe80::1");

    assertThat(VirtualHolding.virtual(holding(e, "pc44", "10.20.3.44"), e, AT)).isFalse();
  }

  @Test
  void aVirtualAdapterIsTakenAsVirtualWhenTheStoreCannotSayWhatElseTheHostHeld() {
    AddressHolding alone = new AddressHolding("pc40", "pc40", "172.17.0.1", AT.minusSeconds(600), Optional.empty(),
        "", "docker0", Optional.empty());

    assertThat(VirtualHolding.virtual(alone, new FakeEvidence(KEY), AT)).isTrue();
  }

  @Test
  void oneOrdinarySendingToTheRecordingMtaIsNoEvidenceOfItsOwn() {
    // A Docker host next to a containerised MX mails it all day (red team round 8, T3).
    assertThat(VirtualHolding.egressEvidence(List.of(smtp("pc40", false, MX)), Optional.of(MX), u -> Optional.empty()))
        .isEmpty();
  }

  @Test
  void allowedSmtpOrSmtpElsewhereIsNoEvidence() {
    assertThat(VirtualHolding.egressEvidence(List.of(smtp("pc40", true, MX), smtp("pc40", false, "198.51.100.7")),
        Optional.of(MX), u -> Optional.empty())).isEmpty();
  }

  @Test
  void aWormLikeMailingIsEvidenceOfItsOwn() {
    assertThat(VirtualHolding.egressEvidence(List.of(smtp("pc40", false, "198.51.100.7")), Optional.of(MX),
        u -> Optional.of("a mass mailing"))).contains("a mass mailing");
  }

  @Test
  void anOriginHeldOnlyOnBridgesIsDoubtedWithTheInterfaceNamed() {
    FakeEvidence e = fleet();
    on(e, "pc40", "eth0", "10.20.5.40");
    on(e, "pc40", "docker0", "172.17.0.1");
    on(e, "pc41", "eth0", "10.20.5.41");
    on(e, "pc41", "docker0", "172.17.0.1");

    assertThat(VirtualHolding.onlyVirtual(e, "172.17.0.1", AT, Optional.of(MX), TrustConfig.none(),
        Duration.ofMinutes(10))).hasValueSatisfying(w -> assertThat(w).contains("pc40").contains("pc41")
            .contains("docker0"));
  }

  @Test
  void anOriginAlsoHeldOnAnOrdinaryNicIsNotDoubted() {
    FakeEvidence e = fleet();
    on(e, "pc40", "eth0", "10.20.5.40");
    on(e, "pc40", "docker0", "172.17.0.1");
    on(e, "pc50", "eth0", "172.17.0.1");

    assertThat(VirtualHolding.onlyVirtual(e, "172.17.0.1", AT, Optional.of(MX), TrustConfig.none(),
        Duration.ofMinutes(10))).isEmpty();
  }

  @Test
  void anOriginWhoseBridgeHolderSentOneOrdinaryMailToTheMtaStaysDoubted() {
    FakeEvidence e = fleet();
    on(e, "pc40", "eth0", "10.20.5.40");
    on(e, "pc40", "docker0", "172.17.0.1");
    e.egress("pc40", AT.minusSeconds(60), AT, false, MX);

    // A Docker host next to a containerised MX mails it all day (red team round 8, T3).
    assertThat(VirtualHolding.onlyVirtual(e, "172.17.0.1", AT, Optional.of(MX), TrustConfig.none(),
        Duration.ofMinutes(10))).isPresent();
  }

  @Test
  void sameSubnetIsTheSame24OrThe64() {
    assertThat(VirtualHolding.sameSubnet("10.20.3.5", "10.20.3.200")).isTrue();
    assertThat(VirtualHolding.sameSubnet("10.20.3.5", "10.20.4.5")).isFalse();
    assertThat(VirtualHolding.sameSubnet("2001:db8:1:2::5", "2001:db8:1:2::99")).isTrue();
    assertThat(VirtualHolding.sameSubnet("2001:db8:1:2::5", "10.20.3.5")).isFalse();
  }
}
