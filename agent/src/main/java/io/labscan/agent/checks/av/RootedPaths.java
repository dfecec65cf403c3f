package io.labscan.agent.checks.av;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Finds system paths such as {@code /var/lib/clamav} or {@code C:\Program Files\ClamAV} under
 * a scan root, the way the scanned system itself would see them, without ever leaving the
 * root.
 *
 * <ul>
 *   <li>Windows paths lose their drive letter: an offline scan mounts the system drive as
 *       the root. Other drives are not reachable (see docs/checks-av.md).
 *   <li>Each name is looked up exactly first, then case-insensitively, because a Windows or
 *       macOS disk mounted on Linux keeps its names' case but the system ignores it
 *       ({@code root/PROGRAM FILES/clamav/Database}). Among several case variants the
 *       alphabetically first wins, so results do not depend on directory order.
 *   <li>Symbolic links are resolved by hand as the scanned system would, with the root as
 *       {@code /}: an absolute target restarts at the root, {@code ..} stops at the root. So a
 *       link never leads out of the root, and the returned path contains no link.
 * </ul>
 */
public final class RootedPaths {
  /** Links followed per lookup before giving up (Linux's own limit is 40). */
  static final int MAX_LINK_HOPS = 40;
  /** Directory entries examined per case-insensitive lookup. */
  static final int MAX_LISTED_ENTRIES = 100_000;

  private final Path root;

  public RootedPaths(Path root) {
    this.root = requireNonNull(root, "root").toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /** An existing file or directory for a system path, or empty. */
  public Optional<Path> resolve(String systemPath) {
    requireNonNull(systemPath, "systemPath");
    return walk(root, components(systemPath));
  }

  /** An existing entry below an already resolved directory, e.g. {@code daily.cvd}. */
  public Optional<Path> child(Path directory, String relativePath) {
    requireNonNull(directory, "directory");
    requireNonNull(relativePath, "relativePath");
    Path start = directory.toAbsolutePath().normalize();
    if (!start.startsWith(root)) {
      return Optional.empty();
    }
    return walk(start, components(relativePath));
  }

  /**
   * How a resolved path appears on the scanned system: relative to the root, '/'-separated,
   * with a leading '/' (the convention of evidence paths).
   */
  public String display(Path path) {
    requireNonNull(path, "path");
    Path normalized = path.toAbsolutePath().normalize();
    if (!normalized.startsWith(root)) {
      return normalized.toString();
    }
    String relative = root.relativize(normalized).toString().replace('\\', '/');
    return "/" + relative;
  }

  private Optional<Path> walk(Path start, Deque<String> pending) {
    Path current = start;
    int hops = 0;
    try {
      while (!pending.isEmpty()) {
        String name = pending.pop();
        if (name.isEmpty() || name.equals(".")) {
          continue;
        }
        if (name.equals("..")) {
          Path parent = current.getParent(); // null only above the root, which the walk never leaves
          current = current.equals(root) || parent == null ? root : parent;
          continue;
        }
        Optional<Path> entry = lookup(current, name);
        if (entry.isEmpty()) {
          return Optional.empty();
        }
        Path next = entry.get();
        if (Files.isSymbolicLink(next)) {
          if (++hops > MAX_LINK_HOPS) {
            return Optional.empty();
          }
          String target = Files.readSymbolicLink(next).toString();
          Deque<String> targetNames = components(target);
          while (!targetNames.isEmpty()) {
            pending.push(targetNames.removeLast());
          }
          if (isAbsolute(target)) {
            current = root;
          }
          continue;
        }
        current = next;
      }
      return Optional.of(current);
    } catch (IOException | InvalidPathException | SecurityException e) {
      return Optional.empty();
    }
  }

  private static Optional<Path> lookup(Path directory, String name) throws IOException {
    if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    Path exact = directory.resolve(name);
    if (Files.exists(exact, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of(exact);
    }
    String best = null;
    int seen = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        if (++seen > MAX_LISTED_ENTRIES) {
          break;
        }
        Path fileName = entry.getFileName();
        String candidate = fileName == null ? "" : fileName.toString();
        if (candidate.equalsIgnoreCase(name) && (best == null || candidate.compareTo(best) < 0)) {
          best = candidate;
        }
      }
    }
    return Optional.ofNullable(best).map(directory::resolve);
  }

  /** Path names of a POSIX or Windows path, drive letter and separators removed. */
  static Deque<String> components(String path) {
    String p = path;
    if (p.startsWith("\\\\?\\") || p.startsWith("\\??\\")) {
      p = p.substring(4);
    }
    if (p.length() >= 2 && Character.isLetter(p.charAt(0)) && p.charAt(1) == ':') {
      p = p.substring(2);
    }
    Deque<String> names = new ArrayDeque<>();
    for (String name : p.split("[/\\\\]+")) {
      if (!name.isEmpty()) {
        names.addLast(name);
      }
    }
    return names;
  }

  private static boolean isAbsolute(String target) {
    return target.startsWith("/") || target.startsWith("\\")
        || (target.length() >= 2 && Character.isLetter(target.charAt(0))
            && target.charAt(1) == ':');
  }
}
