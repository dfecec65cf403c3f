package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Keeps a walk inside the scanned root.
 *
 * <p>On a mounted disk an absolute link such as {@code /home -> /data/home} points into the
 * agent's own machine, not the scanned one, so every link is resolved and anything that lands
 * outside the root is refused (and counted). Paths handed out are real paths, so the same
 * folder reached twice is recognised as such.
 */
final class RootGuard {
  private final Path root;

  private RootGuard(Path root) {
    this.root = root;
  }

  /** Guards {@code root}; fails when the root itself cannot be resolved. */
  static RootGuard of(Path root) throws IOException {
    return new RootGuard(requireNonNull(root, "root").toRealPath());
  }

  Path root() {
    return root;
  }

  /**
   * The real location of {@code path} when it lies inside the root, resolving links; empty
   * when it does not exist or when a link leads out of the root (counted).
   */
  Optional<Path> inside(Path path, ScanCounters counters) {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    Path real;
    try {
      real = path.toRealPath();
    } catch (IOException e) {
      // A dangling link, or a path we may not resolve.
      counters.skipped(Files.isSymbolicLink(path) ? SkipReasons.LINK_OUTSIDE_ROOT
          : SkipReasons.UNREADABLE, 1);
      return Optional.empty();
    }
    if (!real.startsWith(root)) {
      counters.skipped(SkipReasons.LINK_OUTSIDE_ROOT, 1);
      return Optional.empty();
    }
    return Optional.of(real);
  }

  /**
   * The entries of {@code dir} whose name equals {@code name} ignoring case: Windows and
   * macOS disks keep names case-insensitively, and a mounted copy may spell
   * {@code Documents and Settings} in any case.
   */
  static List<Path> childrenNamed(Path dir, String name) {
    List<Path> matches = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return matches;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        Path entryName = entry.getFileName();
        if (entryName != null && entryName.toString().equalsIgnoreCase(name)) {
          matches.add(entry);
        }
      }
    } catch (IOException e) {
      // Unreadable folders are counted by the walk that visits them; here it just has no match.
    }
    return matches;
  }

  /** {@code path} (a real path inside the root) relative to the root, written with '/'. */
  String relative(Path path) {
    StringJoiner joined = new StringJoiner("/");
    for (Path part : root.relativize(path)) {
      joined.add(part.toString());
    }
    return joined.toString();
  }
}
