package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attacks (red team rt/15) on the carrier rule ({@link CarrierSender}): a carried message is
 * trusted uncapped only after an authenticated submission; every other forward is traced but
 * capped below the alert threshold and never recorded.
 *
 * <p>Campus as in CarriedMessageTest: mx1 198.51.100.5 (mail-server role), lab-pc-07 10.20.3.17
 * (the worm), lab-pc-12 10.20.3.12 (innocent, named by the forged carried part), lab-pc-30
 * 10.20.3.30 (Janet, an innocent forwarder).
 */
class CarrierAttackTest {
  private static final byte[] KEY = "fleet key for tests".getBytes(StandardCharsets.UTF_8);
  private static final Instant DAY = Instant.parse("2026-12-06T00:00:00Z");

  /** The campus without any egress. */
  private static FakeEvidence bare() {
    return new FakeEvidence(KEY)
        .host("mx", "mx1").held("mx", "198.51.100.5", DAY, null).mailServer("mx", "mx1.campus.example.edu")
        .host("pc07", "lab-pc-07").held("pc07", "10.20.3.17", DAY, null)
        .host("pc12", "lab-pc-12").held("pc12", "10.20.3.12", DAY, null)
        .host("pc30", "lab-pc-30").held("pc30", "10.20.3.30", DAY, null);
  }

  private static ParsedComplaint parse(byte[] bytes, FakeEvidence fleet) throws Exception {
    return ComplaintParser.parse(bytes, TrustConfig.none().withFleet(fleet));
  }

  private static TriageResult triage(FakeEvidence fleet, ParsedComplaint... c) {
    return new Triage(fleet, KEY, TriageOptions.defaults()).triage(List.of(c));
  }

  private static double confidenceOf(TriageResult r, String host) {
    return r.candidates().stream().filter(k -> k.hostname().equals(host)).mapToDouble(Candidate::confidence)
        .max().orElse(0);
  }

  private static byte[] bytes(String s) {
    return s.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The forged carried message: "mx1 received it from lab-pc-12". */
  static final String FORGED_CARRIED = """
      Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
      \tby mailbox.campus.example.edu (Postfix) with ESMTP id 5D2C1A0F33
      \tfor <janet@campus.example.edu>; Sun, 6 Dec 2026 16:58:42 +0000 (UTC)
      Received: from LAB-PC-12 (unknown [10.20.3.12])
      \tby mx1.campus.example.edu (Postfix) with SMTP id 2B7E90C411
      \tfor <janet@campus.example.edu>; Sun, 6 Dec 2026 16:58:40 +0000 (UTC)
      From: Harold <harold@campus.example.edu>
      To: janet@campus.example.edu
      Subject: meeting notice
      Date: Sun, 6 Dec 2026 16:58:38 +0000
      Message-ID: <LAB-PC-12.0042@campus.example.edu>
      MIME-Version: 1.0
      Content-Type: text/plain; charset="us-ascii"

      See you at the meeting.
      """;

  /** A worm mail to abuse@ carrying FORGED_CARRIED, with the given lowest Received: line(s) written by mx1. */
  static byte[] wormMail(String mx1Line, String from) {
    return bytes("""
        Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
        \tby mailbox.campus.example.edu (Postfix) with ESMTP id 7C41E2A0B3
        \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:13 +0000 (UTC)
        """ + mx1Line + """
        From: %s
        To: abuse@campus.example.edu
        Subject: Fw: meeting notice
        Date: Sun, 6 Dec 2026 17:32:09 +0000
        Message-ID: <Z7Q2K1.4F00@Wqkrtz>
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="----=_NextPart_000_0007"

        ------=_NextPart_000_0007
        Content-Type: text/plain; charset="us-ascii"

        This came back to me, it was sent from lab-pc-12. See the attached message.

        ------=_NextPart_000_0007
        Content-Type: message/rfc822

        """.formatted(from) + FORGED_CARRIED + """

        ------=_NextPart_000_0007--
        """);
  }

  static final String POSTFIX_PC07 = """
      Received: from Wqkrtz (unknown [10.20.3.17])
      \tby mx1.campus.example.edu (Postfix) with SMTP id 3F9A11C2D0
      \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)
      """;

  // ---- 1. the worm escapes the rule: O not held (agent killed / unmanaged PC / NAT) -------

  @Test
  void aWormWhoseHostsAgentFellSilentGetsTheInnocentHostItsForgedAttachmentNamesOnlyACappedUnrecordedAnswer() throws Exception {
    // Klez kills processes; the agent on lab-pc-07 last reported at 14:00, grace 2 h: at 17:32
    // nobody "holds" 10.20.3.17, so CarrierSender takes the worm for an external forwarder.
    FakeEvidence fleet = new FakeEvidence(KEY)
        .host("mx", "mx1").held("mx", "198.51.100.5", DAY, null).mailServer("mx", "mx1.campus.example.edu")
        .host("pc07", "lab-pc-07")
        .heldThenSilent("pc07", "10.20.3.17", DAY, Instant.parse("2026-12-06T14:00:00Z"), Duration.ofHours(2))
        .host("pc12", "lab-pc-12").held("pc12", "10.20.3.12", DAY, null);

    ParsedComplaint c = parse(wormMail(POSTFIX_PC07, "Harold <harold@campus.example.edu>"), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(confidenceOf(r, "lab-pc-12")).as("tracedPart=%s, candidates=%s", c.tracedPart(), r.candidates())
        .isLessThanOrEqualTo(Triage.UNRESOLVED_CARRIER_CAP);
    assertThat(r.recordable()).isFalse();
  }

  @Test
  void aWormOnALabMachineWithoutAnAgentGetsTheInnocentHostOnlyACappedUnrecordedAnswer() throws Exception {
    FakeEvidence fleet = new FakeEvidence(KEY)
        .host("mx", "mx1").held("mx", "198.51.100.5", DAY, null).mailServer("mx", "mx1.campus.example.edu")
        .host("pc12", "lab-pc-12").held("pc12", "10.20.3.12", DAY, null);

    ParsedComplaint c = parse(wormMail(POSTFIX_PC07, "Harold <harold@campus.example.edu>"), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(confidenceOf(r, "lab-pc-12")).as("tracedPart=%s, candidates=%s", c.tracedPart(), r.candidates())
        .isLessThanOrEqualTo(Triage.UNRESOLVED_CARRIER_CAP);
    assertThat(r.recordable()).isFalse();
  }

  // ---- 1. the worm escapes the rule: From: of its own user, allowed-only egress --------------

  @Test
  void aWormWritingItsOwnUsersAddressInFromGetsOnlyACappedUnrecordedAnswer() throws Exception {
    // Linda uses lab-pc-07; the worm harvested her own address and puts it in From:.
    FakeEvidence fleet = bare().owns("pc07", "linda@campus.example.edu");

    ParsedComplaint c = parse(wormMail(POSTFIX_PC07, "Linda <linda@campus.example.edu>"), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(confidenceOf(r, "lab-pc-12")).as("tracedPart=%s, candidates=%s", c.tracedPart(), r.candidates())
        .isLessThanOrEqualTo(Triage.UNRESOLVED_CARRIER_CAP);
    assertThat(r.recordable()).isFalse();
  }

  @Test
  void aWormOnAHostWithOnlyAllowedEgressNearbyGetsOnlyACappedUnrecordedAnswer() throws Exception {
    // The worm's own 2-second SMTP session was not sampled; Linda's Thunderbird (allow-listed)
    // sent a mail at 17:25. Allowed-only egress is no authenticated submission: capped.
    FakeEvidence fleet = bare().egressBy("pc07", "thunderbird", Instant.parse("2026-12-06T17:25:00Z"),
        Instant.parse("2026-12-06T17:25:40Z"), true, "198.51.100.5");

    ParsedComplaint c = parse(wormMail(POSTFIX_PC07, "Harold <harold@campus.example.edu>"), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(confidenceOf(r, "lab-pc-12")).as("tracedPart=%s, candidates=%s", c.tracedPart(), r.candidates())
        .isLessThanOrEqualTo(Triage.UNRESOLVED_CARRIER_CAP);
    assertThat(r.recordable()).isFalse();
  }

  // ---- 1. AUTHENTICATED set by what the client chose ----------------------------------------

  @Test
  void anEnvelopeRecipientHoldingAQuotedAngleBracketAndAnAuthenticationCommentLeavesAPostfixHopUnauthenticated() {
    // RCPT TO:<"abuse+>(authenticated bits=0)"@campus.example.edu> is delivered to abuse@
    // (recipient_delimiter=+); Postfix writes it quote_822_local'd: for <"abuse+>(...)"@campus...>.
    ReceivedHop h = ReceivedParser.parse("from Wqkrtz (unknown [10.20.3.17])"
        + " by mx1.campus.example.edu (Postfix) with SMTP id 3F9A11C2D0"
        + " for <\"abuse+>(authenticated bits=0)\"@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)");

    assertThat(h.fromIp()).contains("10.20.3.17");
    assertThat(h.flags()).doesNotContain(HopFlag.AUTHENTICATED);
  }

  @Test
  void anEximEnvelopeFromWithAQuotedAngleBracketAndAnAuthenticationCommentLeavesTheHopUnauthenticated() {
    // MAIL FROM:<"a>b (authenticated bits=0)"@evil.example>: Exim writes (envelope-from <...>).
    ReceivedHop h = ReceivedParser.parse("from [10.20.3.17] (helo=Wqkrtz)"
        + " by mx1.campus.example.edu with smtp (Exim 4.96)"
        + " (envelope-from <\"a>b (authenticated bits=0)\"@evil.example>)"
        + " id 1rPq3K-000Abc-2x for abuse@campus.example.edu; Sun, 6 Dec 2026 17:32:11 +0000");

    assertThat(h.fromIp()).contains("10.20.3.17");
    assertThat(h.flags()).doesNotContain(HopFlag.AUTHENTICATED);
  }

  @Test
  void aWormWhoseEnvelopeRecipientInjectsAnAuthenticationCommentIsStillTracedAsItself() throws Exception {
    FakeEvidence fleet = bare().egressBurst("pc07", "wqkrtz.exe", Instant.parse("2026-12-06T17:31:00Z"),
        Instant.parse("2026-12-06T17:34:00Z"), 36, false, "198.51.100.5");
    String line = """
        Received: from Wqkrtz (unknown [10.20.3.17])
        \tby mx1.campus.example.edu (Postfix) with SMTP id 3F9A11C2D0
        \tfor <"abuse+>(authenticated bits=0)"@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)
        """;

    ParsedComplaint c = parse(wormMail(line, "Harold <harold@campus.example.edu>"), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.tracedPart()).isEqualTo(ParsedComplaint.ITSELF);
    assertThat(confidenceOf(r, "lab-pc-12")).isZero();
  }

  // ---- 1. an outside sender -------------------------------------------------------------------

  @Test
  void anOutsideSendersForgedForwardIsTracedButCappedBelowTheAlertThreshold() throws Exception {
    FakeEvidence fleet = bare();
    String line = """
        Received: from smtp.evil.example (smtp.evil.example [203.0.113.66])
        \tby mx1.campus.example.edu (Postfix) with ESMTP id 3F9A11C2D0
        \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)
        """;

    ParsedComplaint c = parse(wormMail(line, "Abuse Desk <abuse@evil.example>"), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(confidenceOf(r, "lab-pc-12")).as("tracedPart=%s, candidates=%s", c.tracedPart(), r.candidates())
        .isLessThan(0.5);
    assertThat(c.unverifiedCarrier()).hasValueSatisfying(w -> assertThat(w).contains("not an authenticated submission"));
    assertThat(r.recordable()).isFalse();
  }

  // ---- 2. genuine forwards -----------------------------------------------------------------------

  /** Janet forwards the real worm mail (from lab-pc-07) with the given submission line(s). */
  static byte[] janetsForward(String submissionLines) {
    return bytes("""
        Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
        \tby mailbox.campus.example.edu (Postfix) with ESMTP id 4C1F2A0B7E
        \tfor <it-support@campus.example.edu>; Sun, 6 Dec 2026 18:05:02 +0000 (UTC)
        """ + submissionLines + """
        Message-ID: <5b1e0c.fwd@campus.example.edu>
        Date: Sun, 6 Dec 2026 18:05:00 +0000
        MIME-Version: 1.0
        From: Janet <janet@campus.example.edu>
        To: it-support@campus.example.edu
        Subject: FW: meeting notice
        Content-Type: multipart/mixed; boundary="_004_fwd_"

        --_004_fwd_
        Content-Type: text/plain; charset="us-ascii"

        Harold keeps sending me this, please look

        --_004_fwd_
        Content-Type: message/rfc822

        Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
        \tby mailbox.campus.example.edu (Postfix) with ESMTP id 0E7A93C1D5
        \tfor <janet@campus.example.edu>; Sun, 6 Dec 2026 17:32:13 +0000 (UTC)
        Received: from Wqkrtz (unknown [10.20.3.17])
        \tby mx1.campus.example.edu (Postfix) with SMTP id 6A2F08B4C1
        \tfor <janet@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)
        From: Harold <harold@campus.example.edu>
        To: janet@campus.example.edu
        Subject: meeting notice
        Date: Sun, 6 Dec 2026 17:32:09 +0000
        Message-ID: <Wqkrtz.0007@campus.example.edu>
        MIME-Version: 1.0
        Content-Type: text/plain; charset="us-ascii"

        see the attachment

        --_004_fwd_--
        """);
  }

  @Test
  void janetsUnauthenticatedThunderbirdForwardUnderTheDefaultPolicyIsUnresolvedAndNeverBlamedOnHerMachine() throws Exception {
    // Lab subnets may relay through mx1 on port 25 without AUTH; the default policy allows no
    // process, so her Thunderbird's SMTP session is "a process policy does not allow".
    FakeEvidence fleet = bare()
        .egressBy("pc07", "wqkrtz.exe", Instant.parse("2026-12-06T17:31:00Z"),
            Instant.parse("2026-12-06T17:34:00Z"), false, "198.51.100.5")
        .egressBy("pc30", "thunderbird", Instant.parse("2026-12-06T18:04:50Z"),
            Instant.parse("2026-12-06T18:05:10Z"), false, "198.51.100.5");
    String line = """
        Received: from LAB-PC-30 (lab-pc-30.campus.example.edu [10.20.3.30])
        \tby mx1.campus.example.edu (Postfix) with ESMTP id 9E3D51B20A
        \tfor <it-support@campus.example.edu>; Sun, 6 Dec 2026 18:05:01 +0000 (UTC)
        """;

    ParsedComplaint c = parse(janetsForward(line), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(r.recordable() && confidenceOf(r, "lab-pc-30") >= 0.5)
        .as("recordable=%s tracedPart=%s candidates=%s", r.recordable(), c.tracedPart(), r.candidates()).isFalse();
    assertThat(confidenceOf(r, "lab-pc-07")).isGreaterThan(confidenceOf(r, "lab-pc-30"));
    assertThat(c.directSender()).contains("lab-pc-30 (10.20.3.30)");
  }

  @Test
  void janetsOutlookForwardThroughTheCampusExchangeServerIsTracedButCappedAKnownLimit() throws Exception {
    // exch01 (10.20.0.40) has the mail-server role; Outlook submits over SMTP AUTH on 587 and
    // Exchange writes no ESMTPA: "with Microsoft SMTP Server (version=TLS1_2, …)". Port-25 worm
    // mail through Exchange reads the same, so this stays capped (docs/triage.md, known limits).
    FakeEvidence fleet = bare()
        .host("exch", "exch01").held("exch", "10.20.0.40", DAY, null).mailServer("exch", "exch01.campus.example.edu")
        .egressBy("pc07", "wqkrtz.exe", Instant.parse("2026-12-06T17:31:00Z"),
            Instant.parse("2026-12-06T17:34:00Z"), false, "198.51.100.5");
    String lines = """
        Received: from exch01.campus.example.edu (exch01.campus.example.edu [10.20.0.40])
        \tby mx1.campus.example.edu (Postfix) with ESMTPS id 9E3D51B20A
        \tfor <it-support@campus.example.edu>; Sun, 6 Dec 2026 18:05:01 +0000 (UTC)
        Received: from LAB-PC-30.campus.example.edu (10.20.3.30) by exch01.campus.example.edu
         (10.20.0.40) with Microsoft SMTP Server (version=TLS1_2,
         cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.1.2507.6; Sun, 6 Dec 2026 18:05:00 +0000
        """;

    ParsedComplaint c = parse(janetsForward(lines), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.tracedPart()).startsWith("attachment 1 of the message");
    assertThat(confidenceOf(r, "lab-pc-07")).as("directSender=%s candidates=%s", c.directSender(), r.candidates())
        .isEqualTo(Triage.UNRESOLVED_CARRIER_CAP);
    assertThat(r.recordable()).isFalse();
  }

  @Test
  void janetsAuthenticatedSubmissionForwardIsTracedUncapped() throws Exception {
    FakeEvidence fleet = bare().egressBy("pc07", "wqkrtz.exe", Instant.parse("2026-12-06T17:31:00Z"),
        Instant.parse("2026-12-06T17:34:00Z"), false, "198.51.100.5");
    String line = """
        Received: from LAB-PC-30 (lab-pc-30.campus.example.edu [10.20.3.30])
        \tby mx1.campus.example.edu (Postfix) with ESMTPSA id 9E3D51B20A
        \tfor <it-support@campus.example.edu>; Sun, 6 Dec 2026 18:05:01 +0000 (UTC)
        """;

    ParsedComplaint c = parse(janetsForward(line), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.unverifiedCarrier()).isEmpty();
    assertThat(c.directSender()).isEmpty();
    assertThat(confidenceOf(r, "lab-pc-07")).isGreaterThanOrEqualTo(0.8);
    assertThat(confidenceOf(r, "lab-pc-30")).isZero();
  }

  @Test
  void aWormNamingItselfLikeAMailClientReachesOnlyTheCappedUnresolvedAnswer() throws Exception {
    FakeEvidence fleet = bare().egressBy("pc07", "C:\\Program Files\\Mozilla Thunderbird\\THUNDERBIRD.EXE",
        Instant.parse("2026-12-06T17:31:00Z"), Instant.parse("2026-12-06T17:34:00Z"), false, "198.51.100.5");

    ParsedComplaint c = parse(wormMail(POSTFIX_PC07, "Harold <harold@campus.example.edu>"), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.tracedPart()).startsWith("attachment 1 of the message");
    assertThat(c.directSender()).contains("lab-pc-07 (10.20.3.17)");
    assertThat(confidenceOf(r, "lab-pc-12")).isLessThanOrEqualTo(Triage.UNRESOLVED_CARRIER_CAP);
    assertThat(r.recordable()).isFalse();
  }

  // ---- 3. the process name is the endpoint's report: volume decides, not a list of names ----------

  static final String JANET_AT_PC30 = """
      Received: from DESKTOP-LAB30 (unknown [10.20.3.30])
      \tby mx1.campus.example.edu (Postfix) with SMTP id 3F9A11C2D0
      \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)
      """;

  @ParameterizedTest
  @ValueSource(strings = {"HxTsr.exe", "olk.exe", "thunderbird-bin", "smtp", "msmtp", "exim4", "TheBat64.exe"})
  void aPersonForwardingFromASharedLabPcWithAMailProgramNoListKnowsIsNeverRecordedAsTheSender(String process)
      throws Exception {
    // Janet forwards from lab-pc-30 (not her registered machine), port 25 without AUTH: one session.
    FakeEvidence fleet = bare().egressBy("pc30", process, Instant.parse("2026-12-06T17:30:00Z"),
        Instant.parse("2026-12-06T17:35:00Z"), false, "198.51.100.5");

    ParsedComplaint c = parse(wormMail(JANET_AT_PC30, "Janet <janet@campus.example.edu>"), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(r.recordable()).as("tracedPart=%s candidates=%s", c.tracedPart(), r.candidates()).isFalse();
    assertThat(confidenceOf(r, "lab-pc-30")).isLessThan(0.5);
    assertThat(c.directSender()).contains("lab-pc-30 (10.20.3.30)");
  }

  @Test
  void aWormMailingThroughOurMxInABurstIsTracedAsItselfWhateverItsProcessIsCalled() throws Exception {
    FakeEvidence fleet = bare().egressBurst("pc07", "thunderbird", Instant.parse("2026-12-06T17:31:00Z"),
        Instant.parse("2026-12-06T17:34:00Z"), CarrierSender.WORM_CONNECTIONS, false, "198.51.100.5");

    ParsedComplaint c = parse(wormMail(POSTFIX_PC07, "Harold <harold@campus.example.edu>"), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.tracedPart()).isEqualTo(ParsedComplaint.ITSELF);
    assertThat(confidenceOf(r, "lab-pc-07")).isGreaterThanOrEqualTo(0.8);
    assertThat(confidenceOf(r, "lab-pc-12")).isZero();
    assertThat(r.recordable()).isTrue();
  }

  @Test
  void aWormMailingEachRecipientsServerItselfIsTracedAsItself() throws Exception {
    FakeEvidence fleet = bare().egressBurst("pc07", "wqkrtz.exe", Instant.parse("2026-12-06T17:31:00Z"),
        Instant.parse("2026-12-06T17:32:00Z"), 5, false,
        "198.51.100.5", "192.0.2.25", "192.0.2.77", "203.0.113.9", "203.0.113.140");

    ParsedComplaint c = parse(wormMail(POSTFIX_PC07, "Harold <harold@campus.example.edu>"), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.tracedPart()).isEqualTo(ParsedComplaint.ITSELF);
    assertThat(r.recordable()).isTrue();
  }

  @Test
  void aFewConnectionsToOurMailServersAreNoBurstHoweverManyOfThemThereAre() throws Exception {
    // Three addresses, each held by a host with the mail-server role: a person's client with
    // round-robin submission servers, not a worm mailing recipients' servers.
    FakeEvidence fleet = bare()
        .host("mx2", "mx2").held("mx2", "198.51.100.6", DAY, null).mailServer("mx2", "mx2.campus.example.edu")
        .host("mx3", "mx3").held("mx3", "198.51.100.7", DAY, null).mailServer("mx3", "mx3.campus.example.edu")
        .host("mx4", "mx4").held("mx4", "198.51.100.8", DAY, null).mailServer("mx4", "mx4.campus.example.edu")
        .egressBurst("pc30", "HxTsr.exe", Instant.parse("2026-12-06T17:31:00Z"),
            Instant.parse("2026-12-06T17:32:00Z"), 4, false, "198.51.100.5", "198.51.100.6", "198.51.100.7",
            "198.51.100.8");

    ParsedComplaint c = parse(wormMail(JANET_AT_PC30, "Janet <janet@campus.example.edu>"), fleet);

    assertThat(c.directSender()).contains("lab-pc-30 (10.20.3.30)");
    assertThat(c.tracedPart()).startsWith("attachment 1 of the message");
  }

  @Test
  void aDayLongEgressWindowIsNoBurstNearTheCarriersTime() throws Exception {
    // An agent configured with a long window: a day of a person's mail holds many connections.
    FakeEvidence fleet = bare().egressBurst("pc30", "olk.exe", Instant.parse("2026-12-06T08:00:00Z"),
        Instant.parse("2026-12-06T20:00:00Z"), 60, false, "198.51.100.5");

    ParsedComplaint c = parse(wormMail(JANET_AT_PC30, "Janet <janet@campus.example.edu>"), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.directSender()).contains("lab-pc-30 (10.20.3.30)");
    assertThat(r.recordable()).isFalse();
  }

  // ---- several complaints ------------------------------------------------------------------------

  @Test
  void oneAmbiguousForwardInABatchCapsOnlyItsOwnContributionNotAnUnrelatedDirectComplaint() throws Exception {
    FakeEvidence fleet = bare().egressBy("pc07", "wqkrtz.exe", Instant.parse("2026-12-06T17:31:00Z"),
        Instant.parse("2026-12-06T17:34:00Z"), false, "198.51.100.5");
    String direct = """
        Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
        \tby mailbox.campus.example.edu (Postfix) with ESMTP id 7C41E2A0B3
        \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:13 +0000 (UTC)
        Received: from Wqkrtz (unknown [10.20.3.17])
        \tby mx1.campus.example.edu (Postfix) with SMTP id 3F9A11C2D0
        \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)
        From: Harold <harold@campus.example.edu>
        To: abuse@campus.example.edu
        Subject: meeting notice
        Date: Sun, 6 Dec 2026 17:32:09 +0000
        Message-ID: <Z7Q2K1.4F01@Wqkrtz>

        hi
        """;
    String janetUnauth = """
        Received: from LAB-PC-30 (lab-pc-30.campus.example.edu [10.20.3.30])
        \tby mx1.campus.example.edu (Postfix) with ESMTP id 9E3D51B20A
        \tfor <it-support@campus.example.edu>; Sun, 6 Dec 2026 18:05:01 +0000 (UTC)
        """;
    ParsedComplaint one = parse(bytes(direct), fleet);
    ParsedComplaint two = parse(janetsForward(janetUnauth), fleet);

    assertThat(confidenceOf(triage(fleet, one), "lab-pc-07")).isGreaterThanOrEqualTo(0.8);
    assertThat(confidenceOf(triage(fleet, one, two), "lab-pc-07")).isGreaterThanOrEqualTo(0.8);
  }
}
