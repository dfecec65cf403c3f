package io.labscan.agent.checks.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.ContentDisposition;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParseException;
import java.io.UnsupportedEncodingException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a part's declared type, file name and Content-ID.
 *
 * <p>Headers are parsed with Jakarta Mail first. Worms and spammers write malformed
 * parameters on purpose (an unbalanced quote, an unquoted space) because strict parsers then
 * see no name at all; when the strict parse fails, the one parameter wanted is read leniently
 * from that one header value, the way the mail clients that execute attachments do.
 */
final class PartNames {
  static final int MAX_NAME_CHARS = 255;
  private static final Pattern FILENAME = lenientParameter("filename");
  private static final Pattern NAME = lenientParameter("name");

  private PartNames() {}

  /** Declared base type, lower-case; {@code text/plain} when absent (RFC 2045 default). */
  static String contentType(MimePart part) {
    String raw;
    try {
      raw = part.getHeader("Content-Type", null);
    } catch (MessagingException e) {
      raw = null;
    }
    if (raw == null || raw.isBlank()) {
      return "text/plain";
    }
    try {
      return new ContentType(raw).getBaseType().toLowerCase(Locale.ROOT);
    } catch (ParseException | RuntimeException e) {
      int semicolon = raw.indexOf(';');
      String base = (semicolon < 0 ? raw : raw.substring(0, semicolon)).strip();
      return base.isEmpty() ? "text/plain" : base.toLowerCase(Locale.ROOT);
    }
  }

  /** The value of {@code parameter} of the Content-Type header, when present. */
  static Optional<String> contentTypeParameter(MimePart part, String parameter) {
    String raw = header(part, "Content-Type");
    if (raw == null) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(new ContentType(raw).getParameter(parameter));
    } catch (ParseException | RuntimeException e) {
      return lenient(lenientParameter(parameter), raw);
    }
  }

  /** The part's file name, from Content-Disposition or else Content-Type. */
  static Optional<String> fileName(MimePart part) {
    Optional<String> name = dispositionFileName(part);
    if (name.isEmpty()) {
      String raw = header(part, "Content-Type");
      if (raw != null) {
        try {
          name = Optional.ofNullable(new ContentType(raw).getParameter("name"));
        } catch (ParseException | RuntimeException e) {
          name = lenient(NAME, raw);
        }
      }
    }
    return name.map(PartNames::decode).map(String::strip).filter(n -> !n.isEmpty())
        .map(n -> n.length() > MAX_NAME_CHARS ? n.substring(0, MAX_NAME_CHARS) : n);
  }

  /** The Content-ID without surrounding whitespace and angle brackets. */
  static Optional<String> contentId(MimePart part) {
    String raw = header(part, "Content-ID");
    if (raw == null) {
      return Optional.empty();
    }
    String id = raw.strip();
    if (id.startsWith("<")) {
      id = id.substring(1);
    }
    if (id.endsWith(">")) {
      id = id.substring(0, id.length() - 1);
    }
    id = id.strip();
    return id.isEmpty() ? Optional.empty() : Optional.of(id);
  }

  private static Optional<String> dispositionFileName(MimePart part) {
    String raw = header(part, "Content-Disposition");
    if (raw == null) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(new ContentDisposition(raw).getParameter("filename"));
    } catch (ParseException | RuntimeException e) {
      return lenient(FILENAME, raw);
    }
  }

  private static @Nullable String header(MimePart part, String name) {
    try {
      String value = part.getHeader(name, null);
      return value == null ? null : MimeUtility.unfold(value);
    } catch (MessagingException e) {
      return null;
    }
  }

  private static Optional<String> lenient(Pattern parameter, String header) {
    Matcher m = parameter.matcher(header);
    if (!m.find()) {
      return Optional.empty();
    }
    String value = m.group(1) != null ? m.group(1) : m.group(2);
    return Optional.of(value.strip());
  }

  /** {@code ; name = "value"} or {@code ; name = value}, tolerating a missing close quote. */
  private static Pattern lenientParameter(String name) {
    return Pattern.compile("(?i)(?:^|;)\\s*" + Pattern.quote(name)
        + "\\s*=\\s*(?:\"([^\"]*)\"?|([^;]*))");
  }

  private static String decode(String name) {
    if (!name.contains("=?")) {
      return name;
    }
    try {
      return MimeUtility.decodeText(name);
    } catch (UnsupportedEncodingException | RuntimeException e) {
      return name;
    }
  }
}
