package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import jakarta.mail.internet.SharedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * A window of a file that Jakarta Mail can share instead of copy.
 *
 * <p>A {@link jakarta.mail.internet.MimeMessage} built on a {@link SharedInputStream} keeps
 * only its headers in memory and reads bodies as sub-windows of the file, so a message with
 * a large attachment costs no more heap than a small one. Jakarta's own
 * {@code SharedFileInputStream} opens files through {@code RandomAccessFile}, which follows
 * symbolic links; this one reads a {@link FileChannel} the walk opened ({@link FileOpener}).
 *
 * <p>The stream returned by {@link #open(FileOpener)} owns the channel and closes it; windows made
 * by {@link #newStream(long, long)} share it and their {@code close()} does nothing. Not
 * thread-safe (each window has its own position and buffer).
 */
final class FileSharedStream extends InputStream implements SharedInputStream {
  private static final int BUFFER_BYTES = 8 * 1024;

  private final FileChannel channel;
  private final boolean owner;
  private final long start;
  private final long end;
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
  private long bufferStart;
  private long position;
  private long mark;

  private FileSharedStream(FileChannel channel, boolean owner, long start, long end) {
    this.channel = requireNonNull(channel, "channel");
    this.owner = owner;
    this.start = start;
    this.end = end;
    this.position = start;
    this.mark = start;
    this.bufferStart = start;
    buffer.limit(0);
  }

  /** Opens the whole of {@code file}; closing the result closes the file. */
  static FileSharedStream open(FileOpener file) throws IOException {
    FileChannel channel = file.open();
    try {
      return new FileSharedStream(channel, true, 0, channel.size());
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The channel underneath, for callers that read at positions themselves. */
  FileChannel channel() {
    return channel;
  }

  /** Length of this window in bytes. */
  long length() {
    return end - start;
  }

  @Override
  public int read() throws IOException {
    if (!fill()) {
      return -1;
    }
    int b = buffer.get(bufferIndex()) & 0xff;
    position++;
    return b;
  }

  @Override
  public int read(byte[] target, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, target.length);
    if (length == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int available = (int) (bufferStart + buffer.limit() - position);
    int n = Math.min(length, available);
    buffer.get(bufferIndex(), target, offset, n);
    position += n;
    return n;
  }

  @Override
  public long skip(long n) {
    if (n <= 0) {
      return 0;
    }
    long skipped = Math.min(n, end - position);
    position += skipped;
    return skipped;
  }

  @Override
  public int available() {
    return (int) Math.min(Integer.MAX_VALUE, end - position);
  }

  @Override
  public boolean markSupported() {
    return true;
  }

  @Override
  public synchronized void mark(int readLimit) {
    mark = position;
  }

  @Override
  public synchronized void reset() {
    position = mark;
  }

  @Override
  public long getPosition() {
    return position - start;
  }

  @Override
  public InputStream newStream(long from, long to) {
    if (from < 0) {
      throw new IllegalArgumentException("start < 0");
    }
    long absoluteStart = Math.min(start + from, end);
    long absoluteEnd = to == -1 ? end : Math.min(start + to, end);
    if (absoluteEnd < absoluteStart) {
      absoluteEnd = absoluteStart;
    }
    return new FileSharedStream(channel, false, absoluteStart, absoluteEnd);
  }

  @Override
  public void close() throws IOException {
    if (owner) {
      channel.close();
    }
  }

  private int bufferIndex() {
    return (int) (position - bufferStart);
  }

  /** Makes the byte at {@code position} available in the buffer; false at the window end. */
  private boolean fill() throws IOException {
    if (position >= end) {
      return false;
    }
    if (position >= bufferStart && position < bufferStart + buffer.limit()) {
      return true;
    }
    buffer.clear();
    buffer.limit((int) Math.min(BUFFER_BYTES, end - position));
    bufferStart = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, bufferStart + buffer.position());
      if (n < 0) {
        break;
      }
    }
    buffer.flip();
    return buffer.limit() > 0;
  }
}
