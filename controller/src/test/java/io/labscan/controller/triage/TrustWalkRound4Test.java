package io.labscan.controller.triage;

import static io.labscan.controller.triage.ComplaintParserTest.mail;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The trust walk's pure rules behind red-team round 4's findings F1, F2 and F6 of issue #15: which
 * lab holdings stop the walk (only silence-ended, recent ones), which entries outrank a lab host's
 * holding (only an exact address), which reverse DNS names count (confirmed ones), and which
 * interfaces are virtual adapters.
 */
class TrustWalkRound4Test {
  private static final byte[] KEY = "fleet key for tests".getBytes(StandardCharsets.UTF_8);
  private static final Instant MAIL = Instant.parse("2026-12-07T16:40:11Z");

  // ---- F1: LearnedTrust.lastLabHolder ---------------------------------------------------

  @Test
  void aHoldingTheHostEndedByItsOwnReportIsNoLastLabHolding() {
    FakeEvidence fleet = new FakeEvidence(KEY).host("pc99", "lab-pc-99")
        .held("pc99", "10.20.0.25", MAIL.minus(Duration.ofHours(3)), MAIL.minus(Duration.ofHours(2)));

    assertThat(new LearnedTrust(fleet).lastLabHolder("10.20.0.25", MAIL)).isEmpty();
  }

  @Test
  void aSilenceOlderThanTheLongestLeaseIsNoLastLabHolding() {
    Instant last = MAIL.minus(TriageOptions.MAX_LEASE_HOLD).minusSeconds(1);
    FakeEvidence fleet = new FakeEvidence(KEY).host("pc99", "lab-pc-99")
        .heldThenSilent("pc99", "10.20.0.25", last.minus(Duration.ofDays(1)), last, TriageOptions.HOLDING_GRACE);

    assertThat(new LearnedTrust(fleet).lastLabHolder("10.20.0.25", MAIL)).isEmpty();
  }

  @Test
  void aRecentSilenceIsALastLabHoldingNamingTheLastReport() {
    Instant last = MAIL.minus(Duration.ofHours(3));
    FakeEvidence fleet = new FakeEvidence(KEY).host("pc99", "lab-pc-99")
        .heldThenSilent("pc99", "10.20.0.25", last.minus(Duration.ofDays(1)), last, TriageOptions.HOLDING_GRACE);

    Optional<LearnedTrust.LabHolding> held = new LearnedTrust(fleet).lastLabHolder("10.20.0.25", MAIL);

    assertThat(held).isPresent();
    assertThat(held.orElseThrow().holder().hostId()).isEqualTo("pc99");
    assertThat(held.orElseThrow().lastSeen()).contains(last);
  }

  @Test
  void aSilentHolderFollowedByAHostThatGaveTheAddressUpIsNoLastLabHolding() {
    FakeEvidence fleet = new FakeEvidence(KEY).host("pc99", "lab-pc-99").host("pc07", "lab-pc-07")
        .heldThenSilent("pc99", "10.20.0.25", MAIL.minus(Duration.ofHours(10)), MAIL.minus(Duration.ofHours(9)),
            TriageOptions.HOLDING_GRACE)
        .held("pc07", "10.20.0.25", MAIL.minus(Duration.ofHours(5)), MAIL.minus(Duration.ofHours(4)));

    assertThat(new LearnedTrust(fleet).lastLabHolder("10.20.0.25", MAIL)).isEmpty();
  }

  // ---- F2: exact entries, names and reverse DNS -----------------------------------------

  @Test
  void onlyASingleAddressIsAnExactEntryANameIsNot() {
    TrustConfig trust = TrustConfig.of(List.of("relay.campus.example.edu", "10.20.0.26/32", "10.20.0.0/24"));

    assertThat(trust.exactAddressEntryFor(Optional.of("10.20.0.26"))).contains("10.20.0.26/32");
    assertThat(trust.exactAddressEntryFor(Optional.of("10.20.0.25"))).isEmpty();
    assertThat(trust.entryForHost("relay.campus.example.edu")).contains("relay.campus.example.edu");
  }

  @Test
  void qmailsReverseDnsNameIsKeptButNotConfirmed() {
    ReceivedHop hop = ReceivedParser.parse("from relay.campus.example.edu (HELO relay) (10.20.3.17)\n"
        + "  by mx.campus.example.edu with SMTP; 7 Dec 2026 16:40:11 -0000");

    assertThat(hop.fromRdns()).contains("relay.campus.example.edu");
    assertThat(hop.flags()).contains(HopFlag.RDNS_UNCONFIRMED);
    assertThat(hop.verifiedRdns()).isEmpty();
  }

  @Test
  void postfixsForwardConfirmedReverseDnsNameStaysVerified() {
    ReceivedHop hop = ReceivedParser.parse("from relay (relay.campus.example.edu [10.20.0.25]) by"
        + " mx.campus.example.edu (Postfix) with ESMTP id 4N8x; Mon, 07 Dec 2026 16:40:11 +0000");

    assertThat(hop.verifiedRdns()).contains("relay.campus.example.edu");
  }

  @Test
  void anOutsideClientWhosePtrNamesTheTrustedRelayIsNotTrustedThroughAQmailMx() throws Exception {
    // Whoever controls the reverse zone of 203.0.113.50 can make its PTR say anything; qmail
    // writes it down without a forward lookup.
    ParsedComplaint c = ComplaintParser.parse(mail(
        "Received: (qmail 4242 invoked from network); 7 Dec 2026 16:40:11 -0000",
        "Received: from relay.campus.example.edu (HELO relay) (203.0.113.50)",
        "  by mx.campus.example.edu with SMTP; 7 Dec 2026 16:40:11 -0000",
        "Received: from harold-pc (harold-pc.campus.example.edu [10.20.3.12])",
        "  by relay.campus.example.edu (Postfix) with ESMTP id 7F3E; Mon, 07 Dec 2026 16:40:09 +0000",
        "From: harold@campus.example.edu", "To: carol@campus.example.edu", "Subject: notice", "", "x"),
        TrustConfig.of(List.of("relay.campus.example.edu", "mx.campus.example.edu")));

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("203.0.113.50");
  }

  // ---- F6: interface kinds --------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"vboxnet0", "vmnet8", "docker0", "br-3f2a9c1d", "virbr0", "veth12ab", "tun0", "wg0",
      "utun3", "tailscale0", "VirtualBox Host-Only Network", "vEthernet (WSL)", "VMware Network Adapter VMnet1",
      "TAP-Windows Adapter V9", "Local Area Connection* 12 (WireGuard Tunnel)"})
  void virtualAndTunnelAdaptersAreVirtual(String name) {
    assertThat(InterfaceKind.virtual(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "eth0", "eth1", "ens33", "enp0s3", "eno1", "wlan0", "wlp2s0", "en0", "Ethernet",
      "Ethernet 2", "Wi-Fi", "Local Area Connection"})
  void ordinaryNetworkCardsAreNotVirtual(String name) {
    assertThat(InterfaceKind.virtual(name)).isFalse();
  }
}
