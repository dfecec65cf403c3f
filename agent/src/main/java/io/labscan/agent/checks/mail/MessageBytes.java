package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** The bytes a mail finding's size and SHA-256 describe. */
public interface MessageBytes {

  /** Length in bytes. */
  long size();

  /** A fresh stream over the bytes; the caller closes it. */
  InputStream open() throws IOException;

  /** {@code length} bytes of {@code file} from {@code offset}. */
  static MessageBytes ofFileRange(FileOpener file, long offset, long length) {
    requireNonNull(file, "file");
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("negative offset or length");
    }
    return new MessageBytes() {
      @Override
      public long size() {
        return length;
      }

      @Override
      public InputStream open() throws IOException {
        FileSharedStream whole = FileSharedStream.open(file);
        return new FilterInputStream(whole.newStream(offset, offset + length)) {
          @Override
          public void close() throws IOException {
            whole.close();
          }
        };
      }
    };
  }

  /** Bytes already in memory (a message put together from .dbx blocks). */
  static MessageBytes ofArray(byte[] bytes) {
    byte[] copy = requireNonNull(bytes, "bytes").clone();
    return new MessageBytes() {
      @Override
      public long size() {
        return copy.length;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(copy);
      }
    };
  }
}
