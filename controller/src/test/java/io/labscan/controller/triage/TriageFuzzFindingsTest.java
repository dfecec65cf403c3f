package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What the Jazzer runs of the triage fuzz tests ({@code io.labscan.controller.fuzz}) found, as
 * readable specifications; the crashing inputs themselves are replayed by those tests.
 */
class TriageFuzzFindingsTest {
  @Test
  void aHeloOfOnlyTheRootDotIsNoHelo() {
    ReceivedHop hop = ReceivedParser.parseOrThrow(
        "from . (mail.example.org [192.0.2.1]) by mx.example.net; Mon, 15 Jan 2024 10:02:11 +0000");

    assertThat(hop.fromHelo()).isEmpty();
    assertThat(hop.fromRdns()).contains("mail.example.org");
    assertThat(hop.fromIp()).contains("192.0.2.1");
  }

  @Test
  void anIsoDateBeforeNineteenSeventyIsRefusedLikeAnRfc5322One() {
    assertThat(MailDates.parse("0024-01-15 10:02:11+01:00")).isEmpty();
    assertThat(MailDates.parse("Mon, 15 Jan 0024 10:02:11 +0100")).isEmpty();
    assertThat(MailDates.parse("2024-01-15 10:02:11+01:00"))
        .contains(Instant.parse("2024-01-15T09:02:11Z"));
  }

  @Test
  void c1ControlCharactersInAReceivedValueBecomeSpaces() {
    ReceivedHop hop = ReceivedParser.parseOrThrow(
        "from pc17 (pc17.lab.example.edu [10.20.3.17])\u009b2J by mail.lab.example.edu; 15 Jan 2024 10:02:11 +0000");

    assertThat(hop.raw()).doesNotContain("\u009b").contains("[10.20.3.17]) 2J by");
  }

  @Test
  void aMimeErrorQuotingControlCharactersIsWarnedInPlainText() throws NotAMailMessageException {
    String message = """
        From: abuse@example.net
        To: postmaster@example.edu
        Subject: FW: abuse report
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report; boundary\u0001="arf"

        --arf
        Content-Type: text/plain

        This message was reported as spam.
        --arf--
        """;

    ParsedComplaint c = ComplaintParser.parse(message.getBytes(StandardCharsets.ISO_8859_1), TrustConfig.none());

    assertThat(c.warnings()).anySatisfy(w -> assertThat(w).startsWith("part of the MIME structure could not be read"));
    assertThat(c.warnings()).allSatisfy(w -> assertThat(w).doesNotContain("\u0001"));
  }
}
