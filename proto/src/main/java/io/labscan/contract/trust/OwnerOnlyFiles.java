package io.labscan.contract.trust;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Writes files that hold private keys: readable by their owner only (mode 0600 on POSIX,
 * an owner-only ACL on Windows), written to a temporary file first and moved into place,
 * so a crash never leaves half a key and the key is never readable by others, even briefly.
 */
public final class OwnerOnlyFiles {
  private static final Set<PosixFilePermission> OWNER_RW =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final Set<PosixFilePermission> PUBLIC = EnumSet.of(PosixFilePermission.OWNER_READ,
      PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
  private static final Set<PosixFilePermission> OWNER_RWX = EnumSet.of(PosixFilePermission.OWNER_READ,
      PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

  private OwnerOnlyFiles() {}

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /** Creates the folder (and parents) if needed; a folder this call creates is owner-only. */
  public static void createDirectory(Path dir) throws IOException {
    requireNonNull(dir, "dir");
    if (Files.isDirectory(dir)) {
      return;
    }
    if (dir.toAbsolutePath().getParent() != null) {
      Files.createDirectories(dir.toAbsolutePath().getParent());
    }
    if (posix()) {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
    } else {
      Files.createDirectory(dir);
      restrictAcl(dir);
    }
  }

  /** Writes a secret (private key) readable by the owner only. */
  public static void writeSecret(Path file, String text) throws IOException {
    write(file, text, true);
  }

  /** Writes a public file (certificate) atomically. */
  public static void writePublic(Path file, String text) throws IOException {
    write(file, text, false);
  }

  private static void write(Path file, String text, boolean secret) throws IOException {
    requireNonNull(file, "file");
    requireNonNull(text, "text");
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp;
    if (secret && posix()) {
      FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(OWNER_RW);
      tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", mode);
    } else {
      tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      if (secret) {
        restrictAcl(tmp);
      }
    }
    try {
      if (!secret && posix()) {
        Files.setPosixFilePermissions(tmp, PUBLIC); // createTempFile makes 0600
      }
      // On disk before the rename: after a power cut the name holds the old bytes or the new, never none.
      try (FileChannel out = FileChannel.open(tmp,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        out.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        out.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Replaces inherited ACL entries with one granting the file's owner full control. */
  private static void restrictAcl(Path path) throws IOException {
    AclFileAttributeView acl = Files.getFileAttributeView(path, AclFileAttributeView.class);
    if (acl == null) {
      return; // neither POSIX nor ACL: nothing finer to set on this file system
    }
    UserPrincipal owner = Files.getOwner(path);
    acl.setAcl(List.of(AclEntry.newBuilder()
        .setType(AclEntryType.ALLOW)
        .setPrincipal(owner)
        .setPermissions(EnumSet.allOf(AclEntryPermission.class))
        .build()));
  }

  /** True when the file is readable by its owner only (always true where POSIX modes are absent). */
  public static boolean isOwnerOnly(Path file) throws IOException {
    if (!posix()) {
      return true;
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
    return OWNER_RW.containsAll(mode) || OWNER_RWX.containsAll(mode);
  }
}
