package io.labscan.controller.triage;

import static io.labscan.controller.triage.ComplaintParserTest.mail;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Red-team finding F1 of issue 15: the HELO name is whatever the client said, so nothing in it
 * may steer attribution. The worm on lab-pc-07 (10.20.3.17) announces HELO names built to point
 * at the innocent lab-pc-12 (10.20.3.12), at loopback, at a retrieval protocol or at our own MX;
 * the campus MX, mx1 (mail-server role, 198.51.100.5 outside and 10.20.0.25 inside), records the
 * real connection. Every complaint is traced with zero configuration, learning from the fleet.
 */
class HeloInjectionTest {
  private static final byte[] KEY = "fleet key for helo tests".getBytes(StandardCharsets.UTF_8);
  private static final Instant DAY = Instant.parse("2026-12-06T00:00:00Z");
  private static final String MX_LINE = "Received: from mx1.campus.example.edu (mx1.campus.example.edu"
      + " [198.51.100.5])\r\n\tby mailbox.campus.example.edu (Postfix) with ESMTP id 9A1B3C4D\r\n\tfor"
      + " <janet@campus.example.edu>; Sun, 6 Dec 2026 17:32:13 +0000";

  private static FakeEvidence campus() {
    return new FakeEvidence(KEY)
        .host("mx", "mx1").held("mx", "198.51.100.5", DAY, null).held("mx", "10.20.0.25", DAY, null)
        .mailServer("mx", "mx1.campus.example.edu")
        .host("pc07", "lab-pc-07").held("pc07", "10.20.3.17", DAY, null)
        .host("pc12", "lab-pc-12").held("pc12", "10.20.3.12", DAY, null);
  }

  /** Janet's copy of the worm's mail, as she hands it to IT: the whole message. */
  private static byte[] wormMail(String... received) {
    List<String> lines = new ArrayList<>(List.of(received));
    lines.addAll(List.of(
        "From: harold@campus.example.edu",
        "To: janet@campus.example.edu",
        "Subject: a very funny game",
        "Date: Sun, 6 Dec 2026 17:32:09 +0000",
        "Message-ID: <Q3k9@lab-pc-07>",
        "MIME-Version: 1.0",
        "Content-Type: multipart/alternative; boundary=\"----=_NextPart_000_Klez\"",
        "",
        "------=_NextPart_000_Klez",
        "Content-Type: text/html;",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "<HTML><HEAD></HEAD><BODY>",
        "<iframe src=3Dcid:Q3k9 height=3D0 width=3D0></iframe>",
        "</BODY></HTML>",
        "------=_NextPart_000_Klez",
        "Content-Type: audio/x-wav;",
        "\tname=\"funny.exe\"",
        "Content-Transfer-Encoding: base64",
        "Content-ID: <Q3k9>",
        "",
        "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "------=_NextPart_000_Klez--"));
    return mail(lines.toArray(String[]::new));
  }

  private static String wormLine(String helo) {
    return "Received: from " + helo + " (unknown [10.20.3.17])\r\n\tby mx1.campus.example.edu (Postfix) with SMTP"
        + " id 4F1E2D3C\r\n\tfor <janet@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000";
  }

  private static ParsedComplaint trace(FakeEvidence fleet, byte[] message) throws Exception {
    return ComplaintParser.parse(message, TrustConfig.none().withFleet(fleet));
  }

  private static List<String> candidates(FakeEvidence fleet, ParsedComplaint c) {
    return new Triage(fleet, KEY, TriageOptions.defaults()).triage(List.of(c)).candidates().stream()
        .map(Candidate::hostId).toList();
  }

  @Test
  void aHeloThatEndsInAnInnocentHostsAddressInParenthesesNeverBecomesTheClientAddress() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = trace(fleet, wormMail(MX_LINE, wormLine("x(10.20.3.12)")));

    Origin o = c.origin().orElseThrow();
    assertThat(o.ip()).isEqualTo("10.20.3.17");
    assertThat(o.hop()).isEqualTo(1);
    assertThat(c.hops().get(1).hop().fromHelo()).contains("x(10.20.3.12)");
    assertThat(candidates(fleet, c)).contains("pc07").doesNotContain("pc12");
  }

  @Test
  void aHeloThatEndsInALoopbackAddressInParenthesesNeverMakesTheWormsLineAContentFilterHandOff() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = trace(fleet, wormMail(MX_LINE, wormLine("x(127.0.0.1)")));

    assertThat(c.hops().get(1).hop().flags()).doesNotContain(HopFlag.LOOPBACK_CLIENT);
    assertThat(c.hops().get(1).hop().recordsClient()).isTrue();
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(candidates(fleet, c)).contains("pc07").doesNotContain("mx", "pc12");
  }

  @Test
  void aHeloThatSmugglesWithPop3ThroughParenthesesNeverMakesTheWormsLineARetrieval() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = trace(fleet, wormMail(MX_LINE, wormLine("x)with)POP3")));

    ReceivedHop worm = c.hops().get(1).hop();
    assertThat(worm.with()).contains("SMTP");
    assertThat(worm.flags()).doesNotContain(HopFlag.RETRIEVAL);
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(candidates(fleet, c)).contains("pc07").doesNotContain("mx", "pc12");
  }

  @Test
  void aHeloWithSpacesThatWritesAWholeFakeConnectionCommentAndByClauseIsStillOnlyAHelo() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = trace(fleet, wormMail(MX_LINE,
        wormLine("x (lab-pc-12.campus.example.edu [10.20.3.12]) by mx1.campus.example.edu with POP3")));

    ReceivedHop worm = c.hops().get(1).hop();
    assertThat(worm.fromIp()).contains("10.20.3.17");
    assertThat(worm.fromRdns()).isEmpty();
    assertThat(worm.with()).contains("SMTP");
    assertThat(worm.flags()).doesNotContain(HopFlag.RETRIEVAL);
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(candidates(fleet, c)).contains("pc07").doesNotContain("pc12");
  }

  @Test
  void aHeloWithASemicolonAndAnUnclosedParenthesisNeverMovesTheDateCutIntoTheHelo() throws Exception {
    FakeEvidence fleet = campus();

    // Postfix accepts any printable HELO: this one writes a whole fake line, a date, and an open "(".
    ParsedComplaint c = trace(fleet, wormMail(MX_LINE, wormLine("x (unknown [10.20.3.12]) by mx1.campus.example.edu"
        + " (Postfix) with SMTP id 1A2B; Sun, 6 Dec 2026 17:32:10 +0000 (")));

    ReceivedHop worm = c.hops().get(1).hop();
    assertThat(worm.fromIp()).contains("10.20.3.17");
    assertThat(worm.date()).contains(Instant.parse("2026-12-06T17:32:11Z"));
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(candidates(fleet, c)).contains("pc07").doesNotContain("pc12");
  }

  @Test
  void aHeloNamingOurMxWithItsInternalAddressNeverMakesAnOutsideHopOurs() throws Exception {
    FakeEvidence fleet = campus();
    // The worm runs on a home PC (203.0.113.66) and forges a lower line that frames lab-pc-12.
    ParsedComplaint c = trace(fleet, wormMail(MX_LINE,
        "Received: from mx1.campus.example.edu(10.20.0.25) (unknown [203.0.113.66])\r\n\tby"
            + " mx1.campus.example.edu (Postfix) with ESMTP id 4F1E2D3C\r\n\tfor <janet@campus.example.edu>;"
            + " Sun, 6 Dec 2026 17:32:11 +0000",
        "Received: from PC12 (unknown [10.20.3.12]) by mx1.campus.example.edu (Postfix) with SMTP"
            + " id 1A2B3C4D; Sun, 6 Dec 2026 17:32:05 +0000"));

    ReceivedHop outside = c.hops().get(1).hop();
    assertThat(outside.fromIp()).contains("203.0.113.66");
    assertThat(outside.fromRdns()).isEmpty();
    Origin o = c.origin().orElseThrow();
    assertThat(o.ip()).isEqualTo("203.0.113.66");
    assertThat(o.hop()).isEqualTo(1);
    assertThat(c.hops().get(2).trust()).isEqualTo(HopTrust.CLAIMED);
    assertThat(candidates(fleet, c)).doesNotContain("pc12", "pc07");
  }

  @Test
  void aForgedBounceFromOutsideWhoseHeloNamesOurMxWithItsAddressIsNeverWrittenInsideOurs() throws Exception {
    FakeEvidence fleet = campus();
    byte[] bounce = mail(
        MX_LINE,
        "Received: from mx1.campus.example.edu(10.20.0.25) (unknown [203.0.113.66])\r\n\tby"
            + " mx1.campus.example.edu (Postfix) with ESMTP id 77AD; Sun, 6 Dec 2026 17:33:01 +0000",
        "From: MAILER-DAEMON@mx1.campus.example.edu (Mail Delivery System)",
        "To: janet@campus.example.edu",
        "Subject: Undelivered Mail Returned to Sender",
        "Date: Sun, 6 Dec 2026 17:33:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"",
        "",
        "--B1",
        "Content-Type: text/plain",
        "",
        "I'm sorry to have to inform you that your message could not be delivered.",
        "",
        "--B1",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx1.campus.example.edu",
        "Arrival-Date: Sun, 6 Dec 2026 17:32:11 +0000",
        "",
        "Final-Recipient: rfc822; nobody@example.net",
        "Action: failed",
        "Status: 5.1.1",
        "",
        "--B1",
        "Content-Type: message/rfc822",
        "",
        "Received: from PC12 (unknown [10.20.3.12]) by mx1.campus.example.edu (Postfix) with SMTP id 4F1E2D;"
            + " Sun, 6 Dec 2026 17:32:11 +0000",
        "From: janet@campus.example.edu",
        "To: nobody@example.net",
        "Subject: a very funny game",
        "",
        "x",
        "--B1--");

    ParsedComplaint c = trace(fleet, bounce);

    assertThat(c.kind()).isEqualTo(ComplaintKind.BOUNCE);
    assertThat(c.origin().orElseThrow().recordable()).isFalse();
    assertThat(c.warnings()).anyMatch(w -> w.contains("rests only on lines the sender could have written"));
  }
}
