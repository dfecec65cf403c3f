package io.labscan.agent.checks.av;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;

/**
 * Reads scanned files without trusting them: regular files only, links never followed, and
 * never more than a fixed number of bytes in memory.
 */
public final class BoundedFiles {
  private BoundedFiles() {}

  /** Whether {@code path} is a regular file (a link to one does not count). */
  public static boolean isRegularFile(Path path) {
    return Files.isRegularFile(requireNonNull(path, "path"), LinkOption.NOFOLLOW_LINKS);
  }

  /** Up to the first {@code max} bytes of a regular file. */
  public static byte[] readPrefix(Path path, int max) throws IOException {
    requireNonNull(path, "path");
    try (InputStream in = open(path)) {
      return in.readNBytes(max);
    }
  }

  /** The whole file, or an IOException naming the limit when it holds more than {@code max}. */
  public static byte[] readAll(Path path, int max) throws IOException {
    requireNonNull(path, "path");
    try (InputStream in = open(path)) {
      byte[] bytes = in.readNBytes(max);
      if (in.read() != -1) {
        throw new IOException("larger than " + max + " bytes");
      }
      return bytes;
    }
  }

  public static Instant lastModified(Path path) throws IOException {
    return Files.getLastModifiedTime(requireNonNull(path, "path"), LinkOption.NOFOLLOW_LINKS)
        .toInstant();
  }

  private static InputStream open(Path path) throws IOException {
    BasicFileAttributes attributes =
        Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attributes.isRegularFile()) {
      throw new IOException("not a regular file");
    }
    return Channels.newInputStream(
        Files.newByteChannel(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
  }

  /** A short description of an I/O failure for a reason, e.g. "access denied". */
  public static String describe(IOException e) {
    requireNonNull(e, "e");
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "access denied";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "file vanished";
    }
    String message = e.getMessage();
    return message == null || message.isBlank()
        ? e.getClass().getSimpleName() : AvText.clean(message, 120);
  }
}
