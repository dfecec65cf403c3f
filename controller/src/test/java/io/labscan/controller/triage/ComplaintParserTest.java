package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComplaintParserTest {

  static byte[] mail(String... lines) {
    return (String.join("\r\n", lines) + "\r\n").getBytes(StandardCharsets.UTF_8);
  }

  static ParsedComplaint parse(byte[] bytes) throws NotAMailMessageException {
    return ComplaintParser.parse(bytes, TrustConfig.none());
  }

  // ---- message fields -------------------------------------------------------------------

  @Test
  void claimedSenderIsTheFromAddressAndNeverTheOrigin() {
    ParsedComplaint c = Corpus.parse("postfix-relay-chain.eml");

    assertThat(c.claimedSender()).contains("dave@example.edu");
    assertThat(c.recipients()).containsExactly("carol@example.net");
    assertThat(c.subject()).contains("meeting notice");
    assertThat(c.messageId()).contains("<KLEZ.0001@PC17>");
    assertThat(c.date()).contains(Instant.parse("2024-01-15T10:02:00Z"));
  }

  @Test
  void encodedSubjectIsDecoded() throws Exception {
    ParsedComplaint c = parse(mail(
        "Received: from pc (unknown [192.0.2.7]) by mx.example.net; Mon, 15 Jan 2024 10:00:00 +0000",
        "From: a@example.edu", "To: b@example.net", "Subject: =?UTF-8?B?U3DDpHRlciBpc3QgZWluIFRlc3Q=?=",
        "", "body"));

    assertThat(c.subject()).contains("Später ist ein Test");
  }

  @Test
  void messageWithoutReceivedLinesIsAnAnswerWithAWarning() {
    ParsedComplaint c = Corpus.parse("no-received.eml");

    assertThat(c.kind()).isEqualTo(ComplaintKind.MESSAGE);
    assertThat(c.origin()).isEmpty();
    assertThat(c.hops()).isEmpty();
    assertThat(c.warnings()).contains("no Received: lines; no origin can be determined");
    assertThat(c.claimedSender()).contains("xena@example.edu");
  }

  @Test
  void pastedHeaderBlockIsReadAsHeaders() {
    ParsedComplaint c = Corpus.parse("headers-only-paste.txt");

    assertThat(c.kind()).isEqualTo(ComplaintKind.HEADERS);
    assertThat(c.hops()).hasSize(2);
    assertThat(c.claimedSender()).contains("vera@example.edu");
  }

  @Test
  void originTimeComesFromTheBoundaryLineEvenInObsoleteForm() {
    Origin o = Corpus.parse("sendmail-obsolete-date.eml").origin().orElseThrow();

    assertThat(o.time()).isEqualTo(Instant.parse("2003-01-14T16:15:00Z"));
    assertThat(o.timeSource()).isEqualTo("date of hop 0");
    assertThat(o.privateAddress()).isTrue();
  }

  @Test
  void attachedMessageIsTracedAndTheForwarderIsNeverACandidate() throws Exception {
    ParsedComplaint c = parse(mail(
        "Received: from laptop (unknown [198.51.100.44]) by mx.example.edu; Mon, 15 Jan 2024 10:00:00 +0000",
        "From: angry@example.net", "To: abuse@example.edu", "Subject: your virus",
        "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"b\"", "",
        "--b", "Content-Type: text/plain", "", "See attached.",
        "--b", "Content-Type: message/rfc822", "",
        "Received: from PC17 (unknown [203.0.113.66]) by mx.example.net; Mon, 15 Jan 2024 09:00:00 +0000",
        "From: victim@example.edu", "To: angry@example.net", "Subject: honey", "", "x",
        "--b--"));

    assertThat(c.kind()).isEqualTo(ComplaintKind.MESSAGE);
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("203.0.113.66");
    assertThat(c.hops()).extracting(h -> h.hop().fromIp().orElse("")).doesNotContain("198.51.100.44");
    assertThat(c.claimedSender()).contains("victim@example.edu");
    assertThat(c.recipients()).containsExactly("angry@example.net");
    assertThat(c.forwardedBy()).contains("angry@example.net");
    assertThat(c.tracedPart()).isEqualTo("attachment 1 of the message (message/rfc822), forwarded by angry@example.net");
  }

  // ---- bounces --------------------------------------------------------------------------

  @Test
  void bounceIsTracedThroughItsEmbeddedOriginalNotItsOwnPath() {
    ParsedComplaint c = Corpus.parse("bounce-postfix-rfc822.eml");

    assertThat(c.kind()).isEqualTo(ComplaintKind.BOUNCE);
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("203.0.113.66").isNotEqualTo("192.0.2.25");
    assertThat(c.hops()).hasSize(2);
    assertThat(c.claimedSender()).contains("olivia@example.edu");
    assertThat(c.subject()).contains("Worm Klez.E immunity");
  }

  @Test
  void bounceReportFieldsAreRead() {
    ReportDetails r = Corpus.parse("bounce-postfix-rfc822.eml").report().orElseThrow();

    assertThat(r.reportingMta()).contains("mx.example.net");
    assertThat(r.arrivalDate()).contains(Instant.parse("2002-04-17T09:03:08Z"));
    assertThat(r.finalRecipients()).containsExactly("nobody@example.net");
    assertThat(r.originalCopy()).isEqualTo("message/rfc822");
  }

  @Test
  void bounceRecipientsJoinTheOriginalsToAndCcWithFinalRecipients() {
    ParsedComplaint c = Corpus.parse("bounce-rfc822-headers-ipv6.eml");

    assertThat(c.recipients()).containsExactlyInAnyOrder("gone@example.org", "cleo@example.org");
    assertThat(c.report().orElseThrow().originalCopy()).isEqualTo("text/rfc822-headers");
  }

  @Test
  void bounceCrossChecksReportingMtaAndArrivalDate() {
    Origin o = Corpus.parse("bounce-postfix-rfc822.eml").origin().orElseThrow();

    assertThat(o.trustedBecause()).contains("Reporting-MTA (mx.example.net)");
    assertThat(o.crossChecks()).contains("Reporting-MTA mx.example.net matches the writer of hop 0");
    assertThat(o.crossChecks()).anyMatch(n -> n.startsWith("Arrival-Date") && n.contains("agrees"));
  }

  @Test
  void bounceArrivalDateFarFromTheTopLineIsReportedAsDisagreeing() {
    Origin o = Corpus.parse("bounce-own-relay-private.eml").origin().orElseThrow();

    assertThat(o.ip()).isEqualTo("10.20.4.23");
    assertThat(o.crossChecks()).anyMatch(n -> n.contains("120 min") && n.contains("DISAGREES"));
  }

  @Test
  void bounceWithoutACopyOfTheOriginalHasNoOriginAndNeverTracesItself() throws Exception {
    ParsedComplaint c = parse(mail(
        "Received: from mx.example.net (mx.example.net [192.0.2.25]) by mail.example.edu; Mon, 15 Jan 2024 10:00:05 +0000",
        "From: MAILER-DAEMON@mx.example.net", "To: victim@example.edu", "Subject: Undelivered Mail",
        "MIME-Version: 1.0", "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"", "",
        "--b", "Content-Type: text/plain", "", "Sorry.",
        "--b", "Content-Type: message/delivery-status", "",
        "Reporting-MTA: dns; mx.example.net", "", "Final-Recipient: rfc822; gone@example.net", "Action: failed",
        "--b--"));

    assertThat(c.kind()).isEqualTo(ComplaintKind.BOUNCE);
    assertThat(c.origin()).isEmpty();
    assertThat(c.warnings()).anyMatch(w -> w.contains("no copy of the original"));
    assertThat(c.claimedSender()).as("the bounce's To: is the forged envelope sender").contains("victim@example.edu");
    assertThat(c.recipients()).containsExactly("gone@example.net");
  }

  @Test
  void reportWithUnreadableMimeStructureIsNotTracedThroughItsOwnHeaders() throws Exception {
    ParsedComplaint c = parse(mail(
        "Received: from mx.example.net (mx.example.net [192.0.2.25]) by mail.example.edu; Mon, 15 Jan 2024 10:00:05 +0000",
        "From: MAILER-DAEMON@mx.example.net", "To: victim@example.edu",
        "MIME-Version: 1.0", "Content-Type: multipart/report; report-type=delivery-status; boundary=\"never-used\"", "",
        "no MIME parts at all"));

    assertThat(c.kind()).isEqualTo(ComplaintKind.BOUNCE);
    assertThat(c.origin()).isEmpty();
  }

  @Test
  void plainTextQmailBounceIsReadAfterItsMarker() {
    ParsedComplaint c = Corpus.parse("bounce-qmail-plain.eml");

    assertThat(c.report().orElseThrow().originalCopy()).isEqualTo("inline text");
    assertThat(c.claimedSender()).contains("peggy@example.edu");
    assertThat(c.hops().get(0).hop().flags()).contains(HopFlag.NOT_A_HOP);
  }

  // ---- ARF ------------------------------------------------------------------------------

  @Test
  void arfSourceIpIsAnUnverifiedHintThatMayAgree() {
    ParsedComplaint c = Corpus.parse("arf-report.eml");

    assertThat(c.report().orElseThrow().sourceIp()).contains("203.0.113.66");
    assertThat(c.report().orElseThrow().feedbackType()).contains("virus");
    assertThat(c.recipients()).contains("rachel@example.com");
    assertThat(c.origin().orElseThrow().crossChecks())
        .contains("the report's Source-IP 203.0.113.66 (unverified) agrees");
  }

  @Test
  void arfSourceIpThatDisagreesNeverReplacesTheTracedOrigin() {
    Origin o = Corpus.parse("arf-source-ip-disagrees.eml").origin().orElseThrow();

    assertThat(o.ip()).isEqualTo("203.0.113.70");
    assertThat(o.crossChecks()).anyMatch(n -> n.contains("192.0.2.99") && n.contains("DISAGREES"));
  }

  @Test
  void arfWithoutReceivedLinesTakesSourceIpAsTheReportersWord() throws Exception {
    ParsedComplaint c = parse(mail(
        "From: fbl@example.com", "To: abuse@example.edu", "Subject: report", "MIME-Version: 1.0",
        "Content-Type: multipart/report; report-type=feedback-report; boundary=\"b\"", "",
        "--b", "Content-Type: text/plain", "", "Abuse.",
        "--b", "Content-Type: message/feedback-report", "",
        "Feedback-Type: abuse", "Version: 1", "Source-IP: 203.0.113.99",
        "Arrival-Date: Mon, 15 Jan 2024 12:00:03 +0000",
        "--b", "Content-Type: text/rfc822-headers", "",
        "From: someone@example.edu", "Subject: hi", "",
        "--b--"));

    assertThat(c.kind()).isEqualTo(ComplaintKind.ARF);
    Origin o = c.origin().orElseThrow();
    assertThat(o.ip()).isEqualTo("203.0.113.99");
    assertThat(o.time()).isEqualTo(Instant.parse("2024-01-15T12:00:03Z"));
    assertThat(o.timeSource()).isEqualTo("Arrival-Date of the report");
    assertThat(c.warnings()).anyMatch(w -> w.contains("Source-IP, the reporter's word"));
  }

  @Test
  void arfSourceIpWithoutAnyTimeGivesNoOrigin() throws Exception {
    ParsedComplaint c = parse(mail(
        "From: fbl@example.com", "To: abuse@example.edu", "Subject: report", "MIME-Version: 1.0",
        "Content-Type: multipart/report; report-type=feedback-report; boundary=\"b\"", "",
        "--b", "Content-Type: message/feedback-report", "",
        "Feedback-Type: abuse", "Version: 1", "Source-IP: 203.0.113.99",
        "--b", "Content-Type: text/rfc822-headers", "",
        "From: someone@example.edu", "Subject: hi", "",
        "--b--"));

    assertThat(c.origin()).isEmpty();
    assertThat(c.warnings()).anyMatch(w -> w.contains("203.0.113.99") && w.contains("no time"));
  }

  // ---- cross-checks ---------------------------------------------------------------------

  @Test
  void exchangeOnlineResultsWithoutAuthservIdCountWhenAboveTheBoundary() {
    Origin o = Corpus.parse("exchange-online-multihop.eml").origin().orElseThrow();

    assertThat(o.crossChecks()).anyMatch(n -> n.startsWith("Authentication-Results (no writer named") && n.contains("agrees"));
    assertThat(o.crossChecks()).anyMatch(n -> n.startsWith("Received-SPF by protection.outlook.com") && n.contains("agrees"));
  }

  @Test
  void resultsFromAnotherAuthservIdAreIgnoredAndDisagreementsAreSaid() {
    Origin o = Corpus.parse("spf-disagrees.eml").origin().orElseThrow();

    assertThat(o.ip()).isEqualTo("203.0.113.66");
    assertThat(o.crossChecks()).anyMatch(n -> n.contains("'mx.evil.example' ignored"));
    assertThat(o.crossChecks()).anyMatch(n -> n.startsWith("Received-SPF by mx.example.net") && n.contains("192.0.2.200") && n.contains("DISAGREES"));
  }

  @Test
  void resultsNamingNoWriterBelowTheBoundaryAreIgnored() throws Exception {
    ParsedComplaint c = parse(mail(
        "Received: from pc (unknown [203.0.113.5]) by mx.example.net (Postfix); Mon, 15 Jan 2024 10:00:00 +0000",
        "Authentication-Results: spf=pass (sender IP is 10.1.1.1) smtp.mailfrom=example.edu",
        "From: a@example.edu", "", "x"));

    assertThat(c.origin().orElseThrow().crossChecks())
        .anyMatch(n -> n.contains("naming no writer ignored") && n.contains("below the boundary"));
  }

  @Test
  void gmailResultsBelowItsOwnLineAreAcceptedForTheirAuthservId() {
    Origin o = Corpus.parse("gmail-external.eml").origin().orElseThrow();

    assertThat(o.crossChecks()).anyMatch(n -> n.startsWith("Authentication-Results by mx.google.com") && n.contains("agrees"));
    assertThat(o.crossChecks()).anyMatch(n -> n.startsWith("Received-SPF by google.com") && n.contains("agrees"));
  }

  @Test
  void mayBeForgedBoundaryIsNoted() {
    Origin o = Corpus.parse("sendmail-may-be-forged.eml").origin().orElseThrow();

    assertThat(o.crossChecks()).anyMatch(n -> n.contains("possibly forged"));
  }

  @Test
  void claimedLineDatedAfterTheBoundaryIsNoted() {
    Origin o = Corpus.parse("forged-lower-lines.eml").origin().orElseThrow();

    assertThat(o.crossChecks()).anyMatch(n -> n.startsWith("hop 2 (claimed) is dated") && n.contains("forged"));
  }

  // ---- not mail -------------------------------------------------------------------------

  @Test
  void whiteSpaceOnlyIsNotMail() {
    assertThatThrownBy(() -> parse(" \r\n\t\n".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(NotAMailMessageException.class)
        .hasMessageContaining("white space");
  }

  @Test
  void manyNonHeaderLinesAreNotMail() {
    byte[] text = String.join("\n", List.of("Subject: hi", "this", "is", "a", "letter", "")).getBytes(StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> parse(text))
        .isInstanceOf(NotAMailMessageException.class)
        .hasMessageContaining("neither header fields nor continuations");
  }

  @Test
  void htmlIsNotMail() {
    assertThatThrownBy(() -> parse("<html><body>hi</body></html>".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(NotAMailMessageException.class)
        .hasMessageContaining("HTML or XML");
  }
}
