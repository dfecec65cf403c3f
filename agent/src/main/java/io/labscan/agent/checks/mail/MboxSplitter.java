package io.labscan.agent.checks.mail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Finds the messages of an mbox file in one streaming pass, without holding any of it.
 *
 * <p>Framing per mboxo/mboxrd: every line that starts with {@code "From "} begins a message
 * (writers escape such lines inside bodies as {@code ">From "}, so an unescaped one is a
 * separator by definition). A message runs from the line after its {@code From } line up to
 * the next one, minus the blank line writers put between messages. Bytes before the first
 * {@code From } line are ignored. {@code >From} quoting is left in place: it only occurs in
 * body text, where no mail rule looks at line starts.
 */
final class MboxSplitter {
  private static final int CHUNK_BYTES = 64 * 1024;
  private static final byte[] FROM = {'F', 'r', 'o', 'm', ' '};

  /** Receives each message as soon as its end is known. */
  @FunctionalInterface
  interface MessageRange {
    /**
     * @param index 1-based position of the message in the file
     * @param start offset of its first header byte
     * @param end offset just past its last byte
     */
    void accept(int index, long start, long end) throws IOException;
  }

  private MboxSplitter() {}

  /** Splits the file read through {@code channel}; returns the number of bytes read. */
  static long split(FileChannel channel, MessageRange consumer)
      throws IOException, InterruptedException {
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
    long position = 0;
    long lineStart = 0;
    int fromMatched = 0; // bytes of "From " matched at the current line start; -1: no match
    boolean inFromLine = false;
    long previousLineStart = -1;
    boolean previousLineBlank = false;
    byte lastByte = 0;
    long messageStart = -1;
    int index = 0;
    while (true) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("mbox split interrupted");
      }
      chunk.clear();
      int n = channel.read(chunk, position);
      if (n < 0) {
        break;
      }
      for (int i = 0; i < n; i++) {
        byte b = chunk.get(i);
        long at = position + i;
        if (fromMatched >= 0 && fromMatched < FROM.length) {
          if (b == FROM[fromMatched]) {
            fromMatched++;
            if (fromMatched == FROM.length) {
              if (messageStart >= 0) {
                long end = previousLineBlank && previousLineStart >= messageStart
                    ? previousLineStart : lineStart;
                consumer.accept(index, messageStart, end);
              }
              inFromLine = true;
            }
          } else {
            fromMatched = -1;
          }
        }
        if (b == '\n') {
          if (inFromLine) {
            inFromLine = false;
            messageStart = at + 1;
            index++;
          }
          long length = at - lineStart;
          previousLineBlank = length == 0 || (length == 1 && lastByte == '\r');
          previousLineStart = lineStart;
          lineStart = at + 1;
          fromMatched = 0;
        }
        lastByte = b;
      }
      position += n;
    }
    if (messageStart >= 0 && !inFromLine) {
      long end = lineStart == position && previousLineBlank && previousLineStart >= messageStart
          ? previousLineStart : position;
      consumer.accept(index, messageStart, end);
    }
    return position;
  }
}
