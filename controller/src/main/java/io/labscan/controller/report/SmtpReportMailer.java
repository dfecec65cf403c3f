package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Sends report mail through the configured {@link SmtpRelay} with Angus Mail: a
 * {@code multipart/mixed} message with the text summary and the CSV attached. With STARTTLS the
 * upgrade is required and the relay's name checked against its certificate; credentials are
 * sent only after it. Timeouts bound every step, so a relay that hangs delays one job round,
 * not the controller.
 */
public final class SmtpReportMailer implements ReportMailer {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final SmtpRelay relay;
  private final Clock clock;
  private final Session session;

  public SmtpReportMailer(SmtpRelay relay, Clock clock) {
    this.relay = requireNonNull(relay, "relay");
    this.clock = requireNonNull(clock, "clock");
    this.session = Session.getInstance(properties(relay));
  }

  private static Properties properties(SmtpRelay relay) {
    Properties p = new Properties();
    p.put("mail.transport.protocol", "smtp");
    p.put("mail.smtp.host", relay.host());
    p.put("mail.smtp.port", Integer.toString(relay.port()));
    p.put("mail.smtp.from", relay.from());
    p.put("mail.smtp.connectiontimeout", Long.toString(TIMEOUT.toMillis()));
    p.put("mail.smtp.timeout", Long.toString(TIMEOUT.toMillis()));
    p.put("mail.smtp.writetimeout", Long.toString(TIMEOUT.toMillis()));
    p.put("mail.smtp.auth", Boolean.toString(relay.user().isPresent()));
    if (relay.startTls()) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
      p.put("mail.smtp.ssl.checkserveridentity", "true");
      p.put("mail.smtp.ssl.protocols", "TLSv1.3 TLSv1.2");
      relay.ca().ifPresent(ca -> p.put("mail.smtp.ssl.socketFactory", socketFactory(ca)));
    }
    return p;
  }

  /** TLS trusting only the certificates in {@code ca}; an IllegalArgumentException names the file. */
  static SSLSocketFactory socketFactory(Path ca) {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      try (InputStream in = Files.newInputStream(ca)) {
        int i = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          trust.setCertificateEntry("ca-" + i++, c);
        }
        if (i == 0) {
          throw new IllegalArgumentException("--report-smtp-ca " + ca + " holds no PEM certificate");
        }
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx.getSocketFactory();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("--report-smtp-ca " + ca + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String send(Mail mail) {
    try {
      MimeMessage m = new MimeMessage(session);
      m.setFrom(new InternetAddress(relay.from(), true));
      m.setRecipient(Message.RecipientType.TO, new InternetAddress(mail.to(), true));
      m.setSubject(mail.subject(), "UTF-8");
      m.setSentDate(Date.from(clock.instant()));
      m.setHeader("Auto-Submitted", "auto-generated");
      if (mail.csvName().isEmpty()) { // a confirmation mail: text only
        m.setText(mail.text(), "UTF-8");
      } else {
        MimeBodyPart text = new MimeBodyPart();
        text.setText(mail.text(), "UTF-8");
        MimeBodyPart csv = new MimeBodyPart();
        csv.setDataHandler(new DataHandler(new ByteArrayDataSource(mail.csv(), "text/csv; charset=utf-8")));
        csv.setFileName(mail.csvName());
        csv.setDisposition(Part.ATTACHMENT);
        m.setContent(new MimeMultipart(text, csv));
      }
      m.saveChanges();
      try (Transport t = session.getTransport("smtp")) {
        t.connect(relay.host(), relay.port(), relay.user().orElse(null), relay.password().orElse(null));
        t.sendMessage(m, m.getAllRecipients());
      }
      String id = m.getMessageID();
      return id == null ? "" : id;
    } catch (MessagingException e) {
      throw new ReportMailException("the relay " + relay.describe() + " did not take the mail for " + mail.to()
          + ": " + describe(e), e);
    }
  }

  /**
   * The relay's own words: Angus wraps a refused recipient as "Invalid Addresses" with the
   * server's reply ("554 5.7.1 … Access denied") in the next exception, so the chain is joined;
   * one line, at most 400 characters.
   */
  static String describe(MessagingException e) {
    java.util.LinkedHashSet<String> parts = new java.util.LinkedHashSet<>();
    @org.jspecify.annotations.Nullable Exception x = e;
    for (int depth = 0; x != null && depth < 5; depth++) {
      if (x.getMessage() != null && !x.getMessage().isBlank()) {
        parts.add(x.getMessage().strip().replaceAll("\\s+", " "));
      }
      x = x instanceof MessagingException m ? m.getNextException() : null;
    }
    String text = parts.isEmpty() ? e.toString() : String.join(": ", parts);
    return text.length() > 400 ? text.substring(0, 400) + "…" : text;
  }
}
