package io.labscan.controller.complaint;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The complaints the mailbox tests deliver, in the shapes they really arrive at abuse@: the
 * worm's own message (lab PC 10.20.3.17 → the campus MX), a person forwarding it as an
 * attachment, the MX's RFC 3464 bounce of it, an RFC 5965 ARF report carrying it, text that is
 * not mail at all, and a message far above the size limit.
 */
final class ComplaintMail {
  static final String MX = "mx.lab.example.edu";
  static final String PC_IP = "10.20.3.17";

  private final Instant at;

  ComplaintMail(Instant at) {
    this.at = at;
  }

  private String date() {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atZone(ZoneOffset.UTC));
  }

  /** The worm's message as the MX received it from the lab PC; From: is forged (Harold's). */
  String worm(String messageId) {
    return "Received: from PC07 (unknown [" + PC_IP + "]) by " + MX + " (Postfix) with SMTP id 7F3E21C0042\r\n"
        + "\tfor <janet@example.net>; " + date() + "\r\n"
        + "From: harold@lab.example.edu\r\n"
        + "To: janet@example.net\r\n"
        + "Subject: Hello, a nice game for you\r\n"
        + "Message-ID: <" + messageId + ">\r\n"
        + "Date: " + date() + "\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: text/plain; charset=us-ascii\r\n"
        + "\r\n"
        + "This is a nice game, please run it.\r\n";
  }

  /** Janet forwards the worm's message to abuse@ as an attachment. */
  String forward(String messageId, String carriedId) {
    return "Received: from mail.example.net (mail.example.net [198.51.100.7]) by " + MX
        + " (Postfix) with ESMTPS id 9A1B2; " + date() + "\r\n"
        + "From: Janet Doe <janet@example.net>\r\n"
        + "To: abuse@lab.example.edu\r\n"
        + "Subject: Fwd: Hello, a nice game for you\r\n"
        + "Message-ID: <" + messageId + ">\r\n"
        + "Date: " + date() + "\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"fwd-boundary\"\r\n"
        + "\r\n"
        + "--fwd-boundary\r\n"
        + "Content-Type: text/plain; charset=us-ascii\r\n"
        + "\r\n"
        + "Harold, why do you send me this? See the attached message.\r\n"
        + "--fwd-boundary\r\n"
        + "Content-Type: message/rfc822\r\n"
        + "Content-Disposition: attachment; filename=\"game.eml\"\r\n"
        + "\r\n"
        + worm(carriedId)
        + "--fwd-boundary--\r\n";
  }

  /** The MX could not deliver the worm's message and bounced it to the forged sender's postmaster. */
  String bounce(String messageId, String originalId) {
    return "Received: by " + MX + " (Postfix) id 3C4D5; " + date() + "\r\n"
        + "From: MAILER-DAEMON@" + MX + " (Mail Delivery System)\r\n"
        + "To: harold@lab.example.edu\r\n"
        + "Subject: Undelivered Mail Returned to Sender\r\n"
        + "Message-ID: <" + messageId + ">\r\n"
        + "Date: " + date() + "\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: multipart/report; report-type=delivery-status; boundary=\"dsn-boundary\"\r\n"
        + "\r\n"
        + "--dsn-boundary\r\n"
        + "Content-Type: text/plain; charset=us-ascii\r\n"
        + "\r\n"
        + "I'm sorry to have to inform you that your message could not be delivered.\r\n"
        + "--dsn-boundary\r\n"
        + "Content-Type: message/delivery-status\r\n"
        + "\r\n"
        + "Reporting-MTA: dns; " + MX + "\r\n"
        + "Arrival-Date: " + date() + "\r\n"
        + "\r\n"
        + "Final-Recipient: rfc822; nobody@example.net\r\n"
        + "Action: failed\r\n"
        + "Status: 5.1.1\r\n"
        + "--dsn-boundary\r\n"
        + "Content-Type: message/rfc822\r\n"
        + "\r\n"
        + worm(originalId)
        + "--dsn-boundary--\r\n";
  }

  /** An RFC 5965 abuse report about the worm's message, from a receiving provider. */
  String arf(String messageId, String originalId) {
    return "Received: from fbl.example.net (fbl.example.net [198.51.100.9]) by " + MX
        + " (Postfix) with ESMTPS id 5E6F7; " + date() + "\r\n"
        + "From: Abuse Desk <fbl@example.net>\r\n"
        + "To: abuse@lab.example.edu\r\n"
        + "Subject: FW: Hello, a nice game for you\r\n"
        + "Message-ID: <" + messageId + ">\r\n"
        + "Date: " + date() + "\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: multipart/report; report-type=feedback-report; boundary=\"arf-boundary\"\r\n"
        + "\r\n"
        + "--arf-boundary\r\n"
        + "Content-Type: text/plain; charset=us-ascii\r\n"
        + "\r\n"
        + "This is an email abuse report for an email message received from IP " + PC_IP + ".\r\n"
        + "--arf-boundary\r\n"
        + "Content-Type: message/feedback-report\r\n"
        + "\r\n"
        + "Feedback-Type: abuse\r\n"
        + "User-Agent: ExampleFBL/1.0\r\n"
        + "Version: 1\r\n"
        + "Original-Mail-From: <harold@lab.example.edu>\r\n"
        + "Arrival-Date: " + date() + "\r\n"
        + "Source-IP: " + PC_IP + "\r\n"
        + "Reported-Domain: lab.example.edu\r\n"
        + "--arf-boundary\r\n"
        + "Content-Type: message/rfc822\r\n"
        + "\r\n"
        + worm(originalId)
        + "--arf-boundary--\r\n";
  }

  /** What a broken script drops into the abuse mailbox: no header block at all. */
  static String garbage() {
    return "backup finished OK\r\nfiles: 1234\r\nerrors: 0\r\n";
  }

  /** A complaint with a large attachment: {@code bytes} of base64 after the worm's headers. */
  String huge(String messageId, int bytes) {
    StringBuilder sb = new StringBuilder(worm(messageId).replace("Content-Type: text/plain; charset=us-ascii",
        "Content-Type: text/plain; charset=us-ascii\r\nX-Padding: yes"));
    String line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3\r\n";
    while (sb.length() < bytes) {
      sb.append(line);
    }
    return sb.toString();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
