package io.labscan.controller.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Principal;
import io.labscan.controller.account.Role;
import io.labscan.controller.audit.Audit;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scheduled report delivered through a real Postfix ({@link LoopbackPostfix}) over STARTTLS,
 * the relay's certificate pinned with {@code --report-smtp-ca}, read back from the delivered
 * Maildir: first the confirmation mail (its link confirms the address), then the report with
 * subject, recipient, the text summary and the CSV attachment.
 */
class ReportMailThroughPostfixTest {
  @TempDir Path dir;

  @Test
  void theWeeklyReportArrivesInTheSubscribersMailboxWithTheCsvAttached() throws Exception {
    try (LoopbackPostfix relay = LoopbackPostfix.start(List.of("physics-office"));
        LabWeek week = new LabWeek(dir.resolve("controller.db"))) {
      Accounts accounts = new Accounts(week.store, 4, week.clock);
      accounts.add("physics-manager", Role.LAB_MANAGER, Set.of(LabWeek.PHYSICS), "correct horse battery", false);
      ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock);
      subscriptions.subscribe(Principal.user("physics-manager", Role.LAB_MANAGER, Set.of(LabWeek.PHYSICS)),
          Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY, "physics-office@campus.example");
      week.play();

      ReportMailOptions options = new ReportMailOptions();
      options.smtp = "127.0.0.1:" + relay.port;
      options.startTls = true;
      options.ca = relay.certificate;
      options.from = "labscan@campus.example";
      SmtpRelay smtp = options.relay().orElseThrow();
      ReportDelivery delivery = new ReportDelivery(subscriptions, new ComplianceReports(week.fleet), accounts,
          new SmtpReportMailer(smtp, week.clock), Audit.none(), week.clock,
          Optional.of(java.net.URI.create("https://labscan.campus.example")));

      // First the confirmation mail, and no report: the office has not agreed yet.
      assertThat(delivery.runOnce()).isZero();
      await().atMost(Duration.ofSeconds(60)).until(() -> relay.delivered("physics-office").size() == 1);
      MimeMessage confirmation = read(relay.delivered("physics-office").get(0));
      assertThat(confirmation.getSubject()).isEqualTo("Confirm LabScan compliance reports to physics-office@campus.example");
      java.util.regex.Matcher link = java.util.regex.Pattern.compile("/reports/confirm\\?token=([A-Za-z0-9_-]{43})")
          .matcher((String) confirmation.getContent());
      assertThat(link.find()).isTrue();
      assertThat(subscriptions.confirmations().confirm(link.group(1)).outcome())
          .isEqualTo(ReportConfirmations.Outcome.CONFIRMED);

      assertThat(delivery.runOnce()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(60)).until(() -> relay.delivered("physics-office").size() == 2);
      assertThat(delivery.runOnce()).as("the week is recorded as sent").isZero();
      assertThat(relay.log()).contains("TLS connection established from");

      MimeMessage m = relay.delivered("physics-office").stream().map(ReportMailThroughPostfixTest::read)
          .filter(x -> !subject(x).startsWith("Confirm")).findFirst().orElseThrow();
      assertThat(m.getSubject()).isEqualTo("LabScan weekly compliance report: physics-lab, 2026-11-02 to 2026-11-08");
      assertThat(m.getHeader("To", ",")).isEqualTo("physics-office@campus.example");
      assertThat(m.getFrom()[0].toString()).isEqualTo("labscan@campus.example");
      Multipart parts = (Multipart) m.getContent();
      assertThat(parts.getCount()).isEqualTo(2);
      assertThat((String) parts.getBodyPart(0).getContent()).contains("LabScan compliance report: physics-lab",
          "phys-pc-02 [physics-lab]: 1 of 7 days without a complete full scan");
      Part csv = parts.getBodyPart(1);
      assertThat(csv.getDisposition()).isEqualTo(Part.ATTACHMENT);
      assertThat(csv.getFileName()).isEqualTo("labscan-compliance-physics-lab-2026-11-02-2026-11-09.csv");
      assertThat(csv.getContentType()).startsWith("text/csv");
      String body;
      try (InputStream in = csv.getInputStream()) {
        // A text/* part travels in canonical form; the Maildir keeps its lines with LF ends.
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
      }
      assertThat(body).startsWith(ReportCsv.HEADER + "\n")
          .contains("\"compliance\",\"2026-11-04\",\"physics-lab\",\"\",\"\",1,2,50.0,\"snapshot\",\"\",\"\",\"\"")
          .doesNotContain("chem-pc");
    }
  }

  static MimeMessage read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return new MimeMessage(Session.getInstance(new Properties()), in);
    } catch (java.io.IOException | jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String subject(MimeMessage m) {
    try {
      return String.valueOf(m.getSubject());
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }
}
