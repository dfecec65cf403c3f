package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * One mail store file found under the scanned root.
 *
 * @param file where to read it (already checked to lie inside the scanned root)
 * @param relativePath its path relative to the scanned root, written with {@code '/'}
 * @param format how messages are laid out in it
 * @param size its size in bytes when it was found
 */
public record MailStore(Path file, String relativePath, MailStoreFormat format, long size) {
  public MailStore {
    requireNonNull(file, "file");
    requireNonNull(relativePath, "relativePath");
    requireNonNull(format, "format");
    if (size < 0) {
      throw new IllegalArgumentException("size < 0");
    }
  }
}
