package io.labscan.agent.checks.av.clamav;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.av.AvText;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * The 512-byte header of a ClamAV {@code .cvd} or {@code .cld} database:
 * {@code ClamAV-VDB:<build time text>:<version>:<signatures>:<functionality level>:<md5>:
 * <digital signature>:<builder>:<build time, Unix seconds>}, space-padded to 512 bytes.
 * The text time writes '-' for ':' (e.g. {@code 07 Mar 2017 08-02 -0500}).
 *
 * @param buildTimeText the build time as written, for display
 * @param version database version (what freshclam compares)
 * @param signatures number of signatures
 * @param functionalityLevel minimum engine functionality level
 * @param builder who built it (e.g. "neo"); untrusted text, already cleaned
 * @param buildTime the Unix-seconds field, or the text time for headers without it
 */
public record CvdHeader(
    String buildTimeText, int version, long signatures, int functionalityLevel, String builder,
    Instant buildTime) {
  public static final int LENGTH = 512;
  static final String MAGIC = "ClamAV-VDB:";

  private static final DateTimeFormatter TEXT_TIME =
      DateTimeFormatter.ofPattern("d MMM uuuu HH-mm Z", Locale.ENGLISH);
  /** Largest accepted Unix time: year 9999. */
  private static final long MAX_UNIX_SECONDS = 253_402_300_799L;

  public CvdHeader {
    requireNonNull(buildTimeText, "buildTimeText");
    requireNonNull(builder, "builder");
    requireNonNull(buildTime, "buildTime");
  }

  /** Outcome of {@link #parse}: a header, or what is wrong with the bytes. */
  public sealed interface Result permits Parsed, Malformed {}

  public record Parsed(CvdHeader header) implements Result {
    public Parsed {
      requireNonNull(header, "header");
    }
  }

  /** @param problem plain words, e.g. "header truncated: 100 of 512 bytes" */
  public record Malformed(String problem) implements Result {
    public Malformed {
      requireNonNull(problem, "problem");
    }
  }

  /**
   * Parses the first 512 bytes of {@code bytes} (the caller reads no more than that).
   * Total: every input, including null, gives a result; nothing is thrown.
   */
  public static Result parse(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return new Malformed("empty file");
    }
    if (bytes.length < LENGTH) {
      return new Malformed("header truncated: " + bytes.length + " of " + LENGTH + " bytes");
    }
    int end = LENGTH;
    while (end > 0 && isPadding(bytes[end - 1])) {
      end--;
    }
    for (int i = 0; i < end; i++) {
      int b = bytes[i] & 0xFF;
      if (b < 0x20 || b > 0x7E) {
        return new Malformed(String.format(Locale.ROOT,
            "not a ClamAV database header (byte 0x%02x at offset %d)", b, i));
      }
    }
    String text = new String(bytes, 0, end, StandardCharsets.US_ASCII);
    if (!text.startsWith(MAGIC)) {
      return new Malformed("not a ClamAV database header (no " + MAGIC + " signature)");
    }
    String[] fields = text.substring(MAGIC.length()).split(":", -1);
    if (fields.length < 7) {
      return new Malformed("header has " + fields.length + " fields after " + MAGIC
          + ", expected at least 7");
    }
    Optional<Long> version = number(fields[1], 9);
    if (version.isEmpty()) {
      return new Malformed("version is not a number: " + AvText.quote(fields[1]));
    }
    Optional<Long> signatures = number(fields[2], 18);
    if (signatures.isEmpty()) {
      return new Malformed("signature count is not a number: " + AvText.quote(fields[2]));
    }
    Optional<Long> level = number(fields[3], 9);
    if (level.isEmpty()) {
      return new Malformed("functionality level is not a number: " + AvText.quote(fields[3]));
    }
    Optional<Instant> buildTime;
    if (fields.length >= 8 && !fields[7].isBlank()) {
      buildTime = number(fields[7], 12)
          .filter(s -> s <= MAX_UNIX_SECONDS)
          .map(Instant::ofEpochSecond);
      if (buildTime.isEmpty()) {
        return new Malformed("build time is not a Unix time: " + AvText.quote(fields[7]));
      }
    } else {
      buildTime = textTime(fields[0]);
      if (buildTime.isEmpty()) {
        return new Malformed("no Unix build time, and the text time "
            + AvText.quote(fields[0]) + " does not parse");
      }
    }
    return new Parsed(new CvdHeader(
        AvText.clean(fields[0], 40), version.get().intValue(), signatures.get(),
        level.get().intValue(), AvText.clean(fields[6], 40), buildTime.get()));
  }

  private static boolean isPadding(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == 0;
  }

  /** A non-negative decimal of at most {@code maxDigits} digits (surrounding blanks allowed). */
  private static Optional<Long> number(String field, int maxDigits) {
    String digits = field.strip();
    if (digits.isEmpty() || digits.length() > maxDigits) {
      return Optional.empty();
    }
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        return Optional.empty();
      }
    }
    return Optional.of(Long.parseLong(digits));
  }

  private static Optional<Instant> textTime(String text) {
    try {
      return Optional.of(ZonedDateTime.parse(text.strip(), TEXT_TIME).toInstant());
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }
}
