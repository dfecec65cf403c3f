package io.labscan.controller.report;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * What the Reports page shows ({@code lastError}) when the relay did not take a report: a short
 * reason in LabScan's words with the SMTP reply code, never the text the relay chose.
 */
class SmtpRelayReasonTest {
  @Test
  void aRefusedLoginIsNamedWithItsReplyCodeAndWithoutTheRelaysText() {
    // What a hostile or careless relay may answer: markup, and the credentials echoed back.
    MessagingException e = new AuthenticationFailedException(
        "535 5.7.8 <script>alert(1)</script> Error: authentication failed for labscan:hunter2\n");

    String reason = SmtpReportMailer.reason(e);

    assertThat(reason).isEqualTo("authentication refused by the relay (535 5.7.8)");
  }

  @Test
  void aRefusedRecipientIsNamedWithItsReplyCode() throws Exception {
    MessagingException refused = new MessagingException("550 5.1.1 <office@campus.example>: Recipient address "
        + "rejected: User unknown in virtual mailbox table");
    MessagingException e = new SendFailedException("Invalid Addresses", refused, new InternetAddress[0],
        new InternetAddress[0], new InternetAddress[] {new InternetAddress("office@campus.example")});

    assertThat(SmtpReportMailer.reason(e)).isEqualTo("the relay refused the recipient (550 5.1.1)");
  }

  @Test
  void connectionAndTlsFailuresAreNamedByTheirKind() {
    assertThat(SmtpReportMailer.reason(new MessagingException("Couldn't connect to host, port: smtp.campus.example, 587",
        new ConnectException("Connection refused")))).isEqualTo("connection refused");
    assertThat(SmtpReportMailer.reason(new MessagingException("Exception reading response",
        new SocketTimeoutException("Read timed out")))).isEqualTo("no answer from the relay within 30 s");
    assertThat(SmtpReportMailer.reason(new MessagingException("Could not convert socket to TLS",
        new SSLHandshakeException("Received fatal alert: handshake_failure")))).isEqualTo("TLS handshake failed");
    assertThat(SmtpReportMailer.reason(new MessagingException("STARTTLS is required but host does not support STARTTLS")))
        .isEqualTo("the relay does not offer STARTTLS, which is required");
  }

  @Test
  void anOverlongAnswerGivesAShortReason() {
    MessagingException e = new MessagingException("554 " + "<b>spam</b> ".repeat(10_000));

    String reason = SmtpReportMailer.reason(e);

    assertThat(reason).isEqualTo("the relay refused the mail (554)");
  }

  @Test
  void theExceptionKeepsTheWholeStoryForTheLogAndAShortLineToShow() {
    ReportMailer.ReportMailException e = new ReportMailer.ReportMailException("the relay said 535 " + "x".repeat(5000),
        "authentication refused by the relay (535)\n<b>", null);

    assertThat(e.getMessage()).hasSizeGreaterThan(5000);
    assertThat(e.reason()).isEqualTo("authentication refused by the relay (535) <b>");
    assertThat(new ReportMailer.ReportMailException("y".repeat(5000), null).reason())
        .hasSize(ReportMailer.ReportMailException.MAX_REASON);
  }
}
