package io.labscan.controller.triage;

import static io.labscan.controller.triage.ComplaintParserTest.mail;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bounces and ARF reports become evidence only when an MTA of ours wrote them: Reporting-MTA,
 * Source-IP and the copy of the original are fields the sender of a forged report writes, so
 * none of them alone can make an answer recordable.
 */
class ReportRecordabilityTest {
  private static final TrustConfig OUR_MX = TrustConfig.of(List.of("mx1.campus.example.edu", "198.51.100.5"));
  /** The embedded original: lab-pc-12's address handed to our MX, as a forger would write it. */
  private static final String ORIGINAL_TOP = "Received: from PC12 (unknown [10.20.3.12]) by mx1.campus.example.edu"
      + " (Postfix) with SMTP id 4F1E2D; Sun, 6 Dec 2026 17:32:11 +0000";

  private static byte[] bounce(String reportingMta, String... outerReceived) {
    List<String> lines = new ArrayList<>(List.of(outerReceived));
    lines.addAll(List.of(
        "From: MAILER-DAEMON@mx1.campus.example.edu (Mail Delivery System)",
        "To: harold@campus.example.edu",
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
        "Reporting-MTA: dns; " + reportingMta,
        "Arrival-Date: Sun, 6 Dec 2026 17:32:11 +0000",
        "",
        "Final-Recipient: rfc822; nobody@example.net",
        "Action: failed",
        "Status: 5.1.1",
        "",
        "--B1",
        "Content-Type: message/rfc822",
        "",
        ORIGINAL_TOP,
        "From: harold@campus.example.edu",
        "To: nobody@example.net",
        "Subject: honey",
        "Date: Sun, 6 Dec 2026 17:32:10 +0000",
        "",
        "x",
        "--B1--"));
    return mail(lines.toArray(String[]::new));
  }

  @Test
  void aForgedBounceALabPcHandedToOurMxIsNeverRecordableThoughItsReportingMtaNamesOurMx() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(bounce("mx1.campus.example.edu",
        "Received: from PC99 (unknown [10.20.3.99]) by mx1.campus.example.edu (Postfix) with SMTP id 77AA;"
            + " Sun, 6 Dec 2026 17:33:01 +0000"), OUR_MX);

    assertThat(c.kind()).isEqualTo(ComplaintKind.BOUNCE);
    Origin o = c.origin().orElseThrow();
    assertThat(o.ip()).isEqualTo("10.20.3.12");
    assertThat(o.recordable()).isFalse();
    assertThat(o.recordableBecause()).contains("not written inside our mail path");
    assertThat(c.warnings()).anyMatch(w -> w.contains("rests only on lines the sender could have written"));
  }

  @Test
  void aForgedBounceHandedInFromOutsideIsNeverRecordable() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(bounce("mx1.campus.example.edu",
        "Received: from mail.evil.example (mail.evil.example [203.0.113.66]) by mx1.campus.example.edu (Postfix)"
            + " with ESMTP id 77AB; Sun, 6 Dec 2026 17:33:01 +0000"), OUR_MX);

    assertThat(c.origin().orElseThrow().recordable()).isFalse();
  }

  @Test
  void aBounceWithoutReceivedLinesOfItsOwnIsNeverRecordable() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(bounce("mx1.campus.example.edu"), OUR_MX);

    assertThat(c.origin().orElseThrow().recordable()).isFalse();
  }

  @Test
  void aBounceOurMxGeneratedItselfIsRecordable() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(bounce("mx1.campus.example.edu",
        "Received: by mx1.campus.example.edu (Postfix) id 77AC; Sun, 6 Dec 2026 17:33:01 +0000"), OUR_MX);

    Origin o = c.origin().orElseThrow();
    assertThat(o.ip()).isEqualTo("10.20.3.12");
    assertThat(o.recordable()).isTrue();
  }

  @Test
  void aBounceOurMxGeneratedAndOurRelayDeliveredIsRecordable() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(bounce("mx1.campus.example.edu",
        "Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5]) by"
            + " mailbox.campus.example.edu (Postfix) with ESMTP id 88BB; Sun, 6 Dec 2026 17:33:02 +0000",
        "Received: by mx1.campus.example.edu (Postfix) id 77AC; Sun, 6 Dec 2026 17:33:01 +0000"), OUR_MX);

    assertThat(c.origin().orElseThrow().recordable()).isTrue();
  }

  @Test
  void anOurMxBounceNamingAnotherReportingMtaIsNotRecordable() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(bounce("mx.elsewhere.example.org",
        "Received: by mx1.campus.example.edu (Postfix) id 77AC; Sun, 6 Dec 2026 17:33:01 +0000"), OUR_MX);

    assertThat(c.origin().orElseThrow().recordable()).isFalse();
  }

  // ---- a "bounce" a person wrote: submitted through our MX, never generated by it (issue 15) ----

  @Test
  void aBounceWrittenByHandInWebmailOnTheMxIsNeverRecordable() throws Exception {
    // Roundcube on the MX submits over localhost and (by default) writes no Received: line of its own.
    ParsedComplaint c = ComplaintParser.parse(bounce("mx1.campus.example.edu",
        "Received: from webmail.campus.example.edu (localhost [127.0.0.1]) by mx1.campus.example.edu"
            + " (Postfix) with ESMTPSA id 77AD; Sun, 6 Dec 2026 17:33:01 +0000"), OUR_MX);

    assertThat(c.kind()).isEqualTo(ComplaintKind.BOUNCE);
    Origin o = c.origin().orElseThrow();
    assertThat(o.ip()).isEqualTo("10.20.3.12");
    assertThat(o.recordable()).isFalse();
    assertThat(o.recordableBecause()).contains("not written inside our mail path");
  }

  @Test
  void aBounceWrittenByHandInWebmailOnAHostTrustedAsAnMtaIsNeverRecordable() throws Exception {
    TrustConfig trust = TrustConfig.of(List.of("mx1.campus.example.edu", "198.51.100.5", "198.51.100.9"));
    ParsedComplaint c = ComplaintParser.parse(bounce("mx1.campus.example.edu",
        "Received: from webmail.campus.example.edu (webmail.campus.example.edu [198.51.100.9]) by"
            + " mx1.campus.example.edu (Postfix) with ESMTPSA id 77AE; Sun, 6 Dec 2026 17:33:01 +0000"), trust);

    assertThat(c.origin().orElseThrow().recordable()).isFalse();
  }

  @Test
  void aBounceWrittenByHandInWebmailThatUsesTheLocalSendmailIsNeverRecordable() throws Exception {
    // SquirrelMail/Roundcube with PHP mail(): Postfix pickup writes only "(Postfix, from userid 33)".
    ParsedComplaint c = ComplaintParser.parse(bounce("mx1.campus.example.edu",
        "Received: by mx1.campus.example.edu (Postfix, from userid 33) id 77AF;"
            + " Sun, 6 Dec 2026 17:33:01 +0000"), OUR_MX);

    assertThat(c.origin().orElseThrow().recordable()).isFalse();
  }

  @Test
  void aBounceALocalUserSubmittedThroughSendmailOnTheMxIsNeverRecordable() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(bounce("mx1.campus.example.edu",
        "Received: (from www@localhost) by mx1.campus.example.edu (8.17.1/8.17.1/Submit) id 0B6HX1aa012345;"
            + " Sun, 6 Dec 2026 17:33:01 GMT"), OUR_MX);

    assertThat(c.origin().orElseThrow().recordable()).isFalse();
  }

  @Test
  void aBounceAWebUserSubmittedThroughEximOnTheMxIsNeverRecordable() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(bounce("mx1.campus.example.edu",
        "Received: from www-data by mx1.campus.example.edu with local (Exim 4.96)"
            + " (envelope-from <www-data@mx1.campus.example.edu>) id 1kmQ3x-0004Ab-2C;"
            + " Sun, 06 Dec 2026 17:33:01 +0000"), OUR_MX);

    assertThat(c.origin().orElseThrow().recordable()).isFalse();
  }

  @Test
  void aBounceOurEximGeneratedItselfIsRecordable() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(bounce("mx1.campus.example.edu",
        "Received: from Debian-exim by mx1.campus.example.edu with local (Exim 4.96) id 1kmQ3y-0004Ac-3D;"
            + " Sun, 06 Dec 2026 17:33:01 +0000"), OUR_MX);

    assertThat(c.origin().orElseThrow().recordable()).isTrue();
  }

  @Test
  void aBounceOurRelayGeneratedAndHandedToOurMxWithoutALineOfItsOwnIsRecordableWhenItsReportingMtaNamesTheRelay()
      throws Exception {
    ParsedComplaint c = ComplaintParser.parse(bounce("mx1.campus.example.edu",
        "Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5]) by"
            + " mailbox.campus.example.edu (Postfix) with ESMTP id 88BC; Sun, 6 Dec 2026 17:33:02 +0000"), OUR_MX);

    assertThat(c.origin().orElseThrow().recordable()).isTrue();
  }

  @Test
  void aBounceHandedInByATrustedHostThatIsNotItsReportingMtaIsNeverRecordable() throws Exception {
    // A web form on a host trusted as an MTA submits a "bounce" of the MX over plain SMTP.
    TrustConfig trust = TrustConfig.of(List.of("mx1.campus.example.edu", "198.51.100.5", "198.51.100.9"));
    ParsedComplaint c = ComplaintParser.parse(bounce("mx1.campus.example.edu",
        "Received: from webmail.campus.example.edu (webmail.campus.example.edu [198.51.100.9]) by"
            + " mx1.campus.example.edu (Postfix) with ESMTP id 77B0; Sun, 6 Dec 2026 17:33:01 +0000"), trust);

    assertThat(c.origin().orElseThrow().recordable()).isFalse();
  }

  @Test
  void aHandWrittenBounceSentThroughWebmailNeverMakesTheInnocentLabPcItNamesARecordedSender() throws Exception {
    java.time.Instant day = java.time.Instant.parse("2026-12-06T00:00:00Z");
    byte[] key = "fleet key for tests".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    FakeEvidence fleet = new FakeEvidence(key)
        .host("mx", "mx1").held("mx", "198.51.100.5", day, null).mailServer("mx", "mx1.campus.example.edu")
        .host("pc07", "lab-pc-07").held("pc07", "10.20.3.17", day, null)
        .host("pc12", "lab-pc-12").held("pc12", "10.20.3.12", day, null);
    ParsedComplaint c = ComplaintParser.parse(bounce("mx1.campus.example.edu",
        "Received: from webmail.campus.example.edu (localhost [127.0.0.1]) by mx1.campus.example.edu"
            + " (Postfix) with ESMTPSA id 77AD; Sun, 6 Dec 2026 17:33:01 +0000"),
        TrustConfig.none().withFleet(fleet));
    TriageResult r = new Triage(fleet, key, TriageOptions.defaults()).triage(List.of(c));

    double pc12 = r.candidates().stream().filter(k -> k.hostname().equals("lab-pc-12"))
        .mapToDouble(Candidate::confidence).max().orElse(0);
    assertThat(r.recordable() && pc12 >= 0.5).as("recordable=%s candidates=%s", r.recordable(), r.candidates())
        .isFalse();
    assertThat(r.recordable()).isFalse();
  }

  @Test
  void anArfReportFromOutsideWhoseCopyNamesOurMxIsNeverRecordable() throws Exception {
    byte[] arf = mail(
        "Received: from fbl.provider.example (fbl.provider.example [192.0.2.77]) by mx1.campus.example.edu"
            + " (Postfix) with ESMTP id 99CC; Sun, 6 Dec 2026 18:00:00 +0000",
        "From: fbl@provider.example",
        "To: abuse@campus.example.edu",
        "Subject: FW: honey",
        "MIME-Version: 1.0",
        "Content-Type: multipart/report; report-type=feedback-report; boundary=\"A1\"",
        "",
        "--A1",
        "Content-Type: text/plain",
        "",
        "This is an abuse report.",
        "",
        "--A1",
        "Content-Type: message/feedback-report",
        "",
        "Feedback-Type: abuse",
        "Version: 1",
        "Reporting-MTA: dns; mx1.campus.example.edu",
        "Source-IP: 10.20.3.12",
        "Arrival-Date: Sun, 6 Dec 2026 17:32:11 +0000",
        "",
        "--A1",
        "Content-Type: message/rfc822",
        "",
        ORIGINAL_TOP,
        "From: harold@campus.example.edu",
        "Subject: honey",
        "",
        "x",
        "--A1--");

    ParsedComplaint c = ComplaintParser.parse(arf, OUR_MX);

    assertThat(c.kind()).isEqualTo(ComplaintKind.ARF);
    assertThat(c.origin().orElseThrow().recordable()).isFalse();
  }
}
