package io.labscan.agent.checks.mail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Reads scanned files opened by the walk ({@link FileOpener}). */
final class StoreFiles {
  private StoreFiles() {}

  /** Reads up to {@code buffer.length} bytes at {@code position}; returns how many were read. */
  static int readAt(FileChannel channel, long position, byte[] buffer) throws IOException {
    ByteBuffer target = ByteBuffer.wrap(buffer);
    long at = position;
    while (target.hasRemaining()) {
      int n = channel.read(target, at);
      if (n < 0) {
        break;
      }
      at += n;
    }
    return target.position();
  }
}
