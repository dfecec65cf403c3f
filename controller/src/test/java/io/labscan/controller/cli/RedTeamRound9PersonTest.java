package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.RFC5322;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.verdict.Reason;
import io.labscan.proto.v1.SmtpEgressWindow;
import io.labscan.testsupport.CliRun;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team round 9 of issue #15, F2: a message a person sent is not the worm's mail. Janet writes
 * to IT or abuse@ from janet-pc through the campus Exchange MX, which writes no authentication
 * mark; the boundary line names janet-pc, and janet-pc's own agent saw only its allowed mail
 * client (OUTLOOK.EXE) mail the MX then. Such a mail is shown, capped below recording, never
 * recorded or headlined "Sent by"; only the host's own worm-like egress lifts the cap. A header
 * block that is a forward's or reply's own (its Subject says "FW:", "Re:", ...) is warned about.
 * Fleets through {@code import}, answers from the real {@code triage} (which records).
 */
class RedTeamRound9PersonTest {
  @TempDir Path dir;
  private ImportedFleet fleet;
  private final Instant worm = T0.plus(Duration.ofHours(1));
  private final Instant janetsMail = worm.plus(Duration.ofMinutes(20));

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /** Janet's Outlook: ONE connection to the MX on port 25, ten seconds before {@code sent}, allowed. */
  private static SmtpEgressWindow outlook(Instant sent) {
    SmtpEgressWindow w = ImportedFleet.egress(sent.minusSeconds(10), "OUTLOOK.EXE", true, MX);
    return w.toBuilder().setConnections(1)
        .setDestinations(0, w.getDestinations(0).toBuilder().setConnections(1)).build();
  }

  /** The worm's own SMTP engine: 36 connections to the MX and five outside servers. */
  private static SmtpEgressWindow wormBurst(Instant at) {
    return ImportedFleet.egress(at.minusSeconds(30), "wink.exe", false, MX, "198.51.100.1", "198.51.100.2",
        "198.51.100.3", "198.51.100.4", "198.51.100.5");
  }

  /** janet-pc reports 10.20.3.5 all day, with {@code egress} in its report after {@code sent}; policy allows Outlook. */
  private String janetPc(Instant sent, SmtpEgressWindow... egress) throws Exception {
    String janet = id();
    fleet.reporting(janet, "janet-pc", "10.20.3.5", sent, egress);
    fleet.importReports();
    CliRun.run("policy", "--db", fleet.db().toString(), "--allow-process", "OUTLOOK.EXE").ok();
    return janet;
  }

  /** The Exchange/SMTPSVC line of the campus MX: no authentication mark. */
  private static String exchangeLine(Instant at) {
    return "Received: from JANET-PC ([10.20.3.5]) by mx.example.net (" + MX
        + ") with Microsoft SMTPSVC(6.0.3790.4675);\r\n\t " + RFC5322.format(at);
  }

  /** Janet's own message {@code subject} with {@code body}, as IT's mailbox received it. */
  private Path janetsMessage(String name, String to, String subject, String body) throws Exception {
    return fleet.write(name, String.join("\r\n", exchangeLine(janetsMail),
        "From: Janet <janet@lab.example.edu>", "To: " + to, "Subject: " + subject,
        "Date: " + RFC5322.format(janetsMail.minusSeconds(2)), "Message-ID: <" + name + "@JANETPC>",
        "MIME-Version: 1.0", "Content-Type: text/plain", "", body, ""));
  }

  /** "virus??" to IT with the worm mail's headers pasted in the body, no "Fwd:" (s07). */
  private Path virusQuestionWithPastedHeaders() throws Exception {
    String pasted = String.join("\r\n",
        "Received: from lab-pc-07 (unknown [10.20.3.17])\r\n\tby mx.example.net (" + MX
            + ") with ESMTP id 4F1E2D\r\n\tfor <janet@lab.example.edu>; " + RFC5322.format(worm),
        "From: harold@lab.example.edu", "To: janet@lab.example.edu", "Subject: let's be friends",
        "Date: " + RFC5322.format(worm));
    return janetsMessage("virus", "it-help@lab.example.edu", "virus??",
        "Hi IT,\r\n\r\nI got a strange mail with an attachment, I did not open it. Here are the headers:\r\n\r\n"
            + pasted + "\r\n\r\nJanet");
  }

  private boolean complaintRecorded(String hostId) {
    return fleet.verdict(hostId).reasons().stream().map(Reason::code).anyMatch("complaint"::equals);
  }

  private static JsonNode candidate(JsonNode result, String hostId) {
    return StreamSupport.stream(result.get("candidates").spliterator(), false)
        .filter(c -> c.get("hostId").asText().equals(hostId)).findFirst().orElseThrow();
  }

  private static String warnings(JsonNode result) {
    return result.get("warnings").toString();
  }

  @Test
  void aQuestionToItWithTheWormsHeadersPastedIsJanetsMessageAndNotRecorded() throws Exception {
    String janet = janetPc(janetsMail, outlook(janetsMail));

    JsonNode result = fleet.triage(virusQuestionWithPastedHeaders());

    assertThat(complaintRecorded(janet)).isFalse();
    assertThat(result.get("summary").asText()).doesNotStartWith("Sent by").startsWith("Possibly sent by janet-pc");
    assertThat(candidate(result, janet).get("networkConfidence").asDouble()).isLessThanOrEqualTo(0.45);
    assertThat(candidate(result, janet).get("reasons").toString())
        .contains("sent by its mail client (OUTLOOK.EXE, allowed): a person's message, not the worm's own SMTP");
  }

  @Test
  void aQuestionToAbuseWithoutHeadersIsJanetsMessageAndCappedBelowRecording() throws Exception {
    String janet = janetPc(janetsMail, outlook(janetsMail));

    JsonNode result = fleet.triage(janetsMessage("ask", "abuse@lab.example.edu", "strange mail - virus?",
        "Hi, I got a mail 'let's be friends' from Harold with an attachment readme.exe. I did not open it."
            + " Is it a virus?"));

    assertThat(complaintRecorded(janet)).isFalse();
    assertThat(candidate(result, janet).get("confidence").asDouble()).isGreaterThan(0).isLessThanOrEqualTo(0.45);
    assertThat(result.get("summary").asText()).startsWith("Possibly sent by janet-pc");
  }

  @Test
  void theForwardsOwnInternetHeadersPastedByItAreWarnedAboutAndNotRecorded() throws Exception {
    Instant forward = worm.plus(Duration.ofMinutes(15));
    String janet = janetPc(forward, outlook(forward));

    JsonNode result = fleet.triage(fleet.write("fwdheaders", String.join("\r\n",
        "Microsoft Mail Internet Headers Version 2.0",
        exchangeLine(forward),
        "From: \"Janet\" <janet@lab.example.edu>", "To: <it-help@lab.example.edu>",
        "Subject: FW: let's be friends", "Date: " + RFC5322.format(forward.minusSeconds(2)),
        "Message-ID: <000a01c2@JANETPC>", "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"----=_NextPart_000_0007_01C2\"",
        "X-Mailer: Microsoft Outlook, Build 10.0.2627", "X-MS-Has-Attach: yes", "")));

    assertThat(complaintRecorded(janet)).isFalse();
    assertThat(result.get("summary").asText()).doesNotStartWith("Sent by");
    assertThat(warnings(result)).contains("these are the headers of the forward (or reply) itself, not of the"
        + " complaint's message: paste the attached message's headers");
  }

  @Test
  void aReplysOwnHeadersFromAHostWithoutAnEgressReportAreWarnedAboutAndNotRecorded() throws Exception {
    // No egress watch on janet-pc: only the header block itself says it is Janet's reply.
    String janet = id();
    fleet.reporting(janet, "janet-pc", "10.20.3.5", janetsMail);
    fleet.importReports();

    JsonNode result = fleet.triage(janetsMessage("reply", "harold@lab.example.edu", "Re: let's be friends",
        "Harold, did you send me this? It looks like a virus."));

    assertThat(complaintRecorded(janet)).isFalse();
    assertThat(result.get("summary").asText()).doesNotStartWith("Sent by");
    assertThat(warnings(result)).contains("these are the headers of the forward (or reply) itself");
  }

  @Test
  void theSameMessageFromAHostThatAlsoMailsLikeAWormIsRecordedAsBefore() throws Exception {
    String janet = janetPc(janetsMail, outlook(janetsMail), wormBurst(janetsMail));

    JsonNode result = fleet.triage(virusQuestionWithPastedHeaders());

    assertThat(complaintRecorded(janet)).isTrue();
    assertThat(result.get("summary").asText()).startsWith("Sent by janet-pc");
  }

  @Test
  void aHostWithoutAnEgressReportKeepsTodaysRule() throws Exception {
    String janet = id();
    fleet.reporting(janet, "janet-pc", "10.20.3.5", janetsMail);
    fleet.importReports();

    JsonNode result = fleet.triage(virusQuestionWithPastedHeaders());

    assertThat(complaintRecorded(janet)).isTrue();
    assertThat(result.get("summary").asText()).startsWith("Sent by janet-pc");
  }
}
