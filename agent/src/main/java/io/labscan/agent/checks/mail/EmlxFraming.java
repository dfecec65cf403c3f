package io.labscan.agent.checks.mail;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Apple Mail's {@code .emlx} framing: a first line with the message length in decimal, the
 * message itself, then an XML property list with Mail's flags (ignored here).
 */
final class EmlxFraming {
  private static final int MAX_LENGTH_LINE = 32;

  /** Where the message lies in the file. */
  record Range(long start, long end) {}

  private EmlxFraming() {}

  /**
   * The message range, or empty when the first line is not a byte count. A count larger than
   * what the file holds is cut at the end of the file (a partially synced message).
   */
  static Optional<Range> read(FileChannel channel) throws IOException {
    long size = channel.size();
    byte[] head = new byte[MAX_LENGTH_LINE];
    int n = StoreFiles.readAt(channel, 0, head);
    int newline = -1;
    for (int i = 0; i < n; i++) {
      if (head[i] == '\n') {
        newline = i;
        break;
      }
    }
    if (newline <= 0) {
      return Optional.empty();
    }
    String count = new String(head, 0, newline, StandardCharsets.US_ASCII).strip();
    if (count.isEmpty() || count.length() > 18 || !count.chars().allMatch(Character::isDigit)) {
      return Optional.empty();
    }
    long start = newline + 1L;
    long end = Math.min(size, start + Long.parseLong(count));
    return Optional.of(new Range(start, end));
  }
}
