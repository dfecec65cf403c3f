package io.labscan.controller.complaint;

import static io.labscan.controller.complaint.ComplaintMail.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.controller.TestReports;
import io.labscan.controller.alert.Alert;
import io.labscan.controller.store.Storage;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictRepository;
import io.labscan.controller.verdict.VerdictService;
import io.labscan.testsupport.LoopbackCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mailbox watch against a real Dovecot (started by the test, TLS on loopback) and a real
 * SQLite store holding lab-pc-07 with 10.20.3.17: complaints delivered by IMAP APPEND (or
 * straight into the Maildir while IMAP is down) are triaged once, moved to their folders, and
 * survive restarts of the watcher and of the server.
 */
class MailboxWatchTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir Path dir;
  private Dovecot dovecot;
  private Storage store;
  private VerdictService verdicts;
  private ComplaintLog log;
  private ComplaintTriage triage;
  private String pc07;
  private ComplaintMail mail;
  private final List<Alert> alerts = new CopyOnWriteArrayList<>();
  private final List<MailboxWatcher> watchers = new CopyOnWriteArrayList<>();
  private WatchSettings settings = WatchSettings.defaults().withBackoff(Duration.ofMillis(100), Duration.ofMillis(500))
      .withIdleRefresh(Duration.ofSeconds(20), Duration.ofSeconds(30)).withLimits(64 * 1024, 1000);

  @BeforeEach
  void fleetAndServer() throws Exception {
    dovecot = Dovecot.start(dir);
    store = Storage.open(dir.resolve("controller.db"));
    verdicts = new VerdictService(store, VerdictPolicy.defaults(), Clock.systemUTC());
    Instant now = Instant.now().minusSeconds(300);
    pc07 = TestReports.newHostId();
    store.ingest(TestReports.fullScan(pc07, "lab-pc-07", now, 1, ComplaintMail.PC_IP), now, "test").join();
    triage = new ComplaintTriage(store, verdicts, TrustConfig.of(List.of(ComplaintMail.MX)), Clock.systemUTC());
    log = new ComplaintLog(store);
    mail = new ComplaintMail(now);
  }

  @AfterEach
  void stop() throws Exception {
    watchers.forEach(MailboxWatcher::close);
    if (dovecot != null) {
      if (Boolean.getBoolean("labscan.dovecot.log")) {
        System.err.println(dovecot.log());
      }
      dovecot.close();
    }
    if (verdicts != null) {
      verdicts.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private MailboxWatcher watch(MailboxConfig config, ComplaintTriage with) {
    ComplaintHandler handler = new ComplaintHandler(with.forMailboxes(),
        hostId -> store.verdict(hostId).map(VerdictRepository.VerdictRecord::verdict), alerts::add, Clock.systemUTC(),
        settings.maxMessageBytes());
    MailboxWatcher w = new MailboxWatcher(config, settings, log, handler, Clock.systemUTC());
    watchers.add(w);
    w.start();
    return w;
  }

  private MailboxWatcher watch() {
    return watch(dovecot.inbox(), triage);
  }

  private List<ComplaintRecord> complaints() {
    return log.list(500, OptionalLong.empty());
  }

  private Map<String, ComplaintRecord> bySubject() {
    return complaints().stream().collect(Collectors.toMap(ComplaintRecord::subject, Function.identity(), (a, b) -> a));
  }

  private void awaitComplaints(int n) {
    await().atMost(WAIT).untilAsserted(() -> assertThat(complaints()).hasSize(n));
  }

  private int traces(String hostId) {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT COUNT(*) FROM complaint_traces WHERE host_id = ?")) {
        ps.setString(1, hostId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getInt(1) : 0;
        }
      }
    });
  }

  @Test
  void theWormsOwnMessageIsTracedToTheLabPcRecordedAsEvidenceAndMovedToTriaged() throws Exception {
    dovecot.append("INBOX", bytes(mail.worm("worm-1@lab-pc-07")));

    watch();

    awaitComplaints(1);
    ComplaintRecord c = complaints().get(0);
    assertThat(c.outcome()).isEqualTo(Outcome.TRIAGED);
    assertThat(c.hostId()).isEqualTo(pc07);
    assertThat(c.originIp()).isEqualTo(ComplaintMail.PC_IP);
    assertThat(c.summary()).startsWith("Sent by lab-pc-07");
    assertThat(c.recordable()).as(c.evidenceNote()).isTrue();
    assertThat(c.recorded()).as(c.evidenceNote()).isTrue();
    assertThat(c.from()).isEqualTo("harold@lab.example.edu");
    assertThat(traces(pc07)).isEqualTo(1);
    await().atMost(WAIT).untilAsserted(() -> assertThat(dovecot.messageIds("Triaged")).containsExactly("<worm-1@lab-pc-07>"));
    assertThat(dovecot.messageIds("INBOX")).isEmpty();
  }

  @Test
  void aForwardABounceAndAnArfReportAreEachTracedThroughTheMessageTheyCarry() throws Exception {
    dovecot.append("INBOX", bytes(mail.forward("fwd-1@example.net", "worm-2@lab-pc-07")));
    dovecot.append("INBOX", bytes(mail.bounce("dsn-1@" + ComplaintMail.MX, "worm-3@lab-pc-07")));
    dovecot.append("INBOX", bytes(mail.arf("arf-1@example.net", "worm-4@lab-pc-07")));

    watch();

    awaitComplaints(3);
    Map<String, ComplaintRecord> c = bySubject();
    ComplaintRecord forward = c.get("Fwd: Hello, a nice game for you");
    assertThat(forward.outcome()).isEqualTo(Outcome.TRIAGED);
    assertThat(forward.hostId()).isEqualTo(pc07);
    assertThat(forward.recordable()).as("a forwarder could have written every line it carries").isFalse();
    assertThat(forward.recorded()).isFalse();
    assertThat(forward.evidenceNote()).contains("not recorded");
    ComplaintRecord bounce = c.get("Undelivered Mail Returned to Sender");
    assertThat(bounce.outcome()).isEqualTo(Outcome.TRIAGED);
    assertThat(bounce.hostId()).isEqualTo(pc07);
    assertThat(bounce.originIp()).isEqualTo(ComplaintMail.PC_IP);
    ComplaintRecord arf = c.get("FW: Hello, a nice game for you");
    assertThat(arf.outcome()).isEqualTo(Outcome.TRIAGED);
    assertThat(arf.originIp()).isEqualTo(ComplaintMail.PC_IP);
    assertThat(arf.hostId()).isEqualTo(pc07);
    await().atMost(WAIT).untilAsserted(() -> assertThat(dovecot.messageIds("Triaged")).containsExactlyInAnyOrder(
        "<fwd-1@example.net>", "<dsn-1@" + ComplaintMail.MX + ">", "<arf-1@example.net>"));
  }

  @Test
  void garbageAndAHugeMessageAreNotComplaintsAndSayWhy() throws Exception {
    dovecot.append("INBOX", bytes(ComplaintMail.garbage()));
    dovecot.append("INBOX", bytes(mail.huge("huge-1@lab-pc-07", 200 * 1024)));
    dovecot.append("INBOX", bytes(mail.worm("worm-5@lab-pc-07")));

    watch();

    awaitComplaints(3);
    List<ComplaintRecord> all = complaints();
    ComplaintRecord garbage = all.get(2);
    assertThat(garbage.outcome()).isEqualTo(Outcome.NOT_A_COMPLAINT);
    assertThat(garbage.detail()).contains("not a mail message");
    ComplaintRecord huge = all.get(1);
    assertThat(huge.outcome()).isEqualTo(Outcome.NOT_A_COMPLAINT);
    assertThat(huge.detail()).contains("larger than the limit of 65536 bytes");
    assertThat(huge.sizeBytes()).isGreaterThan(200 * 1024);
    assertThat(huge.messageKey()).as("its Message-ID, from the IMAP envelope").isEqualTo("<huge-1@lab-pc-07>");
    assertThat(all.get(0).outcome()).as("the watch went on after them").isEqualTo(Outcome.TRIAGED);
    await().atMost(WAIT).untilAsserted(() -> assertThat(dovecot.messageIds("Not a complaint")).hasSize(2));
  }

  @Test
  void aMessageArrivingWhileTheWatcherIdlesIsTriagedAndANamedHostThatIsNotInfectedRaisesAnAlert() throws Exception {
    watch();
    await().atMost(WAIT).until(() -> watchers.get(0).status().state().equals("watching"));

    dovecot.append("INBOX", bytes(mail.worm("worm-6@lab-pc-07")));

    awaitComplaints(1);
    await().atMost(WAIT).untilAsserted(() -> assertThat(alerts).hasSize(1));
    Alert alert = alerts.get(0);
    assertThat(alert.kind()).isEqualTo(Alert.Kind.COMPLAINT);
    assertThat(alert.hostId()).isEqualTo(pc07);
    assertThat(alert.verdict()).isNotEqualTo(io.labscan.controller.verdict.Verdict.INFECTED);
    assertThat(alert.summary()).contains("lab-pc-07").contains("complaint #1");
  }

  @Test
  void aRestartedWatcherTriagesNothingTwiceAndCatchesUpOnWhatArrivedWhileItWasStopped() throws Exception {
    dovecot.append("INBOX", bytes(mail.worm("worm-7@lab-pc-07")));
    dovecot.append("INBOX", bytes(ComplaintMail.garbage()));
    MailboxWatcher first = watch();
    awaitComplaints(2);
    await().atMost(WAIT).untilAsserted(() -> assertThat(dovecot.messageIds("INBOX")).isEmpty());
    first.close();
    dovecot.append("INBOX", bytes(mail.forward("fwd-8@example.net", "worm-8@lab-pc-07")));

    watch();

    awaitComplaints(3);
    await().atMost(WAIT).untilAsserted(() -> assertThat(dovecot.messageIds("INBOX")).isEmpty());
    assertThat(complaints()).extracting(ComplaintRecord::messageKey).doesNotHaveDuplicates();
    assertThat(traces(pc07)).as("the worm's message was recorded once").isEqualTo(1);
    assertThat(dovecot.messageIds("Triaged")).containsExactlyInAnyOrder("<worm-7@lab-pc-07>", "<fwd-8@example.net>");
  }

  @Test
  void dovecotRestartedUnderTheWatcherIsReconnectedToAndMailDeliveredMeanwhileIsTriaged() throws Exception {
    MailboxWatcher w = watch();
    dovecot.append("INBOX", bytes(mail.worm("worm-9@lab-pc-07")));
    awaitComplaints(1);

    dovecot.stop();
    await().atMost(WAIT).until(() -> w.status().state().equals("retrying"));
    dovecot.deliverToMaildir(bytes(mail.bounce("dsn-10@" + ComplaintMail.MX, "worm-10@lab-pc-07")));
    dovecot.restart();

    awaitComplaints(2);
    assertThat(w.status().lastError()).isPresent();
    await().atMost(WAIT).untilAsserted(() -> assertThat(dovecot.messageIds("Triaged"))
        .containsExactlyInAnyOrder("<worm-9@lab-pc-07>", "<dsn-10@" + ComplaintMail.MX + ">"));
    await().atMost(WAIT).until(() -> w.status().state().equals("watching"));
  }

  @Test
  void afterAUidValidityChangeMessagesAlreadyHandledAreRecognisedByTheirMessageIdAndNotTriagedAgain() throws Exception {
    // More than one batch, so that the rebuilt folder is read over several rounds.
    int n = MailboxWatcher.BATCH + 5;
    for (int i = 0; i < n; i++) {
      dovecot.append("INBOX", bytes(mail.worm("worm-11-" + i + "@lab-pc-07")));
    }
    MailboxWatcher first = watch();
    awaitComplaints(n);
    await().atMost(WAIT).untilAsserted(() -> assertThat(dovecot.messageIds("Triaged")).hasSize(n));
    first.close();
    long before = dovecot.uidValidity("INBOX");
    // The server rebuilds INBOX: its UID list is gone and the message is back in it (a restore).
    dovecot.stop();
    for (String sub : List.of("new", "cur")) {
      Path triaged = dovecot.maildir().resolve(".Triaged").resolve(sub);
      if (Files.isDirectory(triaged)) {
        try (var files = Files.list(triaged)) {
          for (Path f : files.toList()) {
            dovecot.deliverToMaildir(Files.readAllBytes(f));
          }
        }
      }
    }
    try (var files = Files.list(dovecot.maildir())) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("dovecot")).toList()) {
        if (Files.isRegularFile(f)) {
          Files.delete(f);
        }
      }
    }
    dovecot.restart();
    assertThat(dovecot.uidValidity("INBOX")).as("precondition: a new UIDVALIDITY").isNotEqualTo(before);
    assertThat(dovecot.messageIds("INBOX")).hasSize(n);

    watch();

    await().atMost(WAIT).untilAsserted(() -> assertThat(dovecot.messageIds("INBOX")).isEmpty());
    assertThat(complaints()).hasSize(n);
    assertThat(dovecot.messageIds("Triaged")).as("the first copies and the restored ones, moved without triage")
        .hasSize(2 * n);
  }

  @Test
  void aMessageTriageThrowsOnIsRecordedAsFailedStaysInTheFolderAndTheWatchGoesOn() throws Exception {
    Storage broken = Storage.open(dir.resolve("broken.db"));
    VerdictService brokenVerdicts = new VerdictService(broken, VerdictPolicy.defaults(), Clock.systemUTC());
    ComplaintTriage failing = new ComplaintTriage(broken, brokenVerdicts, TrustConfig.none(), Clock.systemUTC());
    brokenVerdicts.close();
    broken.close();
    dovecot.append("INBOX", bytes(mail.worm("worm-12@lab-pc-07")));
    MailboxWatcher w = watch(dovecot.inbox(), failing);
    awaitComplaints(1);

    dovecot.append("INBOX", bytes(mail.worm("worm-13@lab-pc-07")));

    awaitComplaints(2);
    assertThat(complaints()).allSatisfy(c -> {
      assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(c.detail()).startsWith("triage failed: ");
    });
    assertThat(dovecot.messageIds("INBOX")).containsExactly("<worm-12@lab-pc-07>", "<worm-13@lab-pc-07>");
    assertThat(w.status().state()).isEqualTo("watching");
  }

  @Test
  void aServerCertificateNotSignedByTheConfiguredCaIsRefusedAndNothingIsRead() throws Exception {
    Path otherCa = dir.resolve("other-ca.crt");
    LoopbackCertificate.write(otherCa, dir.resolve("other-ca.key"), "labscan-test-imap", "localhost");
    dovecot.append("INBOX", bytes(mail.worm("worm-14@lab-pc-07")));
    MailboxConfig config = new MailboxConfig(dovecot.inbox().address(), Dovecot.PASSWORD, java.util.Optional.of(otherCa));

    MailboxWatcher w = watch(config, triage);

    await().atMost(WAIT).until(() -> w.status().lastError().isPresent());
    assertThat(w.status().lastError().get()).containsIgnoringCase("certificat");
    assertThat(complaints()).isEmpty();
    assertThat(dovecot.messageIds("INBOX")).hasSize(1);
  }

  @Test
  void starttlsOnThePlainImapPortIsUsedAndWorks() throws Exception {
    dovecot.append("INBOX", bytes(mail.worm("worm-15@lab-pc-07")));
    MailboxConfig config = new MailboxConfig(MailboxAddress.parse("imap://" + Dovecot.USER + "@127.0.0.1:"
        + dovecot.imapPort() + "/INBOX"), Dovecot.PASSWORD, java.util.Optional.of(dovecot.certificate()));

    watch(config, triage);

    awaitComplaints(1);
    assertThat(complaints().get(0).mailbox()).startsWith("imap://abuse@127.0.0.1:");
  }

  @Test
  void aFloodWaitsInTheMailboxBeyondTheRateLimit() throws Exception {
    settings = settings.withLimits(settings.maxMessageBytes(), 2);
    for (int i = 0; i < 5; i++) {
      dovecot.append("INBOX", bytes(mail.worm("flood-" + i + "@lab-pc-07")));
    }

    watch();

    awaitComplaints(2);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(complaints()).hasSize(2));
    assertThat(dovecot.messageIds("INBOX")).hasSize(3);
  }
}
