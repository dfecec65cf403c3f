package io.labscan.agent.checks.egress.linux;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * uid → user name from a passwd file. Reloaded when the file changes; a uid it does not
 * list (a directory-service user, a deleted account) comes back as its number.
 */
public final class PasswdUserNames {
  private static final long MAX_BYTES = 4L * 1024 * 1024;

  private final Path file;
  private Map<Long, String> names = Map.of();
  private Optional<FileTime> loadedVersion = Optional.empty();

  public PasswdUserNames(Path file) {
    this.file = requireNonNull(file, "file");
  }

  public static PasswdUserNames system() {
    return new PasswdUserNames(Path.of("/etc/passwd"));
  }

  /** The user's name, or the uid in decimal when the file does not name it. */
  public synchronized String nameOf(long uid) {
    String name = names.get(uid);
    if (name == null && reloadIfChanged()) {
      name = names.get(uid);
    }
    return name != null ? name : Long.toString(uid);
  }

  /** Parses passwd text; malformed lines are ignored. Public for tests and fuzzing. */
  public static Map<Long, String> parse(String text) {
    Map<Long, String> out = new HashMap<>();
    for (String line : text.split("\n", -1)) {
      String[] f = line.split(":", 4);
      if (f.length < 4 || f[0].isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        long uid = Long.parseLong(f[2].trim());
        if (uid >= 0) {
          out.putIfAbsent(uid, f[0]); // the first entry wins, as in getpwuid()
        }
      } catch (NumberFormatException e) {
        // not a passwd line
      }
    }
    return out;
  }

  private boolean reloadIfChanged() {
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      if (loadedVersion.isPresent() && loadedVersion.get().equals(modified)) {
        return false;
      }
      loadedVersion = Optional.of(modified);
      if (Files.size(file) > MAX_BYTES) {
        names = Map.of();
        return false;
      }
      names = parse(Files.readString(file, StandardCharsets.UTF_8));
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
