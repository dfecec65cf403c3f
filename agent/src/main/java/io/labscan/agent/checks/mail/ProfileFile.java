package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * A regular file inside a user profile or a mail spool folder, as the profile walk hands it
 * out.
 *
 * @param file where to read it (already checked to lie inside the scanned root)
 * @param relativePath its path relative to the scanned root, written with {@code '/'}
 * @param size its size in bytes
 * @param mailFormat the mail store format, when the file is a mail store
 */
public record ProfileFile(
    Path file, String relativePath, long size, Optional<MailStoreFormat> mailFormat) {
  public ProfileFile {
    requireNonNull(file, "file");
    requireNonNull(relativePath, "relativePath");
    requireNonNull(mailFormat, "mailFormat");
    if (size < 0) {
      throw new IllegalArgumentException("size < 0");
    }
  }

  /** The file as a mail store, when it is one. */
  public Optional<MailStore> mailStore() {
    return mailFormat.map(format -> new MailStore(file, relativePath, format, size));
  }

  /**
   * Opens the file for reading, refusing links (see {@link StoreFiles}): the one way the
   * checks read scanned files.
   */
  public InputStream open() throws IOException {
    return Channels.newInputStream(StoreFiles.openRead(file));
  }

  /** The file name, lower-cased for matching (names are matched case-insensitively). */
  public String lowerCaseName() {
    Path name = file.getFileName();
    return name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
  }
}
