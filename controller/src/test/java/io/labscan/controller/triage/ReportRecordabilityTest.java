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
