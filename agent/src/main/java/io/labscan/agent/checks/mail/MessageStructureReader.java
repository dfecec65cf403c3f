package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import jakarta.activation.DataSource;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimePartDataSource;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.SharedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks a message's MIME tree with Jakarta Mail and keeps what the rules need: every part's
 * declared type, name and Content-ID, and the Content-IDs that HTML parts load into frames.
 * Multiparts and attached messages are followed down to {@link MailLimits#maxMimeDepth()};
 * at most {@link MailLimits#maxPartsPerMessage()} parts are examined. Attachment bodies are
 * never decoded; only HTML text is read.
 */
final class MessageStructureReader {
  private static final Logger log = LoggerFactory.getLogger(MessageStructureReader.class);
  static final int MAX_HEADER_CHARS = 998;
  private static final Set<String> IDENTITY_ENCODINGS = Set.of("7bit", "8bit", "binary");

  private final MailLimits limits;

  MessageStructureReader(MailLimits limits) {
    this.limits = requireNonNull(limits, "limits");
  }

  MessageStructure read(MimeMessage message) {
    requireNonNull(message, "message");
    Walk walk = new Walk();
    walk.part(message, 0);
    return new MessageStructure(messageId(message), date(message), subject(message),
        walk.parts, walk.iframeCids, walk.truncated);
  }

  private final class Walk {
    private final List<MimePartInfo> parts = new ArrayList<>();
    private final Set<String> iframeCids = new LinkedHashSet<>();
    private boolean truncated;

    void part(MimePart part, int depth) {
      if (parts.size() >= limits.maxPartsPerMessage()) {
        truncated = true;
        return;
      }
      String type = PartNames.contentType(part);
      parts.add(new MimePartInfo(parts.size(), type, PartNames.fileName(part),
          PartNames.contentId(part)));
      try {
        if (type.startsWith("multipart/")) {
          children(part, depth);
        } else if (type.equals("message/rfc822")) {
          attachedMessage(part, depth);
        } else if (type.equals("text/html")) {
          html(part);
        }
      } catch (MessagingException | IOException | RuntimeException e) {
        // A broken part ends the walk below that part only; what was seen still counts.
        log.debug("Stopped reading a {} part: {}", type, e.toString());
      }
    }

    private void children(MimePart part, int depth) throws MessagingException, IOException {
      if (depth >= limits.maxMimeDepth()) {
        truncated = true;
        return;
      }
      // Built from a data source, not getContent(): no dependency on mailcap handlers, and
      // the body parts stay windows of the store file.
      MimeMultipart multipart = new MimeMultipart(boundedSource(part));
      int count = multipart.getCount();
      for (int i = 0; i < count; i++) {
        BodyPart body = multipart.getBodyPart(i);
        if (body instanceof MimePart mimePart) {
          part(mimePart, depth + 1);
        }
      }
    }

    /**
     * The multipart's body, cut after the remaining part budget when it holds more parts
     * (see {@link MultipartWindow}). Bodies that are not shared windows (a multipart wrapped
     * in base64, which the RFCs forbid) are parsed whole: they are in memory already.
     */
    private DataSource boundedSource(MimePart part) throws MessagingException, IOException {
      DataSource whole = new MimePartDataSource(part);
      InputStream raw = rawBody(part);
      if (!(raw instanceof SharedInputStream shared) || !identityEncoding(part)) {
        return whole;
      }
      int budget = limits.maxPartsPerMessage() - parts.size();
      String boundary = PartNames.contentTypeParameter(part, "boundary").orElse(null);
      OptionalLong cut;
      try (InputStream body = shared.newStream(0, -1)) {
        cut = MultipartWindow.cutAfter(body, boundary, budget);
      }
      if (cut.isEmpty()) {
        return whole;
      }
      truncated = true;
      return MultipartWindow.window(shared, cut.getAsLong(), whole.getContentType());
    }

    private void attachedMessage(MimePart part, int depth)
        throws MessagingException, IOException {
      if (depth >= limits.maxMimeDepth()) {
        truncated = true;
        return;
      }
      try (InputStream in = decoded(part)) {
        part(new MimeMessage(MailSessions.offline(), in), depth + 1);
      }
    }

    private void html(MimePart part) throws MessagingException, IOException {
      try (Reader text = new InputStreamReader(decoded(part), charset(part))) {
        iframeCids.addAll(HtmlIframeCids.scan(text, limits.maxMessageBytes()));
      }
    }
  }

  /**
   * The part's body with its transfer encoding undone; the raw body when the encoding is
   * unknown (a worm's typo must not hide the body from the rules).
   */
  private static InputStream decoded(MimePart part) throws MessagingException, IOException {
    InputStream raw = rawBody(part);
    String encoding;
    try {
      encoding = part.getEncoding();
    } catch (MessagingException | RuntimeException e) {
      return raw;
    }
    if (encoding == null) {
      return raw;
    }
    try {
      return MimeUtility.decode(raw, encoding);
    } catch (MessagingException e) {
      return raw;
    }
  }

  /** The body as stored, transfer encoding not undone. */
  private static InputStream rawBody(MimePart part) throws MessagingException, IOException {
    if (part instanceof MimeBodyPart body) {
      return body.getRawInputStream();
    }
    if (part instanceof MimeMessage message) {
      return message.getRawInputStream();
    }
    return part.getInputStream();
  }

  private static boolean identityEncoding(MimePart part) {
    try {
      String encoding = part.getEncoding();
      return encoding == null || IDENTITY_ENCODINGS.contains(encoding.toLowerCase(Locale.ROOT));
    } catch (MessagingException | RuntimeException e) {
      return false;
    }
  }

  private static Charset charset(MimePart part) {
    Optional<String> declared = PartNames.contentTypeParameter(part, "charset");
    if (declared.isEmpty()) {
      return StandardCharsets.ISO_8859_1;
    }
    try {
      return Charset.forName(MimeUtility.javaCharset(declared.get().strip()));
    } catch (IllegalArgumentException e) {
      return StandardCharsets.ISO_8859_1;
    }
  }

  private static String messageId(MimeMessage message) {
    try {
      return cap(Optional.ofNullable(message.getHeader("Message-ID", null))
          .map(MimeUtility::unfold).map(String::strip).orElse(""));
    } catch (MessagingException | RuntimeException e) {
      return "";
    }
  }

  private static Optional<Instant> date(MimeMessage message) {
    try {
      return Optional.ofNullable(message.getSentDate()).map(Date::toInstant);
    } catch (MessagingException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String subject(MimeMessage message) {
    try {
      return cap(Optional.ofNullable(message.getSubject()).orElse(""));
    } catch (MessagingException | RuntimeException e) {
      return "";
    }
  }

  static String cap(String text) {
    return text.length() > MAX_HEADER_CHARS ? text.substring(0, MAX_HEADER_CHARS) : text;
  }
}
