package io.labscan.agent.checks.mail;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads attachment names the way Windows would when the user double-clicks them.
 *
 * <p>Windows ignores trailing dots and spaces, so {@code readme.exe.} runs as an
 * {@code .exe}; names are compared ignoring case. A double extension is an executable
 * extension behind a document or media extension ({@code photo.jpg.exe},
 * {@code readme.txt    .pif}): Explorer hides the last extension, so the user sees a
 * harmless file. Only known document and media extensions count as the decoy, so that
 * {@code setup.v2.exe} is not called a double extension.
 */
final class AttachmentNames {
  /** Extensions the Klez family mails itself as (Explorer runs all of them). */
  static final Set<String> EXECUTABLE = Set.of("exe", "scr", "pif", "bat", "com");
  /** Extensions of the files Klez picks as decoys, and other common document types. */
  static final Set<String> DECOYS = Set.of(
      "txt", "doc", "docx", "rtf", "pdf", "htm", "html", "xls", "xlsx", "ppt", "pptx",
      "jpg", "jpeg", "gif", "png", "bmp", "tif", "tiff", "mp3", "wav", "mid", "midi", "mpg",
      "mpeg", "avi", "mov", "wmv", "zip", "rar", "eml");

  private AttachmentNames() {}

  /** The executable extension {@code name} ends in, lower-case, when it has one. */
  static Optional<String> executableExtension(String name) {
    String trimmed = trimTrailing(name);
    return extension(trimmed).filter(EXECUTABLE::contains);
  }

  /**
   * The document or media extension hiding an executable one ({@code jpg} for
   * {@code photo.jpg.exe}), when the name is such a double extension.
   */
  static Optional<String> decoyExtension(String name) {
    String trimmed = trimTrailing(name);
    if (extension(trimmed).filter(EXECUTABLE::contains).isEmpty()) {
      return Optional.empty();
    }
    String base = trimmed.substring(0, trimmed.lastIndexOf('.')).stripTrailing();
    return extension(base).filter(DECOYS::contains);
  }

  private static Optional<String> extension(String name) {
    int dot = name.lastIndexOf('.');
    if (dot <= 0 || dot == name.length() - 1) {
      return Optional.empty();
    }
    return Optional.of(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private static String trimTrailing(String name) {
    int end = name.length();
    while (end > 0) {
      char c = name.charAt(end - 1);
      if (c != '.' && c != '\u0000' && !Character.isWhitespace(c)) {
        break;
      }
      end--;
    }
    return name.substring(0, end);
  }
}
