package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, red-team round 7, S3: an automatic reply (an out-of-office answer by the recipient's
 * mail client) is the recipient's answer to the worm's mail. Its own Received: lines describe the
 * responder: like a bounce it is traced only through a carried original, and never recorded.
 */
class AutomaticReplyTest {
  private static final byte[] KEY = "fleet-key-for-tests-0123456789ab".getBytes(StandardCharsets.US_ASCII);
  private static final Instant T = Instant.parse("2024-01-15T10:00:00Z");
  private static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** Carol's PC (10.20.3.30) answered the worm's mail "from" harold@ with {@code mark}. */
  private static ParsedComplaint outOfOffice(String mark) throws NotAMailMessageException {
    String mail = "Received: from CAROL-PC (unknown [10.20.3.30]) by mx.example.net (192.0.2.25) with SMTP; "
        + RFC5322.format(T) + "\r\n" + mark + "\r\nFrom: Carol <carol@lab.example.edu>\r\n"
        + "To: harold@lab.example.edu\r\nSubject: Automatic reply: let's be friends\r\n"
        + "In-Reply-To: <klez-4711@harold-pc>\r\n\r\nI am out of the office until Monday.\r\n";
    return ComplaintParser.parse(mail.getBytes(StandardCharsets.US_ASCII), TrustConfig.none());
  }

  @Test
  void anOutOfOfficeReplyIsNotTracedThroughItsOwnReceivedLines() throws Exception {
    for (String mark : List.of("Auto-Submitted: auto-replied", "X-Autoreply: yes", "Precedence: auto_reply",
        "X-Autorespond: Out of office")) {
      ParsedComplaint c = outOfOffice(mark);

      assertThat(c.origin()).as(mark).isEmpty();
      assertThat(c.warnings()).as(mark).anyMatch(w -> w.startsWith("this is an automatic reply"));
    }
  }

  @Test
  void theRespondersPcIsNeverRecordedForTheAutomaticReply() throws Exception {
    FakeEvidence evidence = new FakeEvidence(KEY).host("h-carol", "lab-pc-30")
        .held("h-carol", "10.20.3.30", T.minus(Duration.ofDays(1)), null)
        .egressBurst("h-carol", "OUTLOOK.EXE", T.minus(Duration.ofMinutes(1)), T, 1, false, "192.0.2.25");

    TriageResult r = new Triage(evidence, KEY, TriageOptions.defaults())
        .triage(outOfOffice("Auto-Submitted: auto-replied"));

    assertThat(r.candidates()).noneMatch(c -> c.recordable(0.5));
    assertThat(r.summary()).doesNotStartWith("Sent by lab-pc-30");
  }

  @Test
  void aMessageThatSaysItIsNotAutomaticIsTracedAsItself() throws Exception {
    assertThat(outOfOffice("Auto-Submitted: no").origin()).isPresent();
  }
}
