package io.labscan.controller.triage;

import static io.labscan.controller.triage.ComplaintParserTest.mail;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trust walk with nothing configured, learning from the fleet: hosts with the mail-server
 * role are trusted by the addresses they held and the reverse DNS names recorded for them; a
 * LabScan host without the role is never an MTA.
 */
class LearnedTrustTest {
  private static final byte[] KEY = "fleet key for tests".getBytes(StandardCharsets.UTF_8);
  private static final Instant DAY = Instant.parse("2026-12-06T00:00:00Z");
  private static final Instant LATER = Instant.parse("2026-12-07T00:00:00Z");
  private static final String MX_LINE = "Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])"
      + " by mailbox.campus.example.edu (Postfix) with ESMTP id 9A1B; Sun, 6 Dec 2026 17:32:13 +0000";
  private static final String LAB_PC_LINE = "Received: from mx1.campus.example.edu (unknown [10.20.3.17])"
      + " by mx1.campus.example.edu (Postfix) with SMTP id 4F1E; Sun, 6 Dec 2026 17:32:11 +0000";

  /** The campus MX (mail-server role) and a lab PC, as their agents reported them. */
  private static FakeEvidence campus() {
    return new FakeEvidence(KEY)
        .host("mx", "mx1").held("mx", "198.51.100.5", DAY, null).mailServer("mx", "mx1.campus.example.edu")
        .host("pc", "lab-pc-07").held("pc", "10.20.3.17", DAY, null);
  }

  private static ParsedComplaint parse(TrustConfig trust, String... lines) throws Exception {
    return ComplaintParser.parse(mail(lines), trust);
  }

  private static String[] message(String... received) {
    List<String> lines = new java.util.ArrayList<>(List.of(received));
    lines.addAll(List.of("From: harold@campus.example.edu", "To: janet@campus.example.edu", "Subject: honey", "", "x"));
    return lines.toArray(String[]::new);
  }

  @Test
  void withNothingConfiguredTheLabPcBehindTheCampusMxIsTheOrigin() throws Exception {
    ParsedComplaint c = parse(TrustConfig.none().withFleet(campus()), message(MX_LINE, LAB_PC_LINE));

    Origin o = c.origin().orElseThrow();
    assertThat(o.ip()).isEqualTo("10.20.3.17");
    assertThat(c.hops().get(1).trust()).isEqualTo(HopTrust.BOUNDARY);
    assertThat(c.hops().get(1).trustSource().orElseThrow().text())
        .isEqualTo("mail-server role (host mx1, held 198.51.100.5)");
    assertThat(c.hops().get(0).trustSource().orElseThrow().text()).isEqualTo("delivering MTA (top line)");
    assertThat(o.trustedBecause()).contains("lab-pc-07, a LabScan host without the mail-server role");
    assertThat(o.recordable()).isTrue();
  }

  @Test
  void withoutTheFleetTheSameChainStopsAtTheCampusMx() throws Exception {
    ParsedComplaint c = parse(TrustConfig.none(), message(MX_LINE, LAB_PC_LINE));

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("198.51.100.5");
    assertThat(c.origin().orElseThrow().recordable()).isFalse();
  }

  @Test
  void aMailServerKnownByTheReverseDnsATrustedMtaRecordedIsTrusted() throws Exception {
    FakeEvidence fleet = new FakeEvidence(KEY).host("mx", "mx1").mailServer("mx", "mx1.campus.example.edu")
        .host("pc", "lab-pc-07").held("pc", "10.20.3.17", DAY, null);

    ParsedComplaint c = parse(TrustConfig.none().withFleet(fleet), message(MX_LINE, LAB_PC_LINE));

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(c.hops().get(1).trustSource().orElseThrow().text())
        .isEqualTo("mail-server role (host mx1, reverse DNS mx1.campus.example.edu)");
  }

  @Test
  void aMailServerReportingLocalhostLocaldomainNeverMakesSuchLinesOurs() throws Exception {
    FakeEvidence fleet = new FakeEvidence(KEY).host("mx", "mx1")
        .mailServer("mx", "localhost.localdomain", "localhost", "mx1.local")
        .host("pc", "lab-pc-07").held("pc", "10.20.3.17", DAY, null);

    ParsedComplaint c = parse(TrustConfig.none().withFleet(fleet), message(
        "Received: from localhost.localdomain (localhost.localdomain [203.0.113.9]) by"
            + " mailbox.campus.example.edu (Postfix) with ESMTP id 9A1B; Sun, 6 Dec 2026 17:32:13 +0000",
        "Received: from PC12 (unknown [10.20.3.12]) by localhost.localdomain (Postfix) with SMTP id 4F1E;"
            + " Sun, 6 Dec 2026 17:32:11 +0000"));

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("203.0.113.9");
    assertThat(c.origin().orElseThrow().recordable()).isFalse();
  }

  @Test
  void aTopLineWrittenByAGenericNameIsNeverOurs() throws Exception {
    FakeEvidence fleet = new FakeEvidence(KEY).host("mx", "mx1").mailServer("mx", "mail.localdomain");

    ParsedComplaint c = parse(TrustConfig.none().withFleet(fleet), message(
        "Received: from PC12 (unknown [10.20.3.12]) by mail.localdomain (Postfix) with SMTP id 4F1E;"
            + " Sun, 6 Dec 2026 17:32:11 +0000"));

    assertThat(c.hops().get(0).trustSource().orElseThrow().ours()).isFalse();
    assertThat(c.origin().orElseThrow().recordable()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "localhost.localdomain", "localhost.campus.example.edu", "mx1",
      "mx1.local", "mail.lan", "mail.home", "mx.localdomain", "10.20.3.5", "mx1.", ".example.edu"})
  void genericNamesAreNeverDistinctive(String name) {
    assertThat(MailServerHost.distinctiveName(name)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"mx1.campus.example.edu", "MX1.Campus.Example.EDU.", "relay.lab.example.org"})
  void qualifiedSiteNamesAreDistinctive(String name) {
    assertThat(MailServerHost.distinctiveName(name)).isTrue();
  }

  @Test
  void aHeloNamingTheMailServerIsNeverTrusted() throws Exception {
    FakeEvidence fleet = new FakeEvidence(KEY).host("mx", "mx1").mailServer("mx", "mx1.campus.example.edu");

    ParsedComplaint c = parse(TrustConfig.none().withFleet(fleet), message(
        "Received: from mx1.campus.example.edu (unknown [203.0.113.66]) by mailbox.campus.example.edu (Postfix);"
            + " Sun, 6 Dec 2026 17:32:13 +0000",
        LAB_PC_LINE));

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("203.0.113.66");
    assertThat(c.hops().get(1).trust()).isEqualTo(HopTrust.CLAIMED);
  }

  @Test
  void aLabPcClaimingTheMailServersAddressCannotStopTheWalkThere() throws Exception {
    FakeEvidence fleet = campus().host("liar", "lab-pc-66").held("liar", "198.51.100.5", DAY, null);

    ParsedComplaint c = parse(TrustConfig.none().withFleet(fleet), message(MX_LINE, LAB_PC_LINE));

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(c.origin().orElseThrow().trustedBecause()).contains("lab-pc-66 reported it too; ignored");
  }

  @Test
  void aLabPcIsTheBoundaryEvenInsideAConfiguredNetwork() throws Exception {
    ParsedComplaint c = parse(TrustConfig.of(List.of("198.51.100.0/24", "10.20.0.0/16")).withFleet(campus()),
        message(MX_LINE, LAB_PC_LINE,
            "Received: from trusted-relay (unknown [10.20.3.99]) by lab-pc-07 (8.12.2); Sun, 6 Dec 2026 17:32:10 +0000"));

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(c.origin().orElseThrow().trustedBecause()).contains("although --trust 10.20.0.0/16 covers it");
    assertThat(c.hops().get(2).trust()).isEqualTo(HopTrust.CLAIMED);
    assertThat(c.hops().get(1).trustSource().orElseThrow().text()).isEqualTo("configured (--trust 198.51.100.0/24)");
  }

  @Test
  void anAddressTheMailServerHeldOnlyLaterDoesNotTrustTheLine() throws Exception {
    FakeEvidence fleet = new FakeEvidence(KEY).host("mx", "mx1").held("mx", "198.51.100.5", LATER, null)
        .mailServer("mx").host("pc", "lab-pc-07").held("pc", "10.20.3.17", DAY, null);

    ParsedComplaint c = parse(TrustConfig.none().withFleet(fleet), message(MX_LINE, LAB_PC_LINE));

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("198.51.100.5");
  }

  @Test
  void aPrivateAddressInsideAProviderIsNotComparedWithTheFleet() throws Exception {
    FakeEvidence fleet = new FakeEvidence(KEY).host("pc", "lab-pc-07").held("pc", "10.9.8.7", DAY, null);

    ParsedComplaint c = parse(TrustConfig.none().withFleet(fleet), message(
        "Received: from smtp.gmail.com ([10.9.8.7]) by mx.google.com with ESMTPS id 1; Sun, 6 Dec 2026 17:32:13 +0000",
        "Received: from pc (pc.example.net. [198.51.100.201]) by smtp.gmail.com with ESMTPSA id 2;"
            + " Sun, 6 Dec 2026 17:32:12 +0000"));

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("198.51.100.201");
    assertThat(c.hops().get(1).trustSource().orElseThrow().text()).isEqualTo("provider list (google)");
    assertThat(c.origin().orElseThrow().recordable()).isFalse();
  }

  @Test
  void theTopLineWrittenByTheMailServerMakesItsOriginRecordable() throws Exception {
    ParsedComplaint c = parse(TrustConfig.none().withFleet(campus()), message(LAB_PC_LINE));

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(c.hops().get(0).trustSource().orElseThrow().text())
        .isEqualTo("mail-server role (host mx1, named mx1.campus.example.edu)");
    assertThat(c.origin().orElseThrow().recordable()).isTrue();
  }

  @Test
  void anOriginRecordedOnlyByAnOutsideMtaIsShownButNotRecordable() throws Exception {
    ParsedComplaint c = parse(TrustConfig.none().withFleet(campus()), message(
        "Received: from nat.campus.example.edu (nat.campus.example.edu [203.0.113.1]) by mx.outside.example.org"
            + " (Postfix); Sun, 6 Dec 2026 17:32:13 +0000"));

    Origin o = c.origin().orElseThrow();
    assertThat(o.ip()).isEqualTo("203.0.113.1");
    assertThat(o.recordable()).isFalse();
    assertThat(o.recordableBecause()).contains("mx.outside.example.org, which is not an MTA of ours");
  }

  @Test
  void aBounceWhoseOriginalNoReportConfirmsIsNeverRecordable() {
    ParsedComplaint c = Corpus.parse("bounce-qmail-plain.eml");

    assertThat(c.origin()).isPresent();
    assertThat(c.origin().orElseThrow().recordable()).isFalse();
    assertThat(c.warnings()).anyMatch(w -> w.contains("rests only on lines the sender could have written"));
  }

  @Test
  void aBounceFromAConfiguredMtaConfirmedByItsReportIsRecordable() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(Corpus.bytes("bounce-postfix-rfc822.eml"),
        TrustConfig.of(List.of("mx.example.net")));

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("203.0.113.66");
    assertThat(c.origin().orElseThrow().recordable()).isTrue();
    assertThat(c.hops().get(0).trustSource().orElseThrow().text()).isEqualTo("configured (--trust mx.example.net)");
  }

  @Test
  void theWalkAsksTheFleetABoundedNumberOfTimes() throws Exception {
    FakeEvidence fleet = new FakeEvidence(KEY).host("mx", "mx1").mailServer("mx");
    List<String> lines = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String ip = "198.51.100." + (i % 250 + 1);
      fleet.held("mx", ip, DAY, null);
      lines.add("Received: from relay" + i + " (unknown [" + ip + "]) by relay" + (i - 1)
          + " (Postfix); Sun, 6 Dec 2026 17:32:13 +0000");
    }
    ParsedComplaint c = parse(TrustConfig.none().withFleet(fleet), message(lines.toArray(String[]::new)));

    assertThat(c.warnings()).anyMatch(w -> w.contains("stopped asking"));
    assertThat(c.origin().orElseThrow().hop()).isEqualTo(LearnedTrust.MAX_LOOKUPS);
  }

  // ---- the most recent holder is a mail server only while its holding stands (round 6, N0b) --

  private static final Instant MAIL = Instant.parse("2026-12-06T17:32:11Z");

  @Test
  void aMailServerHoldingTheAddressAtTheLinesTimeIsItsMostRecentHolder() {
    FakeEvidence fleet = new FakeEvidence(KEY).host("mx", "relay1").mailServer("mx")
        .held("mx", "10.20.3.40", DAY, null);

    assertThat(new LearnedTrust(fleet).lastHeldByMailServer("10.20.3.40", MAIL)).isTrue();
  }

  @Test
  void aMailServerThatGaveTheAddressUpByALaterReportNoLongerHoldsItLast() {
    // Renumbered months ago: its next report showed another address; nobody with an agent took it.
    FakeEvidence fleet = new FakeEvidence(KEY).host("mx", "relay1").mailServer("mx")
        .held("mx", "10.20.3.40", DAY.minus(java.time.Duration.ofDays(120)), DAY.minus(java.time.Duration.ofDays(90)));

    assertThat(new LearnedTrust(fleet).lastHeldByMailServer("10.20.3.40", MAIL)).isFalse();
  }

  @Test
  void aMailServerSilentWhileHoldingTheAddressCountsForLessThanALease() {
    Instant lastReport = MAIL.minus(java.time.Duration.ofHours(6));
    FakeEvidence fleet = new FakeEvidence(KEY).host("mx", "relay1").mailServer("mx")
        .heldThenSilent("mx", "10.20.3.40", DAY.minus(java.time.Duration.ofDays(30)), lastReport,
            java.time.Duration.ofHours(2));

    LearnedTrust learned = new LearnedTrust(fleet);
    assertThat(learned.lastHeldByMailServer("10.20.3.40", MAIL)).isTrue();
    assertThat(learned.lastHeldByMailServer("10.20.3.40", lastReport.plus(TriageOptions.MAX_LEASE_HOLD))).isFalse();
  }

  @Test
  void aLabHostThatTookTheAddressAfterTheMailServerIsItsMostRecentHolder() {
    FakeEvidence fleet = new FakeEvidence(KEY).host("mx", "relay1").mailServer("mx").host("pc", "lab-pc-07")
        .heldThenSilent("mx", "10.20.3.40", DAY.minus(java.time.Duration.ofDays(1)), DAY, java.time.Duration.ofHours(2))
        .held("pc", "10.20.3.40", DAY.plus(java.time.Duration.ofHours(3)), DAY.plus(java.time.Duration.ofHours(4)));

    assertThat(new LearnedTrust(fleet).lastHeldByMailServer("10.20.3.40", MAIL)).isFalse();
  }
}
