package io.labscan.agent.checks.mail;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a file is a mail store, and in which format.
 *
 * <p>Single-message and container files with a telling extension ({@code .eml},
 * {@code .emlx}, {@code .dbx}) count wherever they are in a profile. mbox files have no
 * telling name (Thunderbird's {@code Inbox}, a spool's {@code harold}), so inside mail folders
 * and spools a file is an mbox when it starts with {@code "From "}; otherwise a file directly
 * in a {@code cur}, {@code new} or {@code tmp} folder of a mail folder is a Maildir message.
 */
final class MailStoreClassifier {
  private static final byte[] FROM_LINE = "From ".getBytes(StandardCharsets.US_ASCII);
  private static final Set<String> MAILDIR_SUBFOLDERS = Set.of("cur", "new", "tmp");

  private MailStoreClassifier() {}

  /**
   * @param fileName the file's name
   * @param parentName the name of the folder it is in
   * @param file how to read its first bytes
   */
  static Optional<MailStoreFormat> classify(String fileName, String parentName,
      boolean inMailFolder, FileOpener file, ScanCounters counters) {
    String name = fileName.toLowerCase(Locale.ROOT);
    if (name.endsWith(".eml")) {
      return Optional.of(MailStoreFormat.EML);
    }
    if (name.endsWith(".emlx")) {
      return Optional.of(MailStoreFormat.EMLX);
    }
    if (name.endsWith(".dbx")) {
      return Optional.of(MailStoreFormat.DBX);
    }
    if (!inMailFolder) {
      return Optional.empty();
    }
    try {
      if (startsWithFromLine(file)) {
        return Optional.of(MailStoreFormat.MBOX);
      }
    } catch (IOException e) {
      counters.skipped(SkipReasons.UNREADABLE, 1);
      return Optional.empty();
    }
    if (MAILDIR_SUBFOLDERS.contains(parentName.toLowerCase(Locale.ROOT))) {
      return Optional.of(MailStoreFormat.MAILDIR);
    }
    return Optional.empty();
  }

  private static boolean startsWithFromLine(FileOpener file) throws IOException {
    try (FileChannel channel = file.open()) {
      byte[] head = new byte[FROM_LINE.length];
      int n = StoreFiles.readAt(channel, 0, head);
      return n == head.length && Arrays.equals(head, FROM_LINE);
    }
  }
}
