package io.labscan.agent.checks.artifacts.journal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The mount points under a scan root, from {@code /proc/self/mountinfo}, so the journal can
 * mark every file system a scan walks into, not only the root's. Pseudo file systems (which
 * the scan skips, and which have no file handles) are left out.
 */
final class MountPoints {
  static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
  private static final int MAX_BYTES = 1 << 20;
  private static final int MAX_MOUNTS = 4_096;
  private static final Set<String> PSEUDO = Set.of("proc", "sysfs", "devtmpfs", "devfs", "devpts", "cgroup",
      "cgroup2", "debugfs", "securityfs", "tracefs", "configfs", "fusectl", "bpf", "pstore", "efivarfs", "autofs",
      "binfmt_misc", "hugetlbfs", "mqueue", "nsfs", "rpc_pipefs");

  private MountPoints() {}

  /** Mount points strictly under {@code roots} (absolute, normalized), read from this system. */
  static List<Path> under(List<Path> roots) {
    try (InputStream in = Files.newInputStream(MOUNTINFO)) {
      return under(roots, new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return List.of(); // no mountinfo: the roots' own file systems only
    }
  }

  /** As {@link #under(List)}, from mountinfo text. */
  static List<Path> under(List<Path> roots, String mountinfo) {
    requireNonNull(roots, "roots");
    Set<Path> out = new LinkedHashSet<>();
    for (String line : mountinfo.split("\n")) {
      String[] fields = line.split(" ");
      int dash = List.of(fields).indexOf("-");
      if (fields.length < 5 || dash < 0 || dash + 1 >= fields.length || PSEUDO.contains(fields[dash + 1])) {
        continue;
      }
      Path mountPoint;
      try {
        mountPoint = Path.of(unescape(fields[4])).normalize();
      } catch (RuntimeException e) {
        continue;
      }
      for (Path root : roots) {
        Path r = root.toAbsolutePath().normalize();
        if (mountPoint.startsWith(r) && !mountPoint.equals(r)) {
          out.add(mountPoint);
        }
      }
      if (out.size() >= MAX_MOUNTS) {
        break;
      }
    }
    return new ArrayList<>(out);
  }

  /** mountinfo writes space, tab, newline and backslash as a backslash and three octal digits. */
  static String unescape(String field) {
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && isOctal(field, i + 1) && isOctal(field, i + 2) && isOctal(field, i + 3)) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int at) {
    return at < s.length() && s.charAt(at) >= '0' && s.charAt(at) <= '7';
  }
}
