package io.labscan.controller.triage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, before any MIME parsing, whether the bytes are a mail message or a header block at
 * all, and says what they look like when they are not. Also drops what mailbox tools put in
 * front (leading blank lines, an mbox {@code From } separator).
 */
final class MailSniffer {
  /** Largest complaint read; a bounce with the worm's attachment is far smaller. */
  static final int MAX_INPUT = 32 * 1024 * 1024;
  private static final int MAX_HEADER_BYTES = 512 * 1024;
  private static final Set<String> MAIL_FIELDS = Set.of(
      "received", "from", "to", "cc", "subject", "date", "message-id", "return-path",
      "delivered-to", "mime-version", "content-type", "reply-to", "sender", "x-mailer",
      "in-reply-to", "references", "dkim-signature", "authentication-results", "received-spf",
      "arc-seal", "x-original-to", "x-received");

  /**
   * The message bytes (from the first header line on) and whether a body follows the headers.
   *
   * @param skipped empty, or what was skipped before the header block: a mail client's caption
   *     or "show original" preamble ({@link PastedHeaders}), said in words
   */
  record Sniffed(byte[] message, boolean hasBody, String skipped, String repaired) {
    Sniffed(byte[] message, boolean hasBody) {
      this(message, hasBody, "", "");
    }

    Sniffed(byte[] message, boolean hasBody, String skipped) {
      this(message, hasBody, skipped, "");
    }
  }

  /** What replaces a NUL byte of a header section (see {@link #check}). */
  static final byte NUL_REPLACEMENT = '?';
  /** The warning for a header section whose NUL bytes were replaced. */
  static final String NUL_REPLACED = "the header section contains NUL bytes (not valid mail; replaced by '"
      + (char) NUL_REPLACEMENT + "'";

  /** Most bytes searched for a header block below a preamble. */
  private static final int MAX_PREAMBLE_SEARCH = 4 * 1024 * 1024;

  private MailSniffer() {}

  static Sniffed check(byte[] input) throws NotAMailMessageException {
    return check(input, true);
  }

  private static Sniffed check(byte[] input, boolean mayHavePreamble) throws NotAMailMessageException {
    if (input.length == 0) {
      throw new NotAMailMessageException("empty input (0 bytes): not a mail message");
    }
    if (input.length > MAX_INPUT) {
      throw new NotAMailMessageException("input is " + input.length + " bytes, more than the "
          + (MAX_INPUT >> 20) + " MiB a complaint may be: not read");
    }
    int start = 0;
    while (start < input.length && isSpace(input[start])) {
      start++;
    }
    if (start == input.length) {
      throw new NotAMailMessageException("input holds only white space: not a mail message");
    }
    if (startsWith(input, start, "From ")) {
      // mbox separator line ("From MAILER-DAEMON Tue Jan 14 09:15:02 2003")
      int eol = indexOf(input, start, (byte) '\n');
      if (eol < 0) {
        throw new NotAMailMessageException("only an mbox \"From \" line, no header fields: not a mail message");
      }
      start = eol + 1;
    }
    int end = headerEnd(input, start);
    String header = new String(input, start, end - start, StandardCharsets.ISO_8859_1);
    // One pass over the (capped) header section: where the first NUL is, how many NULs and
    // control bytes there are.
    int nul = -1;
    int nuls = 0;
    int controls = 0;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c == '\0') {
        nul = nul < 0 ? i : nul;
        nuls++;
      }
      if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) {
        controls++;
      }
    }
    // Binary input (a JPEG, a zip, random bytes) has no header block, so it fails the field
    // checks below; these bytes only choose the message that says so. They do not refuse a
    // block that parses as header fields: a worm writes its own header bytes, and one NUL in its
    // HELO or Subject must not make its mail unreadable (issue 15, red-team round 4, F7).
    String binary = nul >= 0
        ? "binary data (a NUL byte at offset " + (start + nul) + "): not a mail message"
        : controls > 0 && controls * 100 >= header.length()
            ? "binary data (" + controls + " control bytes in the first lines): not a mail message"
            : null;
    char c0 = header.charAt(0);
    if (nul < 0 && (c0 == '{' || c0 == '[')) {
      throw new NotAMailMessageException("looks like JSON (starts with '" + c0 + "'): not a mail message");
    }
    if (nul < 0 && c0 == '<') {
      throw new NotAMailMessageException("looks like HTML or XML (starts with '<'): not a mail message");
    }
    Sniffed sniffed;
    try {
      sniffed = fields(input, start, end, header, mayHavePreamble && binary == null);
    } catch (NotAMailMessageException notFields) {
      throw binary != null ? new NotAMailMessageException(binary) : notFields;
    }
    if (nuls == 0 || !sniffed.skipped().isEmpty()) {
      return sniffed; // a block found below a preamble was checked (and repaired) on its own
    }
    // A header block with NUL bytes: not valid mail (RFC 5322 forbids NUL), but the bytes are
    // the sender's, so they are replaced in a copy, never a reason to refuse the message.
    // '?' rather than U+FFFD: the MIME parser reads header bytes as ISO-8859-1, where U+FFFD's
    // three UTF-8 bytes would print as three other characters.
    // The message is the input from the header block on: the input itself when that starts at
    // 0 (then copied here, the caller's bytes stay as they are), else a copy from start.
    byte[] repaired = sniffed.message() == input ? input.clone() : sniffed.message();
    for (int i = start; i < end; i++) {
      if (input[i] == 0) {
        repaired[i - start] = NUL_REPLACEMENT;
      }
    }
    return new Sniffed(repaired, sniffed.hasBody(), "", NUL_REPLACED + ": " + nuls + ")");
  }

  /**
   * The field checks: the first line is a header field, some field is a mail field, and few
   * lines are neither fields nor continuations.
   *
   * @param searchPreamble whether text above a header block may be skipped
   */
  private static Sniffed fields(byte[] input, int start, int end, String header, boolean searchPreamble)
      throws NotAMailMessageException {
    String[] lines = header.split("\r?\n", -1);
    int fields = 0;
    int bad = 0;
    int firstBad = -1;
    boolean mailField = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty()) {
        continue;
      }
      if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        if (i == 0) {
          bad++;
          firstBad = firstBad < 0 ? i : firstBad;
        }
        continue;
      }
      int colon = fieldNameEnd(line);
      if (colon < 0) {
        bad++;
        firstBad = firstBad < 0 ? i : firstBad;
        if (i == 0) {
          Optional<PastedHeaders.Found> below = searchPreamble
              ? PastedHeaders.find(new String(input, start, Math.min(input.length - start,
                  MAX_PREAMBLE_SEARCH), StandardCharsets.ISO_8859_1), PastedHeaders.Mode.PREAMBLE)
              : Optional.empty();
          if (below.isPresent()) {
            // A caption ("Microsoft Mail Internet Headers Version 2.0"), Gmail's "show original"
            // summary, or a person's own words above pasted headers: read the block below.
            Sniffed inner = check(below.get().message(), false);
            return new Sniffed(inner.message(), inner.hasBody(), "the header block pasted "
                + below.get().how() + " (the lines above it are not header fields)", inner.repaired());
          }
          throw new NotAMailMessageException("the first line is not a header field (\""
              + printable(line) + "\"): not a mail message");
        }
        continue;
      }
      fields++;
      mailField |= MAIL_FIELDS.contains(line.substring(0, colon).toLowerCase(Locale.ROOT));
    }
    if (!mailField) {
      throw new NotAMailMessageException("no mail header field (Received:, From:, Subject: …) among "
          + fields + " field(s): not a mail message");
    }
    if (bad > Math.max(2, fields / 10)) {
      throw new NotAMailMessageException("line " + (firstBad + 1) + " (\"" + printable(lines[firstBad])
          + "\") and " + (bad - 1) + " more are neither header fields nor continuations: not a mail"
          + " message");
    }
    boolean hasBody = false;
    for (int i = end; i < input.length; i++) {
      if (!isSpace(input[i])) {
        hasBody = true;
        break;
      }
    }
    byte[] message = start == 0 ? input : Arrays.copyOfRange(input, start, input.length);
    return new Sniffed(message, hasBody);
  }

  /** Index just past the header block: at the first empty line, or the end (capped). */
  private static int headerEnd(byte[] b, int start) {
    int limit = Math.min(b.length, start + MAX_HEADER_BYTES);
    int lineStart = start;
    for (int i = start; i < limit; i++) {
      if (b[i] == '\n') {
        int len = i - lineStart;
        if (len == 0 || (len == 1 && b[lineStart] == '\r')) {
          return lineStart;
        }
        lineStart = i + 1;
      }
    }
    return limit;
  }

  /** Position of the colon ending an RFC 5322 field name (printable ASCII but ':'), or -1. */
  private static int fieldNameEnd(String line) {
    int max = Math.min(line.length(), 128);
    for (int i = 0; i < max; i++) {
      char c = line.charAt(i);
      if (c == ':') {
        return i == 0 ? -1 : i;
      }
      if (c < 0x21 || c > 0x7e) {
        return -1;
      }
    }
    return -1;
  }

  private static String printable(String line) {
    String s = line.length() > 60 ? line.substring(0, 60) + "…" : line;
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return sb.toString();
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\r' || b == '\n';
  }

  private static boolean startsWith(byte[] b, int at, String prefix) {
    if (b.length - at < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (b[at + i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] b, int from, byte v) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == v) {
        return i;
      }
    }
    return -1;
  }
}
