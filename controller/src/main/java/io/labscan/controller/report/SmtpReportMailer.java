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
      String failed = "the relay " + relay.describe() + " did not take the mail for " + mail.to() + ": ";
      throw new ReportMailException(failed + describe(e), failed + reason(e), e);
    }
  }

  private static final java.util.regex.Pattern REPLY_CODE =
      java.util.regex.Pattern.compile("^\\s*([2-5][0-9][0-9])(?:[ -]+([245]\\.[0-9]{1,3}\\.[0-9]{1,3}))?(?![0-9])");

  /**
   * Why the relay did not take a mail, in LabScan's words: a class of failure ("authentication
   * refused by the relay (535 5.7.8)", "connection refused", "TLS handshake failed: ...") and
   * the SMTP reply code, never the text after it. The relay chooses that text: it may be long,
   * hold markup, or echo the credentials back, and it is shown to lab managers ({@code
   * lastError}); {@link #describe} keeps it for the log.
   */
  static String reason(MessagingException e) {
    String code = "";
    @org.jspecify.annotations.Nullable Throwable io = null;
    boolean auth = false;
    boolean recipient = false;
    boolean noStartTls = false;
    java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>();
    todo.add(e);
    while (!todo.isEmpty() && seen.size() < 10) {
      Throwable t = todo.removeFirst();
      if (!seen.add(t)) {
        continue;
      }
      if (t instanceof jakarta.mail.AuthenticationFailedException) {
        auth = true;
      } else if (t instanceof jakarta.mail.SendFailedException sf && sf.getInvalidAddresses() != null
          && sf.getInvalidAddresses().length > 0) {
        recipient = true;
      }
      String m = t.getMessage();
      if (m != null) {
        java.util.regex.Matcher c = REPLY_CODE.matcher(m);
        if (code.isEmpty() && c.find()) {
          code = c.group(1) + (c.group(2) == null ? "" : " " + c.group(2));
        }
        if (m.contains("STARTTLS is required")) {
          noStartTls = true;
        }
      }
      if (io == null && (t instanceof java.io.IOException || t instanceof java.security.GeneralSecurityException)) {
        io = t;
      }
      if (t instanceof MessagingException me && me.getNextException() != null) {
        todo.add(me.getNextException());
      }
      if (t.getCause() != null) {
        todo.add(t.getCause());
      }
    }
    String inParens = code.isEmpty() ? "" : " (" + code + ")";
    if (auth) {
      return "authentication refused by the relay" + inParens;
    }
    if (noStartTls) {
      return "the relay does not offer STARTTLS, which is required";
    }
    if (io != null) {
      String network = network(io, seen);
      if (network != null) {
        return network;
      }
    }
    if (recipient) {
      return "the relay refused the recipient" + inParens;
    }
    if (!code.isEmpty()) {
      return (code.startsWith("4") ? "the relay deferred the mail" : "the relay refused the mail") + inParens;
    }
    return "sending failed (" + e.getClass().getSimpleName() + ")";
  }

  /** A connection or TLS failure, named by its class; null when none is in the chain. */
  private static @org.jspecify.annotations.Nullable String network(Throwable first, java.util.Set<Throwable> chain) {
    boolean tls = false;
    boolean untrusted = false;
    for (Throwable t : chain) {
      if (t instanceof javax.net.ssl.SSLException) {
        tls = true;
      }
      if (t instanceof java.security.cert.CertificateException
          || t instanceof java.security.cert.CertPathValidatorException
          || t instanceof java.security.cert.CertPathBuilderException) {
        untrusted = true;
      }
    }
    for (Throwable t : chain) {
      if (t instanceof java.io.IOException && String.valueOf(t.getMessage()).startsWith("Can't verify identity of server")) {
        return "TLS handshake failed: the relay's certificate does not name it";
      }
    }
    if (untrusted) {
      return "TLS handshake failed: the relay's certificate is not trusted (--report-smtp-ca)";
    }
    if (tls) {
      return "TLS handshake failed";
    }
    for (Throwable t : chain) {
      if (t instanceof java.net.ConnectException) {
        return "connection refused";
      }
      if (t instanceof java.net.UnknownHostException) {
        return "the relay's host name is not known";
      }
      if (t instanceof java.net.SocketTimeoutException) {
        return "no answer from the relay within " + TIMEOUT.toSeconds() + " s";
      }
      if (t instanceof java.net.NoRouteToHostException) {
        return "no route to the relay";
      }
    }
    return first instanceof java.io.IOException ? "the connection to the relay failed" : null;
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
