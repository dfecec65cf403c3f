package io.labscan.controller.triage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A redirected message (RFC 5322 §3.6.6): Thunderbird's and Apple Mail's "Redirect", mutt's
 * bounce, Outlook's "Resend", {@code sendmail} re-injection. The message travels on unchanged,
 * with a block of {@code Resent-} fields ({@code Resent-From}, {@code Resent-To}, {@code
 * Resent-Date}, {@code Resent-Message-ID} …) put on top by the redirecting client, and the
 * {@code Received:} lines of the redirect's own trip written above that block.
 *
 * <p>So a header block with a Resent- block is a carrying message, like a forward: the fields
 * above the topmost {@code Resent-} field, with the Resent- block itself read as the redirect's
 * own originator fields ({@code Resent-From} as its {@code From} …), describe the redirect and
 * its redirector; the fields below the block, with the body, are the redirected message. Tracing
 * the whole block as one message walks the redirect's lines first and names the person who
 * redirected the complaint (issue 15, red-team round 3, F1). The carried message is read by the
 * complaint parser again, so a redirect of a redirect, of a forward or of a bounce unwraps the
 * same way, within the forward depth limit.
 *
 * <p>The split is at the topmost {@code Resent-} field whatever its position: only the lines
 * above it can have been written by MTAs after the redirect, and those are the lines that must
 * not be taken for the complaint's. Anyone may write a Resent- block (a worm mailing directly
 * included): {@link CarrierSender} decides on the redirect's block as on a forward's, so a
 * Resent- block never makes a sender's own lines recordable; at worst it makes the worm's own
 * answer unrecorded (the safe direction).
 *
 * <p>Stateless; one linear pass over the header section.
 */
final class ResentBlock {
  private static final String RESENT = "resent-";

  /**
   * @param carrier the redirect as a header block: the fields above the Resent- block, then the
   *     Resent- fields with their prefix removed ({@code Resent-From:} → {@code From:}); no body
   * @param carried the redirected message: the fields below the Resent- block and the body
   */
  record Split(byte[] carrier, byte[] carried) {
    Split {
      Objects.requireNonNull(carrier, "carrier");
      Objects.requireNonNull(carried, "carried");
    }
  }

  private ResentBlock() {}

  /**
   * The split of a message (from its first header line on) at its topmost Resent- field, if it
   * has one among the first {@link HeaderBlock#MAX_FIELDS} fields (the header fields read at
   * all). Two linear passes, no per-field state: a header of millions of tiny fields costs no
   * more memory than its copy.
   */
  static Optional<Split> split(byte[] message) {
    Objects.requireNonNull(message, "message");
    int top = -1;
    int fields = 0;
    int line = 0;
    while (line < message.length && top < 0 && fields < HeaderBlock.MAX_FIELDS) {
      int next = nextLine(message, line);
      if (empty(message, line, next)) {
        break;
      }
      if (!continuation(message, line)) {
        fields++;
        if (isResent(message, line)) {
          top = line;
        }
      }
      line = next;
    }
    if (top < 0) {
      return Optional.empty();
    }
    ByteArrayOutputStream carrier = new ByteArrayOutputStream();
    carrier.write(message, 0, top);
    int blockEnd = message.length;
    line = top;
    while (line < message.length) {
      int next = nextLine(message, line);
      if (empty(message, line, next)) {
        blockEnd = line;
        break;
      }
      if (continuation(message, line)) {
        writeLine(carrier, message, line, next);
      } else if (isResent(message, line)) {
        writeLine(carrier, message, line + RESENT.length(), next);
      } else {
        blockEnd = line;
        break;
      }
      line = next;
    }
    carrier.write('\r');
    carrier.write('\n');
    byte[] carried = java.util.Arrays.copyOfRange(message, blockEnd, message.length);
    return Optional.of(new Split(carrier.toByteArray(), carried));
  }

  private static int nextLine(byte[] message, int line) {
    int eol = indexOf(message, line, (byte) '\n');
    return eol < 0 ? message.length : eol + 1;
  }

  /** An empty line (only CR LF or LF): the end of the header section. */
  private static boolean empty(byte[] message, int line, int next) {
    int n = next - line;
    return n == 0 || (n == 1 && message[line] == '\n') || (n == 2 && message[line] == '\r' && message[line + 1] == '\n');
  }

  private static boolean continuation(byte[] message, int line) {
    return line > 0 && (message[line] == ' ' || message[line] == '\t');
  }

  private static void writeLine(ByteArrayOutputStream out, byte[] message, int from, int next) {
    out.write(message, from, next - from);
    if (next == message.length && message[next - 1] != '\n') {
      out.write('\r');
      out.write('\n');
    }
  }

  private static boolean isResent(byte[] message, int start) {
    if (message.length - start <= RESENT.length()) {
      return false;
    }
    String name = new String(message, start, RESENT.length(), StandardCharsets.ISO_8859_1);
    if (!name.toLowerCase(Locale.ROOT).equals(RESENT)) {
      return false;
    }
    // A field name: printable characters up to the colon (RFC 5322 ftext), no white space.
    for (int i = start + RESENT.length(); i < message.length; i++) {
      byte b = message[i];
      if (b == ':') {
        return i > start + RESENT.length();
      }
      if (b <= ' ' || b >= 127) {
        return false;
      }
    }
    return false;
  }

  private static int indexOf(byte[] b, int from, byte c) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }
}
