package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.Locale;
import java.util.Optional;

/**
 * A regular file inside a user profile or a mail spool folder, as the profile walk hands it
 * out. Valid only during {@link ProfileFileVisitor#visit}: it reads through the folder the
 * walk holds open.
 *
 * @param name its file name as listed
 * @param relativePath its path relative to the scanned root, written with {@code '/'}
 * @param size its size in bytes when listed
 * @param mailFormat the mail store format, when the file is a mail store
 * @param opener how to read it (and its siblings), following no link
 */
public record ProfileFile(String name, String relativePath, long size,
    Optional<MailStoreFormat> mailFormat, FileOpener opener) {
  public ProfileFile {
    requireNonNull(name, "name");
    requireNonNull(relativePath, "relativePath");
    requireNonNull(mailFormat, "mailFormat");
    requireNonNull(opener, "opener");
    if (size < 0) {
      throw new IllegalArgumentException("size < 0");
    }
  }

  /** The file as a mail store, when it is one. */
  public Optional<MailStore> mailStore() {
    return mailFormat.map(format -> new MailStore(opener, relativePath, format, size));
  }

  /** Opens the file for reading, following no link: the one way the checks read scanned files. */
  public InputStream open() throws IOException {
    return Channels.newInputStream(opener.open());
  }

  /** The file name, lower-cased for matching (names are matched case-insensitively). */
  public String lowerCaseName() {
    return name.toLowerCase(Locale.ROOT);
  }
}
