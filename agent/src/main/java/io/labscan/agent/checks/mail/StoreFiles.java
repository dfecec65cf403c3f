package io.labscan.agent.checks.mail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opens scanned files the one way the mail and harvest checks may: read-only, no links. */
final class StoreFiles {
  private StoreFiles() {}

  /**
   * Opens {@code file} for reading. The walk hands out only paths it has checked; refusing
   * links here as well closes the gap between that check and the open.
   */
  static FileChannel openRead(Path file) throws IOException {
    return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
  }

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
