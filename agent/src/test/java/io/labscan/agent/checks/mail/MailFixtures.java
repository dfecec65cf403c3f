package io.labscan.agent.checks.mail;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;

/**
 * Messages built with Jakarta Mail, and writers that lay them out as the mail stores the
 * checks read. Payloads are the EICAR test string, never real malware.
 */
public final class MailFixtures {
  public static final byte[] EICAR =
      "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
          .getBytes(StandardCharsets.US_ASCII);
  public static final Instant SENT = Instant.parse("2002-04-17T09:30:00Z");
  private static final Session SESSION = Session.getInstance(new Properties());

  private MailFixtures() {}

  /** A message with fixed Message-ID, date, sender and recipient, and no body yet. */
  public static MimeMessage message(String messageId, String subject) {
    try {
      MimeMessage m = new MimeMessage(SESSION) {
        @Override
        protected void updateMessageID() throws MessagingException {
          setHeader("Message-ID", messageId);
        }
      };
      m.setFrom(new InternetAddress("alice@lab.example.edu", "Alice"));
      m.setRecipients(MimeMessage.RecipientType.TO, "bob@lab.example.edu");
      m.setSentDate(Date.from(SENT));
      m.setSubject(subject);
      return m;
    } catch (MessagingException | java.io.UnsupportedEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Plain-text message without attachments. */
  public static MimeMessage plain(String messageId, String subject, String text) {
    try {
      MimeMessage m = message(messageId, subject);
      m.setText(text, "us-ascii");
      return m;
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Klez's carrier: a quoted-printable HTML part with {@code <iframe src=cid:...>} and a part
   * of type {@code declaredType} named {@code name} holding the payload under that cid.
   */
  public static MimeMessage iframeCarrier(String messageId, String subject, String declaredType,
      String name) {
    String cid = "Ul2kTX7v1Q";
    return htmlWithFramedPart(messageId, subject,
        "<HTML><HEAD></HEAD><BODY>\r\n<iframe src=cid:" + cid
            + " height=0 width=0></iframe>\r\n</BODY></HTML>",
        cid, declaredType, name, EICAR);
  }

  /** The MS01-020 message: audio/x-wav part named readme.exe, framed by cid. */
  public static MimeMessage ms01020(String messageId, String subject) {
    return iframeCarrier(messageId, subject, "audio/x-wav", "readme.exe");
  }

  /** An HTML message that frames a real wave file, song.wav, by cid. */
  public static MimeMessage framedSong(String messageId) {
    byte[] riff = "RIFF\u0024\0\0\0WAVEfmt ".getBytes(StandardCharsets.ISO_8859_1);
    return htmlWithFramedPart(messageId, "our band's demo",
        "<html><body><p>Listen:</p><iframe src=\"cid:song1\"></iframe></body></html>",
        "song1", "audio/x-wav", "song.wav", riff);
  }

  /** A newsletter whose HTML frames a web page. */
  public static MimeMessage newsletter(String messageId) {
    try {
      MimeMessage m = message(messageId, "Department newsletter, April 2002");
      m.setText("<html><body><h1>News</h1>"
          + "<iframe src=\"http://news.lab.example.edu/frame.html\" width=600></iframe>"
          + "</body></html>", "us-ascii", "html");
      return m;
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A text body plus one attachment. */
  public static MimeMessage withAttachment(String messageId, String subject, String name,
      String contentType, byte[] content) {
    try {
      MimeMessage m = message(messageId, subject);
      MimeMultipart mixed = new MimeMultipart("mixed");
      MimeBodyPart text = new MimeBodyPart();
      text.setText("See the attached file.", "us-ascii");
      MimeBodyPart attachment = new MimeBodyPart();
      attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(content, contentType)));
      attachment.setFileName(name);
      attachment.setDisposition(MimeBodyPart.ATTACHMENT);
      attachment.setHeader("Content-Transfer-Encoding", "base64");
      mixed.addBodyPart(text);
      mixed.addBodyPart(attachment);
      m.setContent(mixed);
      return m;
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MimeMessage htmlWithFramedPart(String messageId, String subject, String html,
      String cid, String declaredType, String name, byte[] content) {
    try {
      MimeMessage m = message(messageId, subject);
      MimeMultipart alternative = new MimeMultipart("alternative");
      MimeBodyPart htmlPart = new MimeBodyPart();
      htmlPart.setText(html, "us-ascii", "html");
      htmlPart.setHeader("Content-Transfer-Encoding", "quoted-printable");
      MimeBodyPart framed = new MimeBodyPart();
      framed.setDataHandler(new DataHandler(
          new ByteArrayDataSource(content, declaredType + "; name=" + name)));
      framed.setHeader("Content-Transfer-Encoding", "base64");
      framed.setContentID("<" + cid + ">");
      alternative.addBodyPart(htmlPart);
      alternative.addBodyPart(framed);
      m.setContent(alternative);
      return m;
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The message as written on the wire (CRLF line ends). */
  public static byte[] bytes(MimeMessage message) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      message.writeTo(out);
      return out.toByteArray();
    } catch (IOException | MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The message with Unix line ends, as mbox and Apple Mail keep it. */
  public static byte[] unixBytes(MimeMessage message) {
    return new String(bytes(message), StandardCharsets.ISO_8859_1).replace("\r\n", "\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  public static Path writeEml(Path file, MimeMessage message) {
    return write(file, bytes(message));
  }

  /** An mboxrd file: From_ line, body lines starting with (>*)From quoted, blank line. */
  public static Path writeMbox(Path file, MimeMessage... messages) {
    return write(file, mbox(messages));
  }

  public static byte[] mbox(MimeMessage... messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (MimeMessage message : messages) {
      out.writeBytes("From alice@lab.example.edu Wed Apr 17 09:30:00 2002\n"
          .getBytes(StandardCharsets.US_ASCII));
      String text = new String(unixBytes(message), StandardCharsets.ISO_8859_1);
      text = text.replaceAll("(?m)^(>*From )", ">$1");
      out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
      if (!text.endsWith("\n")) {
        out.write('\n');
      }
      out.write('\n');
    }
    return out.toByteArray();
  }

  /** A message file in {@code maildir/cur}, with {@code new} and {@code tmp} beside it. */
  public static Path writeMaildir(Path maildir, MimeMessage message) {
    try {
      Files.createDirectories(maildir.resolve("new"));
      Files.createDirectories(maildir.resolve("tmp"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return write(maildir.resolve("cur").resolve("1018946400.M1P1.lab:2,S"), bytes(message));
  }

  /** Apple Mail's framing: byte count line, message, property list. */
  public static Path writeEmlx(Path file, MimeMessage message) {
    byte[] body = unixBytes(message);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes((body.length + "\n").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(body);
    out.writeBytes(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n"
        + "<dict>\n\t<key>flags</key>\n\t<integer>8590195713</integer>\n</dict>\n</plist>\n")
        .getBytes(StandardCharsets.US_ASCII));
    return write(file, out.toByteArray());
  }

  /**
   * An Outlook Express 5/6 message database: signature header, then each message in chained
   * 0x210-byte blocks (16-byte header: own offset, 0x200, text length, next offset). Blocks of
   * the messages are interleaved so that chains must be followed, not read in file order.
   */
  public static Path writeDbx(Path file, MimeMessage... messages) {
    int blockBytes = 0x210;
    int dataBytes = 0x200;
    List<List<byte[]>> chunks = new ArrayList<>();
    for (MimeMessage message : messages) {
      byte[] text = bytes(message);
      List<byte[]> parts = new ArrayList<>();
      for (int at = 0; at < text.length; at += dataBytes) {
        parts.add(java.util.Arrays.copyOfRange(text, at, Math.min(text.length, at + dataBytes)));
      }
      chunks.add(parts);
    }
    // Round-robin placement: block k of every message before block k+1 of any.
    List<int[]> order = new ArrayList<>();
    int longest = chunks.stream().mapToInt(List::size).max().orElse(0);
    for (int k = 0; k < longest; k++) {
      for (int m = 0; m < chunks.size(); m++) {
        if (k < chunks.get(m).size()) {
          order.add(new int[] {m, k});
        }
      }
    }
    int header = DbxMessages.HEADER_BYTES;
    ByteBuffer out = ByteBuffer.allocate(header + order.size() * blockBytes)
        .order(ByteOrder.LITTLE_ENDIAN);
    out.put(new byte[] {(byte) 0xCF, (byte) 0xAD, 0x12, (byte) 0xFE,
        (byte) 0xC5, (byte) 0xFD, 0x74, 0x6F, 0x66, (byte) 0xE3, (byte) 0xD1, 0x11});
    for (int i = 0; i < order.size(); i++) {
      int[] mk = order.get(i);
      int offset = header + i * blockBytes;
      int next = 0;
      for (int j = 0; j < order.size(); j++) {
        if (order.get(j)[0] == mk[0] && order.get(j)[1] == mk[1] + 1) {
          next = header + j * blockBytes;
        }
      }
      byte[] data = chunks.get(mk[0]).get(mk[1]);
      out.position(offset);
      out.putInt(offset).putInt(dataBytes).putInt(data.length).putInt(next).put(data);
    }
    return write(file, out.array());
  }

  public static Path write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      return Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
