package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Redirected complaints (a Resent- block, RFC 5322 §3.6.6) are carrying messages: the lines above
 * the block describe the redirect, the message below it is the complaint ({@link ResentBlock},
 * docs/triage.md "Forwards"). Campus as in RedTeamRound3TraceTest.
 */
class RedirectedComplaintTest {
  private static final byte[] KEY = "fleet key for tests".getBytes(StandardCharsets.UTF_8);
  private static final Instant DAY = Instant.parse("2026-12-06T00:00:00Z");

  private static FakeEvidence campus() {
    return new FakeEvidence(KEY)
        .host("mx", "mx1").held("mx", "198.51.100.5", DAY, null).mailServer("mx", "mx1.campus.example.edu")
        .host("pc07", "lab-pc-07").held("pc07", "10.20.3.17", DAY, null)
        .host("pc12", "lab-pc-12").held("pc12", "10.20.3.12", DAY, null).owns("pc12", "harold@campus.example.edu")
        .host("pc30", "lab-pc-30").held("pc30", "10.20.3.30", DAY, null).owns("pc30", "janet@campus.example.edu");
  }

  private static byte[] bytes(String s) {
    return s.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  private static final String REDIRECT_FROM_JANETS_PC = """
      Received: from lab-pc-30.campus.example.edu (lab-pc-30.campus.example.edu [10.20.3.30])
      \tby mx1.campus.example.edu (Postfix) with ESMTP id 9A1B2C3D4E
      \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 18:05:40 +0000 (UTC)
      Resent-From: Janet Ortiz <janet@campus.example.edu>
      Resent-To: abuse@campus.example.edu
      Resent-Date: Sun, 6 Dec 2026 18:05:38 +0000
      Resent-Message-ID: <8c1f0e2a-11aa-4b7e-9d33-0a1b2c3d4e5f@campus.example.edu>
      """;

  private static final String WORM_MAIL_IN_JANETS_MAILBOX = """
      Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
      \tby mailbox.campus.example.edu (Postfix) with ESMTP id 5D2C1A0F33
      \tfor <janet@campus.example.edu>; Sun, 6 Dec 2026 17:32:13 +0000 (UTC)
      Received: from Wqkrtz (unknown [10.20.3.17])
      \tby mx1.campus.example.edu (Postfix) with SMTP id 3F9A11C2D0
      \tfor <janet@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)
      From: Harold <harold@campus.example.edu>
      To: janet@campus.example.edu
      Subject: meeting notice
      Date: Sun, 6 Dec 2026 17:32:09 +0000
      Message-ID: <Z7Q2K1.4F00@Wqkrtz>
      MIME-Version: 1.0
      Content-Type: text/plain; charset="us-ascii"

      See you at the meeting.
      """;

  @Test
  void aRedirectedComplaintIsTracedThroughTheMessageBelowItsResentBlockAndNamesTheRedirector() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = ComplaintParser.parse(bytes(REDIRECT_FROM_JANETS_PC + WORM_MAIL_IN_JANETS_MAILBOX),
        TrustConfig.none().withFleet(fleet));

    assertThat(c.origin().map(Origin::ip)).as("warnings=%s", c.warnings()).contains("10.20.3.17");
    assertThat(c.tracedPart()).isEqualTo("the message redirected by janet@campus.example.edu (Resent-From)");
    assertThat(c.forwardedBy()).contains("janet@campus.example.edu");
    assertThat(c.claimedSender()).contains("harold@campus.example.edu");
  }

  @Test
  void anAnswerTracedThroughARedirectedMessageIsNeverRecordable() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = ComplaintParser.parse(bytes(REDIRECT_FROM_JANETS_PC + WORM_MAIL_IN_JANETS_MAILBOX),
        TrustConfig.none().withFleet(fleet));
    TriageResult r = new Triage(fleet, KEY, TriageOptions.defaults()).triage(List.of(c));

    assertThat(c.origin().map(Origin::recordable)).contains(false);
    assertThat(r.recordable()).isFalse();
  }

  @Test
  void aRedirectOfARedirectIsTracedThroughTheInnermostMessage() throws Exception {
    FakeEvidence fleet = campus();
    String secondRedirect = """
        Received: from lab-pc-12.campus.example.edu (lab-pc-12.campus.example.edu [10.20.3.12])
        \tby mx1.campus.example.edu (Postfix) with ESMTP id 7C7C7C7C7C
        \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 18:20:02 +0000 (UTC)
        Resent-From: Harold <harold@campus.example.edu>
        Resent-To: abuse@campus.example.edu
        Resent-Date: Sun, 6 Dec 2026 18:20:00 +0000
        """;

    ParsedComplaint c = ComplaintParser.parse(
        bytes(secondRedirect + REDIRECT_FROM_JANETS_PC + WORM_MAIL_IN_JANETS_MAILBOX),
        TrustConfig.none().withFleet(fleet));

    assertThat(c.origin().map(Origin::ip)).as("tracedPart=%s warnings=%s", c.tracedPart(), c.warnings())
        .contains("10.20.3.17");
  }

  @Test
  void aWormThatWritesAResentBlockIntoItsOwnBurstMailIsTracedAsItself() throws Exception {
    // The worm mails our MX directly (a burst), with a Resent- block on top and a forged line
    // below it naming Harold's PC: the carrier rule sees its own host hand it in and traces the
    // whole message as the worm's mail.
    FakeEvidence fleet = campus().egressBurst("pc07", "wink.exe", Instant.parse("2026-12-06T17:31:00Z"),
        Instant.parse("2026-12-06T17:34:00Z"), CarrierSender.WORM_CONNECTIONS, false, "198.51.100.5");
    byte[] wormMail = bytes("""
        Received: from Wqkrtz (unknown [10.20.3.17])
        \tby mx1.campus.example.edu (Postfix) with SMTP id 3F9A11C2D0
        \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)
        Resent-From: Harold <harold@campus.example.edu>
        Resent-To: abuse@campus.example.edu
        Received: from LAB-PC-12 (lab-pc-12.campus.example.edu [10.20.3.12])
        \tby mx1.campus.example.edu (Postfix) with ESMTP id 2B7E90C411
        \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:30:05 +0000 (UTC)
        From: Harold <harold@campus.example.edu>
        To: abuse@campus.example.edu
        Subject: meeting notice
        Date: Sun, 6 Dec 2026 17:30:00 +0000

        See you at the meeting.
        """);

    ParsedComplaint c = ComplaintParser.parse(wormMail, TrustConfig.none().withFleet(fleet));
    TriageResult r = new Triage(fleet, KEY, TriageOptions.defaults()).triage(List.of(c));

    assertThat(c.tracedPart()).isEqualTo(ParsedComplaint.ITSELF);
    assertThat(c.origin().map(Origin::ip)).isEqualTo(Optional.of("10.20.3.17"));
    assertThat(r.candidates()).noneMatch(k -> k.hostname().equals("lab-pc-12"));
  }

  @Test
  void aHeaderBlockIsSplitAtItsTopmostResentFieldWithTheResentFieldsAsTheRedirectsOwn() {
    byte[] msg = bytes("Received: from a by b; Sun, 6 Dec 2026 18:05:40 +0000\n"
        + "Resent-From: janet@campus.example.edu\n"
        + "Resent-Date: Sun, 6 Dec 2026 18:05:38 +0000\n"
        + "Received: from c\n\tby d; Sun, 6 Dec 2026 17:32:11 +0000\n"
        + "From: harold@campus.example.edu\n"
        + "\n"
        + "body\n");

    ResentBlock.Split split = ResentBlock.split(msg).orElseThrow();

    assertThat(new String(split.carrier(), StandardCharsets.ISO_8859_1)).isEqualTo(
        "Received: from a by b; Sun, 6 Dec 2026 18:05:40 +0000\r\nFrom: janet@campus.example.edu\r\n"
            + "Date: Sun, 6 Dec 2026 18:05:38 +0000\r\n\r\n");
    assertThat(new String(split.carried(), StandardCharsets.ISO_8859_1)).isEqualTo(
        "Received: from c\r\n\tby d; Sun, 6 Dec 2026 17:32:11 +0000\r\nFrom: harold@campus.example.edu\r\n"
            + "\r\nbody\r\n");
  }

  @Test
  void aMessageWithoutResentFieldsIsNotSplit() {
    assertThat(ResentBlock.split(bytes(WORM_MAIL_IN_JANETS_MAILBOX))).isEmpty();
  }
}
