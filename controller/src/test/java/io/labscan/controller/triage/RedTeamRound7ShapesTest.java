package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, red-team round 7, S9, S11 and S12: complaint shapes that named an innocent host.
 *
 * <ul>
 *   <li>S9: a header block pasted oldest-first (reversed) was walked from the sender's own,
 *       forgeable line as if it were the delivering MTA's newest one.
 *   <li>S11: an insider's authenticated "forward" carried a message the insider wrote; its
 *       fabricated line "by mx1" named an innocent lab host, which headed the answer at 0.70.
 *   <li>S12: a webmail forward named the forwarder as the direct sender; a read receipt, a lab
 *       host's own DSN and a report of any other type were taken for forwards or for mail the
 *       reporting host sent.
 * </ul>
 *
 * <p>Campus as in CarrierAttackTest: mx1 198.51.100.5 (mail-server role), webmail 198.51.100.8
 * (mail-server role), lab-pc-07 10.20.3.17 (the worm), lab-pc-12 10.20.3.12 (innocent, named by
 * forged lines), lab-pc-30 10.20.3.30 (an innocent forwarder, reporter or insider's seat).
 */
class RedTeamRound7ShapesTest {
  private static final byte[] KEY = "fleet key for tests".getBytes(StandardCharsets.UTF_8);
  private static final Instant DAY = Instant.parse("2026-12-06T00:00:00Z");

  private static FakeEvidence campus() {
    return new FakeEvidence(KEY)
        .host("mx", "mx1").held("mx", "198.51.100.5", DAY, null).mailServer("mx", "mx1.campus.example.edu")
        .host("web", "webmail").held("web", "198.51.100.8", DAY, null).mailServer("web", "webmail.campus.example.edu")
        .host("pc07", "lab-pc-07").held("pc07", "10.20.3.17", DAY, null)
        .host("pc12", "lab-pc-12").held("pc12", "10.20.3.12", DAY, null)
        .host("pc30", "lab-pc-30").held("pc30", "10.20.3.30", DAY, null);
  }

  /** lab-pc-07's worm mailed through mx1 around 17:32 (36 sessions). */
  private static FakeEvidence wormBurst(FakeEvidence fleet) {
    return fleet.egressBurst("pc07", "wqkrtz.exe", Instant.parse("2026-12-06T17:31:00Z"),
        Instant.parse("2026-12-06T17:34:00Z"), 36, false, "198.51.100.5");
  }

  private static ParsedComplaint parse(String text, FakeEvidence fleet) throws Exception {
    return ComplaintParser.parse(text.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1),
        TrustConfig.none().withFleet(fleet));
  }

  private static TriageResult triage(FakeEvidence fleet, ParsedComplaint c) {
    return new Triage(fleet, KEY, TriageOptions.defaults()).triage(c);
  }

  private static List<String> hostnames(TriageResult r) {
    return r.candidates().stream().map(Candidate::hostname).toList();
  }

  private static Candidate candidate(TriageResult r, String host) {
    return r.candidates().stream().filter(k -> k.hostname().equals(host)).findFirst().orElseThrow();
  }

  // ---- S9: a header block pasted oldest-first ----------------------------------------------

  /** A spammer (203.0.113.66) forged a bottom line "mx1 received it from lab-pc-12"; mx1 delivered to Janet. */
  private static final String FORGED_LINE = """
      Received: from LAB-PC-12 (lab-pc-12.campus.example.edu [10.20.3.12])
      \tby mx1.campus.example.edu (Postfix) with ESMTP id 2B7E90C411
      \tfor <janet@campus.example.edu>; Sun, 6 Dec 2026 17:31:58 +0000 (UTC)
      """;
  private static final String SPAMMER_LINE = """
      Received: from mail.offers.example (unknown [203.0.113.66])
      \tby mx1.campus.example.edu (Postfix) with ESMTP id 6A2F08B4C1
      \tfor <janet@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)
      """;
  private static final String DELIVERY_LINE = """
      Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
      \tby mailbox.campus.example.edu (Postfix) with ESMTP id 0E7A93C1D5
      \tfor <janet@campus.example.edu>; Sun, 6 Dec 2026 17:32:13 +0000 (UTC)
      """;
  private static final String FIELDS = """
      From: Harold <harold@campus.example.edu>
      To: janet@campus.example.edu
      Subject: meeting notice
      Date: Sun, 6 Dec 2026 17:31:55 +0000
      Message-ID: <0042.LAB-PC-12@campus.example.edu>
      """;

  @Test
  void aHeaderBlockPastedOldestFirstEstablishesNoOriginAndNamesNoHost() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = parse(FORGED_LINE + SPAMMER_LINE + DELIVERY_LINE + FIELDS, fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.kind()).isEqualTo(ComplaintKind.HEADERS);
    assertThat(c.origin()).as("%s", c.warnings()).isEmpty();
    assertThat(c.warnings()).anySatisfy(w -> assertThat(w).contains("oldest-first").contains("no origin"));
    assertThat(hostnames(r)).doesNotContain("lab-pc-12");
    assertThat(r.recordable()).isFalse();
    assertThat(r.summary()).doesNotContain("lab-pc-12");
  }

  @Test
  void aMessagesOwnHeaderBlockInOldestFirstOrderEstablishesNoOriginEither() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = parse(FORGED_LINE + SPAMMER_LINE + DELIVERY_LINE + FIELDS + """
        MIME-Version: 1.0
        Content-Type: text/plain; charset="us-ascii"

        See you at the meeting.
        """, fleet);

    assertThat(c.kind()).isEqualTo(ComplaintKind.MESSAGE);
    assertThat(c.origin()).isEmpty();
    assertThat(triage(fleet, c).summary()).doesNotContain("lab-pc-12");
  }

  @Test
  void theSameBlockNewestFirstIsWalkedAsBeforeToTheSpammer() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = parse(DELIVERY_LINE + SPAMMER_LINE + FORGED_LINE + FIELDS, fleet);

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("203.0.113.66");
    assertThat(c.origin().orElseThrow().time()).isEqualTo(Instant.parse("2026-12-06T17:32:11Z"));
    assertThat(hostnames(triage(fleet, c))).doesNotContain("lab-pc-12");
  }

  @Test
  void aSingleLineOutOfOrderIsWalkedAsBefore() throws Exception {
    // The worm's own mail through mx1, with one forged line below dated after mx1's: one odd pair.
    FakeEvidence fleet = wormBurst(campus());
    String late = """
        Received: from LAB-PC-12 (lab-pc-12.campus.example.edu [10.20.3.12])
        \tby mx1.campus.example.edu (Postfix) with ESMTP id 2B7E90C411
        \tfor <janet@campus.example.edu>; Sun, 6 Dec 2026 17:45:00 +0000 (UTC)
        """;
    String worm = """
        Received: from Wqkrtz (unknown [10.20.3.17])
        \tby mx1.campus.example.edu (Postfix) with SMTP id 6A2F08B4C1
        \tfor <janet@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)
        """;

    ParsedComplaint c = parse(DELIVERY_LINE + worm + late + FIELDS, fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(hostnames(r)).first().isEqualTo("lab-pc-07");
    assertThat(r.recordable()).isTrue();
  }

  // ---- S11: an insider's authenticated "forward" of a message the insider wrote -------------

  /** The insider at lab-pc-30 submits, authenticated, a "forward" of a message they wrote. */
  private static String insidersForward(String carried) {
    return """
        Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
        \tby mailbox.campus.example.edu (Postfix) with ESMTP id 4C1F2A0B7E
        \tfor <it-support@campus.example.edu>; Sun, 6 Dec 2026 18:05:02 +0000 (UTC)
        Received: from [10.20.3.30] (lab-pc-30.campus.example.edu [10.20.3.30])
        \t(Authenticated sender: mallory@campus.example.edu)
        \tby mx1.campus.example.edu (Postfix) with ESMTPSA id 9E3D51B20A
        \tfor <it-support@campus.example.edu>; Sun, 6 Dec 2026 18:05:01 +0000 (UTC)
        Message-ID: <7a11c0.fwd@campus.example.edu>
        Date: Sun, 6 Dec 2026 18:05:00 +0000
        MIME-Version: 1.0
        User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Thunderbird/115.5.0
        From: Mallory <mallory@campus.example.edu>
        To: it-support@campus.example.edu
        Subject: Fwd: meeting notice
        Content-Type: multipart/mixed; boundary="------------18c3f1a2b9FwdAtt"

        This is a multi-part message in MIME format.
        --------------18c3f1a2b9FwdAtt
        Content-Type: text/plain; charset=UTF-8; format=flowed
        Content-Transfer-Encoding: 7bit

        lab-pc-12 keeps sending me this, please look

        --------------18c3f1a2b9FwdAtt
        Content-Type: message/rfc822; name="meeting notice.eml"
        Content-Disposition: attachment; filename="meeting notice.eml"

        """ + carried + """

        --------------18c3f1a2b9FwdAtt--
        """;
  }

  @Test
  void anInsidersAuthenticatedForwardWhoseCarriedLinesNameAnInnocentHostIsCappedAndSaysTheCopyNamesIt()
      throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = parse(insidersForward(CarrierAttackTest.FORGED_CARRIED), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.tracedPart()).startsWith("attachment 1 of the message");
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.12");
    assertThat(candidate(r, "lab-pc-12").confidence()).isLessThanOrEqualTo(Triage.UNRESOLVED_CARRIER_CAP);
    assertThat(candidate(r, "lab-pc-12").networkConfidence()).isLessThan(AnswerSentence.MEDIUM);
    assertThat(candidate(r, "lab-pc-12").reasons()).anySatisfy(w -> assertThat(w).contains("named only by the"
        + " forwarded copy"));
    assertThat(r.summary()).startsWith("The forwarded copy names lab-pc-12").doesNotContain("Sent by")
        .doesNotContain("sent by").contains("confidence low");
    assertThat(r.recordable()).isFalse();
  }

  @Test
  void anInsidersAuthenticatedForwardWithAPastedBlockNamingAnInnocentHostIsCappedToo() throws Exception {
    FakeEvidence fleet = campus();
    String forward = """
        Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
        \tby mailbox.campus.example.edu (Postfix) with ESMTP id 4C1F2A0B7E
        \tfor <it-support@campus.example.edu>; Sun, 6 Dec 2026 18:05:02 +0000 (UTC)
        Received: from [10.20.3.30] (lab-pc-30.campus.example.edu [10.20.3.30])
        \t(Authenticated sender: mallory@campus.example.edu)
        \tby mx1.campus.example.edu (Postfix) with ESMTPSA id 9E3D51B20A
        \tfor <it-support@campus.example.edu>; Sun, 6 Dec 2026 18:05:01 +0000 (UTC)
        Message-ID: <7a11c1.fwd@campus.example.edu>
        Date: Sun, 6 Dec 2026 18:05:00 +0000
        MIME-Version: 1.0
        From: Mallory <mallory@campus.example.edu>
        To: it-support@campus.example.edu
        Subject: Fwd: meeting notice
        Content-Type: text/plain; charset=UTF-8

        see below, from lab-pc-12 again

        Begin forwarded message:

        """ + CarrierAttackTest.FORGED_CARRIED;

    ParsedComplaint c = parse(forward, fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.tracedPart()).startsWith("the header block pasted in the body");
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.12");
    assertThat(candidate(r, "lab-pc-12").confidence()).isLessThanOrEqualTo(Triage.UNRESOLVED_CARRIER_CAP);
    assertThat(r.summary()).startsWith("The forwarded copy names lab-pc-12");
    assertThat(r.recordable()).isFalse();
  }

  @Test
  void anAuthenticatedForwardWhoseNamedHostReportedAWormBurstToTheMxStillSaysSentBy() throws Exception {
    // The fleet's own evidence, outside the carried text: lab-pc-12's agent saw the burst to mx1.
    FakeEvidence fleet = campus().egressBurst("pc12", "wqkrtz.exe", Instant.parse("2026-12-06T16:57:00Z"),
        Instant.parse("2026-12-06T17:00:00Z"), 36, false, "198.51.100.5");

    ParsedComplaint c = parse(insidersForward(CarrierAttackTest.FORGED_CARRIED), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(hostnames(r)).first().isEqualTo("lab-pc-12");
    assertThat(candidate(r, "lab-pc-12").confidence()).isGreaterThanOrEqualTo(0.8);
    assertThat(r.summary()).startsWith("Sent by lab-pc-12");
    assertThat(r.recordable()).isFalse();
  }

  @Test
  void anAuthenticatedForwardWhoseNamedHostSentOnlyElsewhereIsStillCapped() throws Exception {
    // lab-pc-12's user sent one message to an outside provider then: no corroboration of the copy.
    FakeEvidence fleet = campus().egressBy("pc12", "thunderbird", Instant.parse("2026-12-06T16:58:00Z"),
        Instant.parse("2026-12-06T16:59:00Z"), false, "192.0.2.200");

    ParsedComplaint c = parse(insidersForward(CarrierAttackTest.FORGED_CARRIED), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(candidate(r, "lab-pc-12").networkConfidence()).isLessThan(AnswerSentence.MEDIUM);
    assertThat(r.summary()).doesNotContain("Sent by lab-pc-12");
  }

  // ---- S12a: a webmail forward ----------------------------------------------------------------

  /** Janet forwards from lab-pc-30 through the campus webmail (Horde), which writes "with HTTP". */
  private static String webmailForward() {
    return """
        Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
        \tby mailbox.campus.example.edu (Postfix) with ESMTP id 4C1F2A0B7E
        \tfor <it-support@campus.example.edu>; Sun, 6 Dec 2026 18:05:02 +0000 (UTC)
        Received: from webmail.campus.example.edu (webmail.campus.example.edu [198.51.100.8])
        \tby mx1.campus.example.edu (Postfix) with ESMTP id 9E3D51B20A
        \tfor <it-support@campus.example.edu>; Sun, 6 Dec 2026 18:05:01 +0000 (UTC)
        Received: from lab-pc-30.campus.example.edu (lab-pc-30.campus.example.edu [10.20.3.30]) by
        \twebmail.campus.example.edu (Horde Framework) with HTTP; Sun, 06 Dec 2026 18:05:00 +0000
        Message-ID: <20261206180500.Horde.k3vN1@webmail.campus.example.edu>
        Date: Sun, 06 Dec 2026 18:05:00 +0000
        From: Janet <janet@campus.example.edu>
        To: it-support@campus.example.edu
        Subject: Fwd: meeting notice
        User-Agent: Horde Application Framework 5
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="=_h8Lq1r2aW3"

        This message is in MIME format.

        --=_h8Lq1r2aW3
        Content-Type: text/plain; charset=utf-8

        Harold keeps sending me this, please look

        --=_h8Lq1r2aW3
        Content-Type: message/rfc822; name="meeting notice.eml"
        Content-Disposition: attachment; filename="meeting notice.eml"

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

        see the attachment

        --=_h8Lq1r2aW3--
        """;
  }

  @Test
  void aWebmailForwardNeverNamesTheForwarderAsTheDirectSender() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = parse(webmailForward(), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.tracedPart()).isEqualTo("attachment 1 of the message (message/rfc822), forwarded by"
        + " janet@campus.example.edu");
    assertThat(c.directSender()).isEmpty();
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(hostnames(r)).doesNotContain("lab-pc-30");
    assertThat(r.summary()).doesNotContain("lab-pc-30");
    assertThat(r.warnings()).noneSatisfy(w -> assertThat(w).contains("lab-pc-30 is the direct sender"));
    assertThat(r.recordable()).isFalse();
  }

  @Test
  void aWebmailForwardOfAWormMailTheFleetCorroboratesNamesTheWormHost() throws Exception {
    FakeEvidence fleet = wormBurst(campus());

    ParsedComplaint c = parse(webmailForward(), fleet);
    TriageResult r = triage(fleet, c);

    assertThat(hostnames(r)).first().isEqualTo("lab-pc-07");
    assertThat(candidate(r, "lab-pc-07").confidence()).isGreaterThanOrEqualTo(0.8);
    assertThat(r.summary()).startsWith("Sent by lab-pc-07");
    assertThat(hostnames(r)).doesNotContain("lab-pc-30");
  }

  // ---- S12b/c: reports of every type ----------------------------------------------------------

  /** The worm mail's headers, as a report quotes them. */
  private static final String WORM_HEADERS = """
      Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
      \tby mailbox.campus.example.edu (Postfix) with ESMTP id 0E7A93C1D5
      \tfor <carol@campus.example.edu>; Sun, 6 Dec 2026 17:32:13 +0000 (UTC)
      Received: from Wqkrtz (unknown [10.20.3.17])
      \tby mx1.campus.example.edu (Postfix) with SMTP id 6A2F08B4C1
      \tfor <carol@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)
      From: Harold <harold@campus.example.edu>
      To: carol@campus.example.edu
      Subject: meeting notice
      Date: Sun, 6 Dec 2026 17:32:09 +0000
      Message-ID: <Wqkrtz.0007@campus.example.edu>
      Disposition-Notification-To: harold@campus.example.edu
      """;

  @Test
  void aSignedReadReceiptIsAReportAndItsSendersPcIsNeverNamed() throws Exception {
    // Carol's Outlook on lab-pc-30 sends an S/MIME-signed read receipt to the forged From:.
    FakeEvidence fleet = campus();
    String mdn = """
        Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
        \tby mailbox.campus.example.edu (Postfix) with ESMTP id 1A2B3C4D5E
        \tfor <harold@campus.example.edu>; Sun, 6 Dec 2026 17:40:03 +0000 (UTC)
        Received: from LAB-PC-30 (lab-pc-30.campus.example.edu [10.20.3.30])
        \tby mx1.campus.example.edu (Postfix) with ESMTP id 7F6E5D4C3B
        \tfor <harold@campus.example.edu>; Sun, 6 Dec 2026 17:40:02 +0000 (UTC)
        From: Carol <carol@campus.example.edu>
        To: harold@campus.example.edu
        Subject: Read: meeting notice
        Date: Sun, 6 Dec 2026 17:40:01 +0000
        Message-ID: <a91b2c3d4e5f@LAB-PC-30>
        MIME-Version: 1.0
        Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;
        \tboundary="----=_NextPart_000_0011_01DB4801"

        This is a multipart message in MIME format.

        ------=_NextPart_000_0011_01DB4801
        Content-Type: multipart/report; report-type=disposition-notification;
        \tboundary="----=_NextPart_001_0012_01DB4801"

        ------=_NextPart_001_0012_01DB4801
        Content-Type: text/plain; charset="us-ascii"

        Your message was read on Sunday, December 6, 2026 17:40:01 (UTC).

        ------=_NextPart_001_0012_01DB4801
        Content-Type: message/disposition-notification

        Reporting-UA: LAB-PC-30; Microsoft Outlook 16.0
        Final-Recipient: rfc822;carol@campus.example.edu
        Original-Message-ID: <Wqkrtz.0007@campus.example.edu>
        Disposition: manual-action/MDN-sent-manually; displayed

        ------=_NextPart_001_0012_01DB4801
        Content-Type: text/rfc822-headers

        """ + WORM_HEADERS + """

        ------=_NextPart_001_0012_01DB4801--

        ------=_NextPart_000_0011_01DB4801
        Content-Type: application/pkcs7-signature; name="smime.p7s"
        Content-Transfer-Encoding: base64
        Content-Disposition: attachment; filename="smime.p7s"

        MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAKCAMIIF
        ------=_NextPart_000_0011_01DB4801--
        """;

    ParsedComplaint c = parse(mdn, fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.kind()).isEqualTo(ComplaintKind.BOUNCE);
    assertThat(c.directSender()).isEmpty();
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(hostnames(r)).doesNotContain("lab-pc-30");
    assertThat(r.summary()).doesNotContain("lab-pc-30");
    assertThat(r.recordable()).isFalse();
  }

  @Test
  void aLabHostsOwnDeliveryStatusNotificationNeverNamesThatHost() throws Exception {
    // lab-pc-30 runs Postfix; the worm on lab-pc-07 mailed it, and its Postfix bounced the mail
    // to the forged sender through mx1, unauthenticated, with no egress the agent saw.
    FakeEvidence fleet = campus();
    String dsn = """
        Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
        \tby mailbox.campus.example.edu (Postfix) with ESMTP id 2C3D4E5F60
        \tfor <harold@campus.example.edu>; Sun, 6 Dec 2026 17:33:05 +0000 (UTC)
        Received: from lab-pc-30.campus.example.edu (lab-pc-30.campus.example.edu [10.20.3.30])
        \tby mx1.campus.example.edu (Postfix) with ESMTP id 8A7B6C5D4E
        \tfor <harold@campus.example.edu>; Sun, 6 Dec 2026 17:33:04 +0000 (UTC)
        Received: by lab-pc-30.campus.example.edu (Postfix)
        \tid 3E4F5A6B7C; Sun,  6 Dec 2026 17:33:03 +0000 (UTC)
        Date: Sun,  6 Dec 2026 17:33:03 +0000 (UTC)
        From: MAILER-DAEMON@lab-pc-30.campus.example.edu (Mail Delivery System)
        Subject: Undelivered Mail Returned to Sender
        To: harold@campus.example.edu
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status;
        \tboundary="3E4F5A6B7C.1765042383/lab-pc-30.campus.example.edu"
        Message-Id: <20261206173303.3E4F5A6B7C@lab-pc-30.campus.example.edu>

        This is a MIME-encapsulated message.

        --3E4F5A6B7C.1765042383/lab-pc-30.campus.example.edu
        Content-Description: Notification
        Content-Type: text/plain; charset=us-ascii

        I'm sorry to have to inform you that your message could not
        be delivered to one or more recipients.

        <root@lab-pc-30.campus.example.edu>: mailbox full

        --3E4F5A6B7C.1765042383/lab-pc-30.campus.example.edu
        Content-Description: Delivery report
        Content-Type: message/delivery-status

        Reporting-MTA: dns; lab-pc-30.campus.example.edu
        X-Postfix-Queue-ID: 5B6C7D8E9F
        Arrival-Date: Sun,  6 Dec 2026 17:32:40 +0000 (UTC)

        Final-Recipient: rfc822; root@lab-pc-30.campus.example.edu
        Action: failed
        Status: 5.2.2

        --3E4F5A6B7C.1765042383/lab-pc-30.campus.example.edu
        Content-Description: Undelivered Message
        Content-Type: message/rfc822

        Received: from Wqkrtz (unknown [10.20.3.17])
        \tby lab-pc-30.campus.example.edu (Postfix) with SMTP id 5B6C7D8E9F
        \tfor <root@lab-pc-30.campus.example.edu>; Sun,  6 Dec 2026 17:32:40 +0000 (UTC)
        From: Harold <harold@campus.example.edu>
        To: root@lab-pc-30.campus.example.edu
        Subject: meeting notice
        Date: Sun, 6 Dec 2026 17:32:38 +0000
        Message-ID: <Wqkrtz.0031@campus.example.edu>

        see the attachment

        --3E4F5A6B7C.1765042383/lab-pc-30.campus.example.edu--
        """;

    ParsedComplaint c = parse(dsn, fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.kind()).isEqualTo(ComplaintKind.BOUNCE);
    assertThat(c.directSender()).isEmpty();
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(hostnames(r)).doesNotContain("lab-pc-30");
    assertThat(r.summary()).doesNotContain("lab-pc-30");
    assertThat(candidate(r, "lab-pc-07").confidence()).isLessThanOrEqualTo(Triage.UNRESOLVED_CARRIER_CAP);
    assertThat(r.recordable()).isFalse();
  }

  @Test
  void aReportOfAnyOtherTypeIsNeverTracedThroughItsOwnHeaderBlock() throws Exception {
    // lab-pc-30's Postfix sends an SMTP TLS report (RFC 8460) for the domain: a report, no copy.
    FakeEvidence fleet = campus();
    String tlsrpt = """
        Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
        \tby mailbox.campus.example.edu (Postfix) with ESMTP id 3D4E5F6A7B
        \tfor <tlsrpt@campus.example.edu>; Sun, 6 Dec 2026 17:35:02 +0000 (UTC)
        Received: from lab-pc-30.campus.example.edu (lab-pc-30.campus.example.edu [10.20.3.30])
        \tby mx1.campus.example.edu (Postfix) with ESMTP id 9B8C7D6E5F
        \tfor <tlsrpt@campus.example.edu>; Sun, 6 Dec 2026 17:35:01 +0000 (UTC)
        From: tlsrpt-noreply@lab-pc-30.campus.example.edu
        To: tlsrpt@campus.example.edu
        Subject: Report Domain: campus.example.edu Submitter: lab-pc-30.campus.example.edu Report-ID: <2026.12.06T00.00.00Z+campus.example.edu@lab-pc-30.campus.example.edu>
        Date: Sun, 6 Dec 2026 17:35:00 +0000
        Message-ID: <tlsrpt.20261206@lab-pc-30.campus.example.edu>
        TLS-Report-Domain: campus.example.edu
        TLS-Report-Submitter: lab-pc-30.campus.example.edu
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type="tlsrpt"; boundary="----=_tlsrpt_4711"

        ------=_tlsrpt_4711
        Content-Type: text/plain; charset="us-ascii"

        This is an aggregate TLS report from lab-pc-30.campus.example.edu

        ------=_tlsrpt_4711
        Content-Type: application/tlsrpt+json
        Content-Disposition: attachment; filename="lab-pc-30!campus.example.edu!1765065600!1765151999.json"

        {"organization-name":"lab-pc-30","date-range":{"start-datetime":"2026-12-06T00:00:00Z","end-datetime":"2026-12-06T23:59:59Z"},"contact-info":"root@lab-pc-30.campus.example.edu","report-id":"2026.12.06","policies":[]}
        ------=_tlsrpt_4711--
        """;

    ParsedComplaint c = parse(tlsrpt, fleet);
    TriageResult r = triage(fleet, c);

    assertThat(c.origin()).isEmpty();
    assertThat(c.warnings()).anySatisfy(w -> assertThat(w).contains("report-type=tlsrpt"));
    assertThat(hostnames(r)).doesNotContain("lab-pc-30");
    assertThat(r.summary()).doesNotContain("lab-pc-30");
  }
}
