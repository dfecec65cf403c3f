package io.labscan.agent.checks.mail;

import jakarta.mail.Session;
import java.util.Properties;

/**
 * The Jakarta Mail session messages are parsed under. It is used only to construct
 * {@code MimeMessage}s: no store or transport is ever obtained from it, so nothing connects
 * anywhere.
 */
final class MailSessions {
  private static final Session OFFLINE = Session.getInstance(properties());

  private MailSessions() {}

  static Session offline() {
    return OFFLINE;
  }

  private static Properties properties() {
    Properties p = new Properties();
    // Be lenient with what worms write: addresses and multiparts that violate the RFCs.
    p.setProperty("mail.mime.address.strict", "false");
    p.setProperty("mail.mime.multipart.ignoremissingendboundary", "true");
    p.setProperty("mail.mime.multipart.ignoremissingboundaryparameter", "true");
    p.setProperty("mail.mime.multipart.allowempty", "true");
    return p;
  }
}
