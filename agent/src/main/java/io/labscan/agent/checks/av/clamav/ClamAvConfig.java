package io.labscan.agent.checks.av.clamav;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The one setting the check needs from {@code freshclam.conf} / {@code clamd.conf}:
 * {@code DatabaseDirectory}. ClamAV's format is one {@code Option value} per line, '#'
 * comments, values optionally in double quotes; a repeated option takes the last value.
 */
public final class ClamAvConfig {
  static final String DATABASE_DIRECTORY = "DatabaseDirectory";
  private static final int MAX_VALUE_LENGTH = 4096;

  private ClamAvConfig() {}

  public static Optional<String> databaseDirectory(String configText) {
    requireNonNull(configText, "configText");
    String found = null;
    for (String raw : configText.split("\r?\n|\r")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int space = indexOfBlank(line);
      if (space < 0 || !line.substring(0, space).equalsIgnoreCase(DATABASE_DIRECTORY)) {
        continue;
      }
      String value = line.substring(space).strip();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1);
      }
      if (!value.isEmpty() && value.length() <= MAX_VALUE_LENGTH && value.indexOf('\0') < 0) {
        found = value;
      }
    }
    return Optional.ofNullable(found);
  }

  private static int indexOfBlank(String line) {
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == ' ' || line.charAt(i) == '\t') {
        return i;
      }
    }
    return -1;
  }
}
