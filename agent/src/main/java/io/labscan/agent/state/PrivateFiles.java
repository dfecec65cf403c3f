package io.labscan.agent.state;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what the agent writes under its state folder private to the agent's account, whatever
 * the umask it was started with.
 *
 * <p>The spool holds reports (paths, process names, findings), the worker's exchange folder
 * holds the policy with the fleet's harvest key, the hash cache lists every file of the disk:
 * none of it is for the machine's other users, and a user who could write any of it could
 * change what the agent reports. SQLite creates a database with mode {@code 0644 & ~umask}
 * and gives its {@code -wal} and {@code -shm} files the database's mode; the JDK creates
 * folders with {@code 0777 & ~umask}. So the agent creates each database file itself, mode
 * 0600, before SQLite opens it, creates its folders 0700, and tightens what an older version
 * (or a permissive umask) left behind: a file loses every group and other bit (0600), a folder
 * the agent's account owns loses group write and every other bit (0755 becomes 0750; the
 * packages' 0750 stays). A folder every user may write (a state folder put in {@code /tmp})
 * is left alone with a warning: it is not the agent's to change.
 *
 * <p>Where the file system has no POSIX modes (Windows), the installer's ACL on the state
 * folder ({@code C:\ProgramData\LabScan}: SYSTEM and Administrators only, inheritance on)
 * is what keeps the files private; these calls then only create what is missing.
 */
public final class PrivateFiles {
  private static final Logger log = LoggerFactory.getLogger(PrivateFiles.class);
  private static final Set<PosixFilePermission> FILE_ALLOWED =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final Set<PosixFilePermission> FOLDER_ALLOWED = EnumSet.of(
      PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.GROUP_EXECUTE);
  /** Files SQLite keeps beside a database. */
  private static final String[] SQLITE_SIDE_FILES = {"-wal", "-shm", "-journal"};

  private PrivateFiles() {}

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /**
   * Makes {@code dir} exist as a private folder: missing folders on the way are created 0700,
   * and {@code dir} itself loses group write and every other bit.
   */
  public static Path folder(Path dir) throws IOException {
    requireNonNull(dir, "dir");
    Path absolute = dir.toAbsolutePath();
    if (!Files.isDirectory(absolute)) {
      Path parent = absolute.getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        folder(parent);
      }
      try {
        if (posix()) {
          Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(
              EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                  PosixFilePermission.OWNER_EXECUTE)));
        } else {
          Files.createDirectory(absolute);
        }
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(absolute)) {
          throw e;
        }
      }
    }
    if (posix() && !Files.isSymbolicLink(absolute)) {
      Set<PosixFilePermission> mode =
          Files.getPosixFilePermissions(absolute, LinkOption.NOFOLLOW_LINKS);
      if (mode.contains(PosixFilePermission.OTHERS_WRITE)) {
        // A shared folder such as /tmp given as the state folder: never ours to change.
        log.warn("The agent's folder {} is writable by every user: keep the agent's state in "
            + "a folder of its own.", absolute);
      } else if (ownedByUs(absolute)) {
        tighten(absolute, FOLDER_ALLOWED);
      }
    }
    return dir;
  }

  private static boolean ownedByUs(Path path) throws IOException {
    UserPrincipal owner = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS);
    return owner.getName().equals(System.getProperty("user.name"));
  }

  /**
   * Makes the SQLite database {@code file} (and its {@code -wal}, {@code -shm} and
   * {@code -journal} files, when present) owner-only before SQLite opens it: a missing
   * database is created empty with mode 0600, which SQLite then uses for the files it adds.
   */
  public static void database(Path file) throws IOException {
    requireNonNull(file, "file");
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      folder(parent);
    }
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      try {
        if (posix()) {
          Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE_ALLOWED));
        } else {
          Files.createFile(file);
        }
      } catch (FileAlreadyExistsException e) {
        // created meanwhile by another process of the agent: tightened below
      }
    }
    file(file);
    for (String suffix : SQLITE_SIDE_FILES) {
      Path side = file.resolveSibling(file.getFileName() + suffix);
      if (Files.exists(side, LinkOption.NOFOLLOW_LINKS)) {
        file(side);
      }
    }
  }

  /** Takes every group and other bit off an existing regular file (0644 becomes 0600). */
  public static void file(Path file) throws IOException {
    tighten(requireNonNull(file, "file"), FILE_ALLOWED);
  }

  private static void tighten(Path path, Set<PosixFilePermission> allowed) throws IOException {
    if (!posix() || Files.isSymbolicLink(path)) {
      return; // a link is nobody's to chmod through; opening it fails elsewhere
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
    Set<PosixFilePermission> kept = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : mode) {
      if (allowed.contains(p)) {
        kept.add(p);
      }
    }
    if (!kept.equals(mode)) {
      Files.setPosixFilePermissions(path, kept);
    }
  }
}
