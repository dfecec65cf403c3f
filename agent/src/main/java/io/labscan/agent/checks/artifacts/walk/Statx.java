package io.labscan.agent.checks.artifacts.walk;

import com.sun.jna.Pointer;

/**
 * The fields of {@code struct statx} the walk uses. Unlike {@code struct stat}, its layout is
 * the same on every CPU: {@code stx_nlink} at 16, {@code stx_mode} at 28, {@code stx_ino} at 32, {@code stx_size} at
 * 40, {@code stx_ctime} at 96 and
 * {@code stx_mtime} at 112 (seconds, then nanoseconds), device major and minor at 136
 * and 140.
 */
final class Statx {
  static final int SIZE = 256;
  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFLNK = 0120000;

  private Statx() {}

  static EntryType type(Pointer statx) {
    return typeOfMode(statx.getShort(28) & 0xffff);
  }

  static EntryType typeOfMode(int mode) {
    return switch (mode & S_IFMT) {
      case S_IFREG -> EntryType.FILE;
      case S_IFDIR -> EntryType.DIRECTORY;
      case S_IFLNK -> EntryType.SYMLINK;
      default -> EntryType.SPECIAL;
    };
  }

  /**
   * Reads {@code struct statx}. Not thread-safe (one walk's buffer): it remembers the last
   * device's text, since a walk meets few devices and a file id is made per file.
   */
  static final class Reader {
    private long device = -1;
    private String devicePrefix = "";

    FileAttributes attributes(Pointer statx) {
      long links = statx.getInt(16) & 0xffffffffL;
      long inode = statx.getLong(32);
      long size = statx.getLong(40);
      long mtimeNanos = statx.getLong(112) * 1_000_000_000L + (statx.getInt(120) & 0xffffffffL);
      long ctimeNanos = statx.getLong(96) * 1_000_000_000L + (statx.getInt(104) & 0xffffffffL);
      long dev = device(statx.getInt(136) & 0xffffffffL, statx.getInt(140) & 0xffffffffL);
      if (dev != device) {
        device = dev;
        devicePrefix = "(dev=" + Long.toHexString(dev) + ",ino=";
      }
      return new FileAttributes(size, mtimeNanos, devicePrefix + Long.toUnsignedString(inode) + ")", links, ctimeNanos,
          inode);
    }
  }

  /** glibc's {@code makedev}: what {@code struct stat}'s {@code st_dev} holds. */
  static long device(long major, long minor) {
    return (major & 0xfffL) << 8 | (major & 0xfffff000L) << 32 | (minor & 0xffL) | (minor & 0xffffff00L) << 12;
  }

  /** The JDK's Unix file key text, so the portable and native walkers name a file alike. */
  static String fileId(long device, long inode) {
    return "(dev=" + Long.toHexString(device) + ",ino=" + Long.toUnsignedString(inode) + ")";
  }
}
