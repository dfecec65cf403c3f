package io.labscan.controller.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Principal;
import io.labscan.controller.account.Role;
import io.labscan.controller.audit.Audit;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SMTP AUTH against a real relay that requires it: Postfix with Dovecot SASL
 * ({@link LoopbackPostfix.Sasl}), AUTH offered only after STARTTLS. The credentials come from
 * {@code serve}'s options and an owner-only password file, as in production; the relay offers one
 * mechanism at a time, so each test proves that mechanism works. A wrong password is refused by
 * the relay, the report stays due, and the failure is recorded on the subscription and audited.
 */
class ReportMailSaslTest {
  static final String OFFICE = "physics-office@campus.example";
  static final String RELAY_USER = "labscan";
  static final String RELAY_PASSWORD = "Tr0ub4dor&3-relay";

  @TempDir Path dir;

  private SmtpRelay relay(LoopbackPostfix postfix, String password) throws Exception {
    Path file = dir.resolve("smtp-password-" + Math.abs(password.hashCode()));
    Files.writeString(file, password + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    ReportMailOptions options = new ReportMailOptions();
    options.smtp = "127.0.0.1:" + postfix.port;
    options.startTls = true;
    options.ca = postfix.certificate;
    options.from = "labscan@campus.example";
    options.user = RELAY_USER;
    options.passwordFile = file;
    return options.relay().orElseThrow();
  }

  private static ReportMailer.Mail mail(String subject) {
    return new ReportMailer.Mail(OFFICE, subject, "A test of the campus relay.\n", "", new byte[0]);
  }

  @Test
  void theRelayTakesMailAfterAuthPlainOverStartTls() throws Exception {
    try (LoopbackPostfix postfix = LoopbackPostfix.start(List.of("physics-office"),
        Optional.of(new LoopbackPostfix.Sasl(RELAY_USER, RELAY_PASSWORD, "plain")))) {
      new SmtpReportMailer(relay(postfix, RELAY_PASSWORD), java.time.Clock.systemUTC()).send(mail("plain"));

      await().atMost(Duration.ofSeconds(60)).until(() -> postfix.delivered("physics-office").size() == 1);
      assertThat(postfix.log()).contains("TLS connection established from", "sasl_method=PLAIN",
          "sasl_username=" + RELAY_USER);
    }
  }

  @Test
  void theRelayTakesMailAfterAuthLoginOverStartTls() throws Exception {
    try (LoopbackPostfix postfix = LoopbackPostfix.start(List.of("physics-office"),
        Optional.of(new LoopbackPostfix.Sasl(RELAY_USER, RELAY_PASSWORD, "login")))) {
      new SmtpReportMailer(relay(postfix, RELAY_PASSWORD), java.time.Clock.systemUTC()).send(mail("login"));

      await().atMost(Duration.ofSeconds(60)).until(() -> postfix.delivered("physics-office").size() == 1);
      assertThat(postfix.log()).contains("sasl_method=LOGIN", "sasl_username=" + RELAY_USER);
    }
  }

  @Test
  void aWrongPasswordIsRefusedWithAClearErrorRecordedAndTheReportIsSentOnceItIsFixed() throws Exception {
    try (LoopbackPostfix postfix = LoopbackPostfix.start(List.of("physics-office"),
        Optional.of(new LoopbackPostfix.Sasl(RELAY_USER, RELAY_PASSWORD, "plain login")));
        LabWeek week = new LabWeek(dir.resolve("controller.db"))) {
      Accounts accounts = new Accounts(week.store, 4, week.clock);
      accounts.add("physics-manager", Role.LAB_MANAGER, Set.of(LabWeek.PHYSICS), "correct horse battery", false);
      ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock,
          ReportScheduleTest.OWN_ADDRESS);
      subscriptions.subscribe(Principal.user("physics-manager", Role.LAB_MANAGER, Set.of(LabWeek.PHYSICS)),
          Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY, OFFICE);
      week.play();
      List<String> audited = new CopyOnWriteArrayList<>();
      Audit audit = (actor, action, target, detail, source) -> audited.add(action + " " + detail);

      ReportDelivery wrong = new ReportDelivery(subscriptions, new ComplianceReports(week.fleet), accounts,
          new SmtpReportMailer(relay(postfix, "not-the-password"), week.clock), audit, week.clock);
      assertThat(wrong.runOnce()).isZero();

      assertThat(subscriptions.all()).singleElement().satisfies(s -> assertThat(s.lastError())
          .startsWith("the relay 127.0.0.1:" + postfix.port + " (STARTTLS), user labscan did not take the mail for "
              + OFFICE + ": ")
          .endsWith("authentication refused by the relay (535 5.7.8)"));
      assertThat(audited).singleElement().satisfies(a -> assertThat(a).startsWith("report.send failed weekly report")
          .contains("535 5.7.8"));
      assertThat(postfix.delivered("physics-office")).isEmpty();

      ReportDelivery fixed = new ReportDelivery(subscriptions, new ComplianceReports(week.fleet), accounts,
          new SmtpReportMailer(relay(postfix, RELAY_PASSWORD), week.clock), audit, week.clock);
      assertThat(fixed.runOnce()).as("the failed week is still due").isEqualTo(1);
      await().atMost(Duration.ofSeconds(60)).until(() -> postfix.delivered("physics-office").size() == 1);
      MimeMessage m = ReportMailThroughPostfixTest.read(postfix.delivered("physics-office").get(0));
      assertThat(m.getSubject()).startsWith("LabScan weekly compliance report: physics-lab");
      assertThat(subscriptions.all()).singleElement().satisfies(s -> assertThat(s.lastError()).isEmpty());
    }
  }

  @Test
  void withoutCredentialsTheRelayRefusesToSend() throws Exception {
    try (LoopbackPostfix postfix = LoopbackPostfix.start(List.of("physics-office"),
        Optional.of(new LoopbackPostfix.Sasl(RELAY_USER, RELAY_PASSWORD, "plain")))) {
      ReportMailOptions options = new ReportMailOptions();
      options.smtp = "127.0.0.1:" + postfix.port;
      options.startTls = true;
      options.ca = postfix.certificate;
      options.from = "labscan@campus.example";
      SmtpReportMailer anonymous = new SmtpReportMailer(options.relay().orElseThrow(), java.time.Clock.systemUTC());
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> anonymous.send(mail("anonymous")))
          .isInstanceOf(ReportMailer.ReportMailException.class).hasMessageContaining("554 5.7.1");
    }
  }
}
