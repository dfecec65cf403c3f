package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.RFC5322;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.confidence;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.testsupport.ImportedFleet;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team round 9, F3 (issue 15): a delivery report or an abuse report mailed in from outside is
 * the outsider's text, its copy of the "original" included. Nothing in it confirms who wrote the
 * copy's lines, so the host they name is shown, capped below medium, never "Sent by" — the same
 * rule as a forward's copy (round 7, S11) — unless the fleet's own evidence confirms it.
 */
class RedTeamRound9ReportCopyTest {
  @TempDir java.nio.file.Path dir;
  private ImportedFleet fleet;
  private final Instant mail = T0.plus(Duration.ofHours(1));

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /** The copy of the "original": one line naming lab-pc-12's address, "written" by our MX. */
  private static String copy(String rcpt, Instant at) {
    return String.join("\r\n",
        "Received: from lab-pc-12 (lab-pc-12.lab.example.edu [10.20.3.12])\r\n\tby mx.example.net (" + MX
            + ") with ESMTP id 4F1E2D\r\n\tfor <" + rcpt + ">; " + RFC5322.format(at),
        "From: \"Harold\" <harold@lab.example.edu>", "To: " + rcpt, "Subject: let's be friends",
        "Date: " + RFC5322.format(at.minusSeconds(3)), "Message-ID: <orig-1@lab-pc-12>", "", "worm body", "");
  }

  private JsonNode forgedBounceFromOutside() throws Exception {
    String b = "b0undary42";
    return fleet.triage(fleet.write("bounce", String.join("\r\n",
        "Return-Path: <>",
        "Received: from mail.example.org (mail.example.org [203.0.113.50])\r\n\tby mx.example.net (" + MX
            + ") with ESMTP id 9C8B7A\r\n\tfor <harold@lab.example.edu>; " + RFC5322.format(mail),
        "From: Mail Delivery System <MAILER-DAEMON@mail.example.org>", "To: harold@lab.example.edu",
        "Subject: Undelivered Mail Returned to Sender", "Date: " + RFC5322.format(mail),
        "Message-ID: <dsn-1@mail.example.org>", "MIME-Version: 1.0",
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"" + b + "\"", "",
        "--" + b, "Content-Type: text/plain", "", "Your message could not be delivered.", "",
        "--" + b, "Content-Type: message/delivery-status", "", "Reporting-MTA: dns; mx.example.net", "",
        "Final-Recipient: rfc822; nobody@example.org", "Action: failed", "Status: 5.1.1", "",
        "--" + b, "Content-Type: message/rfc822", "", copy("nobody@example.org", mail.minus(Duration.ofMinutes(5))),
        "--" + b + "--", "")));
  }

  private JsonNode forgedAbuseReportFromOutside() throws Exception {
    String b = "arfb";
    Instant sent = mail.minus(Duration.ofMinutes(5));
    return fleet.triage(fleet.write("arf", String.join("\r\n",
        "Received: from fbl.example.org (fbl.example.org [203.0.113.60])\r\n\tby mx.example.net (" + MX
            + ") with ESMTP id 1A2B3C\r\n\tfor <abuse@lab.example.edu>; " + RFC5322.format(mail),
        "From: <fbl@example.org>", "To: abuse@lab.example.edu", "Subject: FW: let's be friends",
        "Date: " + RFC5322.format(mail), "Message-ID: <arf-1@example.org>", "MIME-Version: 1.0",
        "Content-Type: multipart/report; report-type=feedback-report; boundary=\"" + b + "\"", "",
        "--" + b, "Content-Type: text/plain", "", "An abuse report for a message received from 10.20.3.12", "",
        "--" + b, "Content-Type: message/feedback-report", "", "Feedback-Type: abuse", "User-Agent: Gen/1.0",
        "Version: 1", "Original-Mail-From: <harold@lab.example.edu>", "Original-Rcpt-To: <victim@example.org>",
        "Arrival-Date: " + RFC5322.format(sent), "Source-IP: 10.20.3.12", "",
        "--" + b, "Content-Type: message/rfc822", "", copy("victim@example.org", sent), "--" + b + "--", "")));
  }

  @Test
  void theHostAForgedBouncesCopyNamesIsCappedAndNotHeadlinedAsTheSender() throws Exception {
    String named = id();
    fleet.reporting(named, "lab-pc-12", "10.20.3.12", mail).importReports();

    JsonNode result = forgedBounceFromOutside();

    assertThat(confidence(result, named)).as(result.toPrettyString()).isPositive().isLessThan(0.5);
    assertThat(result.get("summary").asText()).doesNotStartWith("Sent by");
    assertThat(result.get("recordable").asBoolean()).isFalse();
  }

  @Test
  void theHostAForgedAbuseReportNamesIsCappedAndNotHeadlinedAsTheSender() throws Exception {
    String named = id();
    fleet.reporting(named, "lab-pc-12", "10.20.3.12", mail).importReports();

    JsonNode result = forgedAbuseReportFromOutside();

    assertThat(confidence(result, named)).as(result.toPrettyString()).isPositive().isLessThan(0.5);
    assertThat(result.get("summary").asText()).doesNotStartWith("Sent by");
    assertThat(result.get("recordable").asBoolean()).isFalse();
  }

  @Test
  void aReportsCopyThatTheHostsOwnWormLikeMailingConfirmsStaysAtMedium() throws Exception {
    String sender = id();
    Instant sent = mail.minus(Duration.ofMinutes(5));
    fleet.reporting(sender, "lab-pc-12", "10.20.3.12", sent,
        ImportedFleet.egress(sent.minusSeconds(20), "winkabcd.exe", false, MX, "198.51.100.7", "203.0.113.9",
            "198.51.100.80"))
        .importReports();

    JsonNode result = forgedBounceFromOutside();

    assertThat(confidence(result, sender)).as(result.toPrettyString()).isGreaterThanOrEqualTo(0.5);
    assertThat(result.get("recordable").asBoolean()).isFalse();
  }
}
