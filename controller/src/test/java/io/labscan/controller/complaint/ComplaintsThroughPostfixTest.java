package io.labscan.controller.complaint;

import static io.labscan.controller.complaint.ComplaintMail.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.controller.TestReports;
import io.labscan.controller.report.LoopbackPostfix;
import io.labscan.controller.store.Storage;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictRepository;
import io.labscan.controller.verdict.VerdictService;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Complaints the way they really reach abuse@: over SMTP to a real Postfix (the report tests'
 * {@link LoopbackPostfix}, the campus MX here), whose {@code virtual} agent delivers them into the
 * Maildir the test's real Dovecot serves; the mailbox watch, connected to Dovecot over IMAPS with
 * IDLE, triages each once and moves it. Postfix adds its own {@code Received:} line on top, so
 * the trust walk has to pass the delivering relay (trusted, as a campus's own mail servers are)
 * and its client, the campus MX (here connecting from 127.0.0.1, trusted by that address), before
 * it reaches the MX's hop that names the lab PC.
 */
class ComplaintsThroughPostfixTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path dir;
  private Dovecot dovecot;
  private LoopbackPostfix postfix;
  private Storage store;
  private VerdictService verdicts;
  private MailboxWatcher watcher;

  @AfterEach
  void stop() throws Exception {
    if (watcher != null) {
      watcher.close();
    }
    if (postfix != null) {
      postfix.close();
    }
    if (dovecot != null) {
      dovecot.close();
    }
    if (verdicts != null) {
      verdicts.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void aComplaintMailedToAbuseThroughPostfixIsTriagedToTheLabPcAndMovedOnce() throws Exception {
    dovecot = Dovecot.start(dir);
    postfix = LoopbackPostfix.deliveringInto(Dovecot.USER, dovecot.maildir());
    store = Storage.open(dir.resolve("controller.db"));
    verdicts = new VerdictService(store, VerdictPolicy.defaults(), Clock.systemUTC());
    Instant now = Instant.now().minusSeconds(300);
    String pc07 = TestReports.newHostId();
    store.ingest(TestReports.fullScan(pc07, "lab-pc-07", now, 1, ComplaintMail.PC_IP), now, "test").join();
    ComplaintTriage triage = new ComplaintTriage(store, verdicts,
        TrustConfig.of(List.of(ComplaintMail.MX, LoopbackPostfix.HOSTNAME, "127.0.0.1")), Clock.systemUTC());
    ComplaintLog log = new ComplaintLog(store);
    WatchSettings settings = WatchSettings.defaults().withBackoff(Duration.ofMillis(100), Duration.ofMillis(500))
        .withIdleRefresh(Duration.ofSeconds(20), Duration.ofSeconds(30)).withLimits(64 * 1024, 1000);
    ComplaintHandler handler = new ComplaintHandler(triage.forMailboxes(),
        hostId -> store.verdict(hostId).map(VerdictRepository.VerdictRecord::verdict), alert -> { },
        Clock.systemUTC(), settings.maxMessageBytes());
    watcher = new MailboxWatcher(dovecot.inbox(), settings, log, handler, Clock.systemUTC());
    watcher.start();

    send("janet@example.net", Dovecot.USER + "@" + LoopbackPostfix.DOMAIN,
        new ComplaintMail(now).worm("worm-via-postfix@lab-pc-07"));

    await().atMost(WAIT).untilAsserted(() -> assertThat(log.list(10, OptionalLong.empty())).hasSize(1));
    ComplaintRecord c = log.list(10, OptionalLong.empty()).get(0);
    assertThat(c.outcome()).as(c.detail() + " / postfix log: " + postfix.log()).isEqualTo(Outcome.TRIAGED);
    assertThat(c.hostId()).isEqualTo(pc07);
    assertThat(c.originIp()).isEqualTo(ComplaintMail.PC_IP);
    assertThat(c.recorded()).as(c.evidenceNote()).isTrue();
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(dovecot.messageIds("Triaged")).containsExactly("<worm-via-postfix@lab-pc-07>"));
    assertThat(dovecot.messageIds("INBOX")).isEmpty();
    assertThat(postfix.log()).contains("status=sent");
  }

  /** One SMTP transaction to the loopback Postfix, the message sent as it is (dot-stuffed). */
  private void send(String from, String to, String message) throws IOException {
    try (Socket s = new Socket("127.0.0.1", postfix.port)) {
      s.setSoTimeout(20_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = s.getOutputStream();
      expect(in, "220");
      command(out, in, "EHLO mx.lab.example.edu", "250");
      command(out, in, "MAIL FROM:<" + from + ">", "250");
      command(out, in, "RCPT TO:<" + to + ">", "250");
      command(out, in, "DATA", "354");
      StringBuilder data = new StringBuilder();
      for (String line : message.split("\r\n", -1)) {
        data.append(line.startsWith(".") ? "." + line : line).append("\r\n");
      }
      out.write(bytes(data + ".\r\n"));
      expect(in, "250");
      command(out, in, "QUIT", "221");
    }
  }

  private static void command(OutputStream out, BufferedReader in, String line, String code) throws IOException {
    out.write(bytes(line + "\r\n"));
    out.flush();
    expect(in, code);
  }

  /** Reads one (possibly multi-line) reply and checks its code. */
  private static void expect(BufferedReader in, String code) throws IOException {
    String line;
    do {
      line = in.readLine();
      if (line == null || !line.startsWith(code)) {
        throw new IOException("expected " + code + ", got: " + line);
      }
    } while (line.length() > 3 && line.charAt(3) == '-');
  }
}
