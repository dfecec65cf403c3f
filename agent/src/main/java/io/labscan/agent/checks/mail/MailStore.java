package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

/**
 * One mail store file found under the scanned root.
 *
 * @param opener how to read it (valid while the walk is in its folder)
 * @param relativePath its path relative to the scanned root, written with {@code '/'}
 * @param format how messages are laid out in it
 * @param size its size in bytes when it was found
 */
public record MailStore(FileOpener opener, String relativePath, MailStoreFormat format, long size) {
  public MailStore {
    requireNonNull(opener, "opener");
    requireNonNull(relativePath, "relativePath");
    requireNonNull(format, "format");
    if (size < 0) {
      throw new IllegalArgumentException("size < 0");
    }
  }
}
