package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the database and its companion files owner-only, whatever the umask.
 *
 * <p>{@code labscan.db} holds the fleet key (harvest digests), web password hashes and session
 * hashes; its {@code -wal} file holds recent pages of the same. SQLite creates a missing database
 * with mode {@code 0644 & ~umask} — world-readable under the usual 022 — so the controller
 * creates the file itself first, mode 0600 (an empty file is an empty SQLite database), in a
 * folder it creates 0700. SQLite gives the {@code -wal}, {@code -shm} and {@code -journal}
 * files the database file's mode, and {@link #tighten} sets them (and an existing database
 * that grants group or other users any access, as older versions created it) to owner-only
 * after the open. A file this process may not chmod (another owner) is logged, not fatal.
 * On file systems without POSIX permissions (Windows) nothing is changed here: the folder's
 * ACL decides.
 */
final class DatabaseFiles {
  private static final Logger log = LoggerFactory.getLogger(DatabaseFiles.class);
  static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  static final Set<PosixFilePermission> OWNER_ONLY_FOLDER = EnumSet.of(PosixFilePermission.OWNER_READ,
      PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
  private static final List<String> COMPANIONS = List.of("-wal", "-shm", "-journal");

  private DatabaseFiles() {}

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /** Creates the database's folder (0700) and an empty database file (0600) when they are missing. */
  static void prepare(Path database) throws IOException {
    requireNonNull(database, "database");
    Path absolute = database.toAbsolutePath();
    Path folder = absolute.getParent();
    if (!posix()) {
      if (folder != null) {
        Files.createDirectories(folder);
      }
      return;
    }
    if (folder != null && !Files.isDirectory(folder)) {
      Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FOLDER));
      // createDirectories applies the umask; the folder this call made is set exactly.
      Files.setPosixFilePermissions(folder, OWNER_ONLY_FOLDER);
    }
    if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
      try {
        Files.createFile(absolute, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
        Files.setPosixFilePermissions(absolute, OWNER_ONLY_FILE);
      } catch (FileAlreadyExistsException raced) {
        // another process created it first: tighten() handles it after the open
      }
    }
  }

  /**
   * Takes every permission of group and other users away from the database file and its
   * {@code -wal}, {@code -shm}, {@code -journal} files (never adds one: a read-only database
   * stays read-only).
   */
  static void tighten(Path database) {
    requireNonNull(database, "database");
    if (!posix()) {
      return;
    }
    Path absolute = database.toAbsolutePath();
    tightenOne(absolute);
    for (String suffix : COMPANIONS) {
      tightenOne(absolute.resolveSibling(absolute.getFileName() + suffix));
    }
  }

  private static void tightenOne(Path file) {
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      Set<PosixFilePermission> now = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
      Set<PosixFilePermission> owner = EnumSet.noneOf(PosixFilePermission.class);
      for (PosixFilePermission p : now) {
        if (p == PosixFilePermission.OWNER_READ || p == PosixFilePermission.OWNER_WRITE
            || p == PosixFilePermission.OWNER_EXECUTE) {
          owner.add(p);
        }
      }
      if (!owner.equals(now)) {
        Files.setPosixFilePermissions(file, owner);
        log.info("{} was readable or writable by other users ({}); now owner-only ({}).", file,
            PosixFilePermissions.toString(now), PosixFilePermissions.toString(owner));
      }
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      log.warn("Cannot make {} owner-only: {}", file, e.getMessage());
    }
  }
}
