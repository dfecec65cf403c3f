package io.labscan.controller.complaint;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.alert.Alert;
import io.labscan.controller.store.Storage;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One message from a mailbox: its key, and when the answer raises an alert. */
class ComplaintHandlerTest {
  static final Instant AT = Instant.parse("2026-12-07T09:00:00Z");
  @TempDir Path dir;
  private Storage store;
  private VerdictService verdicts;
  private final List<Alert> alerts = new ArrayList<>();
  private Verdict current = Verdict.SUSPECTED;
  private ComplaintHandler handler;

  @BeforeEach
  void open() {
    store = Storage.open(dir.resolve("c.db"));
    verdicts = new VerdictService(store, VerdictPolicy.defaults(), Clock.systemUTC());
    handler = new ComplaintHandler(
        new ComplaintTriage(store, verdicts, TrustConfig.none(), Clock.systemUTC()).forMailboxes(),
        hostId -> Optional.of(current), alerts::add, Clock.fixed(AT, ZoneOffset.UTC), 1 << 20);
  }

  @AfterEach
  void close() {
    verdicts.close();
    store.close();
  }

  private static ComplaintRecord naming(String hostId, double confidence) {
    return new ComplaintRecord(4, "imaps://abuse@mail.example.edu:993/INBOX", "<m@x>", AT, AT, "Hello", "harold@x",
        100, Outcome.TRIAGED, "", "Sent by lab-pc-07 (10.20.3.17) …", "10.20.3.17", hostId, "lab-pc-07",
        OptionalDouble.of(confidence), false, false, "not recorded", "<m@x>", "");
  }

  @Test
  void aComplaintNamingAHostThatIsNotInfectedRaisesOneAlertSayingItIsUnverified() {
    handler.alertIfNeeded(naming("h-7", 0.7));

    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0).kind()).isEqualTo(Alert.Kind.COMPLAINT);
    assertThat(alerts.get(0).verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(alerts.get(0).summary()).contains("complaint #4").contains("unverified");
  }

  @Test
  void aComplaintNamingAnInfectedHostRaisesNoAlert() {
    current = Verdict.INFECTED;

    handler.alertIfNeeded(naming("h-7", 0.9));

    assertThat(alerts).isEmpty();
  }

  @Test
  void aCandidateBelowTheRecordingThresholdIsNotNamedAndRaisesNoAlert() {
    handler.alertIfNeeded(naming("h-7", 0.3));
    handler.alertIfNeeded(naming("", 0.9));

    assertThat(alerts).isEmpty();
  }

  @Test
  void aHostNamedByTheAddressBookAloneRaisesNoAlert() {
    // Issue 15, red-team round 7, S5: the alert follows the network confidence, as recording does.
    ComplaintRecord shown = naming("h-7", 0.6);
    String result = "{\"candidates\":[{\"hostId\":\"h-7\",\"hostname\":\"lab-pc-40\",\"confidence\":0.6,"
        + "\"networkConfidence\":0.0,\"reasons\":[]}]}";

    handler.alertIfNeeded(new ComplaintRecord(shown.seq(), shown.mailbox(), shown.messageKey(), shown.receivedAt(),
        shown.handledAt(), shown.subject(), shown.from(), shown.sizeBytes(), shown.outcome(), shown.detail(),
        shown.summary(), shown.originIp(), shown.hostId(), shown.hostname(), shown.confidence(), true, false,
        shown.evidenceNote(), shown.complaintId(), result));

    assertThat(alerts).isEmpty();
  }

  @Test
  void theKeyIsTheMessageIdElseTheHashOfTheBytesElseNothing() {
    byte[] bytes = "Subject: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    String mailbox = "imaps://abuse@mail.example.edu:993/INBOX";

    assertThat(new ComplaintHandler.Message(mailbox, AT, 14, "", "", Optional.of(" <a@b> "), Optional.of(bytes)).key())
        .isEqualTo("<a@b>");
    assertThat(new ComplaintHandler.Message(mailbox, AT, 14, "", "", Optional.empty(), Optional.of(bytes)).key())
        .startsWith("sha256:").hasSize(7 + 64);
    assertThat(new ComplaintHandler.Message(mailbox, AT, 1 << 30, "", "", Optional.empty(), Optional.empty()).key())
        .isEmpty();
  }

  @Test
  void aMessageWithoutReceivedLinesIsMailWithNoOrigin() {
    byte[] bytes = ("From: harold@lab.example.edu\r\nTo: abuse@lab.example.edu\r\nSubject: your PC sends spam\r\n"
        + "Message-ID: <no-hops@x>\r\n\r\nplease check\r\n").getBytes(StandardCharsets.US_ASCII);

    ComplaintRecord c = handler.handle(new ComplaintHandler.Message("imaps://abuse@mail.example.edu:993/INBOX", AT,
        bytes.length, "your PC sends spam", "harold@lab.example.edu", Optional.of("<no-hops@x>"), Optional.of(bytes)));

    assertThat(c.outcome()).isEqualTo(Outcome.NO_ORIGIN);
    assertThat(c.summary()).startsWith("LabScan cannot tell where this message came from");
    assertThat(c.recorded()).isFalse();
    assertThat(c.handledAt()).isEqualTo(AT);
  }

  @Test
  void controlAndBidiCharactersInSubjectAndFromAreReplacedAndLongTextIsCut() {
    String subject = "urgent\u001b[31m\u202eexe.txt " + "x".repeat(1000);

    ComplaintRecord c = handler.handle(new ComplaintHandler.Message("imaps://abuse@mail.example.edu:993/INBOX", AT,
        1 << 30, subject, "a\u0000b@example.net", Optional.empty(), Optional.empty()));

    assertThat(c.subject()).startsWith("urgent?[31m?exe.txt xxx").endsWith("…").hasSizeLessThanOrEqualTo(302);
    assertThat(c.from()).isEqualTo("a?b@example.net");
    assertThat(c.outcome()).isEqualTo(Outcome.NOT_A_COMPLAINT);
  }
}
