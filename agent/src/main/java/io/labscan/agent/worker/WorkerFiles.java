package io.labscan.agent.worker;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.state.PrivateFiles;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The files the daemon and its scan worker exchange, in {@code <state>/scan-worker/}: the
 * policy the daemon hands over and the report the worker hands back, both binary protobuf.
 * Written to a temporary name and renamed, so a reader never sees half a file; read with a
 * size limit, so a damaged or hostile file cannot exhaust the daemon's small heap.
 */
public final class WorkerFiles {
  static final String FOLDER = "scan-worker";
  static final String POLICY = "policy.pb";
  static final String REPORT = "report.pb";
  /** The change journal's snapshot the daemon hands over (see JournalHandoff). */
  static final String JOURNAL = "journal.bin";
  /** Written by the worker when its artifact walk completed under that snapshot. */
  static final String JOURNAL_DONE = "journal-done.bin";

  private WorkerFiles() {}

  /** The exchange folder under {@code stateDir}, created when missing. */
  static Path folder(Path stateDir) throws IOException {
    Path dir = requireNonNull(stateDir, "stateDir").resolve(FOLDER);
    PrivateFiles.folder(stateDir);
    PrivateFiles.folder(dir);
    return dir;
  }

  /** Writes {@code message} to {@code file} atomically (temporary file, then rename). */
  static void write(Path file, MessageLite message) throws IOException {
    requireNonNull(file, "file");
    requireNonNull(message, "message");
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        message.writeTo(out);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Writes {@code bytes} to {@code file} atomically (temporary file, then rename). */
  static void writeBytes(Path file, byte[] bytes) throws IOException {
    requireNonNull(file, "file");
    requireNonNull(bytes, "bytes");
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The bytes of a regular file of at most {@code maxBytes} (a link is refused). */
  static byte[] readBytes(Path file, long maxBytes) throws IOException {
    requireNonNull(file, "file");
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attributes.isRegularFile()) {
      throw new IOException(file + " is not a regular file");
    }
    if (attributes.size() > maxBytes) {
      throw new IOException(file + " holds " + attributes.size() + " bytes, more than the limit of " + maxBytes);
    }
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      if (bytes.length > maxBytes) {
        throw new IOException(file + " grew past the limit of " + maxBytes + " bytes");
      }
      return bytes;
    }
  }

  /**
   * Reads a message of at most {@code maxBytes} from a regular file (a symbolic link is
   * refused: the folder is the agent's own, nothing else belongs there).
   */
  static <T> T read(Path file, Parser<T> parser, long maxBytes) throws IOException {
    requireNonNull(file, "file");
    requireNonNull(parser, "parser");
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attributes.isRegularFile()) {
      throw new IOException(file + " is not a regular file");
    }
    if (attributes.size() > maxBytes) {
      throw new IOException(file + " holds " + attributes.size() + " bytes, more than the limit of " + maxBytes);
    }
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      CodedInputStream coded = CodedInputStream.newInstance(in);
      coded.setSizeLimit((int) Math.min(Integer.MAX_VALUE, maxBytes));
      return parser.parseFrom(coded);
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(file + " is not a valid message: " + e.getMessage(), e);
    }
  }
}
