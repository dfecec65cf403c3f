package io.labscan.agent.checks.artifacts.walk;

import com.sun.jna.Pointer;
import io.labscan.agent.platform.linux.Libc;
import org.jspecify.annotations.Nullable;

/**
 * The few glibc calls of the Linux walker, from the agent's one libc binding
 * ({@link Libc.Walk}: JNA direct mapping, a JNI stub per method, far cheaper per call than JNA's
 * interface proxies, which matters at one {@code statx} per file). The first call fails with a
 * {@link LinkageError} where the library or a symbol is missing ({@code getdents64} needs glibc
 * 2.30, {@code statx} 2.28).
 *
 * <p>Flag values are per CPU: x86-64 and AArch64 are supported, other CPUs use the portable
 * walker (see {@link #flags()}).
 */
final class LinuxLibc {
  static final int AT_FDCWD = -100;
  static final int AT_SYMLINK_NOFOLLOW = 0x100;
  static final int AT_NO_AUTOMOUNT = 0x800;
  static final int AT_EMPTY_PATH = 0x1000;
  static final int STATX_TYPE = 0x1;
  static final int STATX_MODE = 0x2;
  static final int STATX_NLINK = 0x4;
  static final int STATX_MTIME = 0x40;
  static final int STATX_CTIME = 0x80;
  static final int STATX_INO = 0x100;
  static final int STATX_SIZE = 0x200;
  static final int EINTR = 4;

  private LinuxLibc() {}

  /** {@code open(2)} flags of this CPU. */
  record Flags(int directory, int noFollow, int cloexec, int noCtty, int nonBlock) {
    int openFolder() {
      return directory | noFollow | cloexec;
    }

    int openFile() {
      return noFollow | cloexec | noCtty | nonBlock; // O_RDONLY is 0
    }
  }

  /** The flags of this CPU, or null where the walker does not know them. */
  static @Nullable Flags flags() {
    return switch (Libc.arch()) {
      case "x86-64" -> new Flags(0x10000, 0x20000, 0x80000, 0x100, 0x800);
      case "aarch64" -> new Flags(0x4000, 0x8000, 0x80000, 0x100, 0x800);
      default -> null;
    };
  }

  // The calls, bound once in the agent's libc binding (this class only names the walker's use).

  static int openat(int dirfd, Pointer path, int flags) {
    return Libc.Walk.openat(dirfd, path, flags);
  }

  static long getdents64(int fd, Pointer buffer, long count) {
    return Libc.Walk.getdents64(fd, buffer, count);
  }

  static int statx(int dirfd, Pointer path, int flags, int mask, Pointer buffer) {
    return Libc.Walk.statx(dirfd, path, flags, mask, buffer);
  }

  static long read(int fd, Pointer buffer, long count) {
    return Libc.Walk.read(fd, buffer, count);
  }

  static int close(int fd) {
    return Libc.Walk.close(fd);
  }

  static int fstatfs(int fd, Pointer buffer) {
    return Libc.Walk.fstatfs(fd, buffer);
  }

  static int name_to_handle_at(int dirfd, Pointer path, Pointer handle, Pointer mountId, int flags) {
    return Libc.Walk.name_to_handle_at(dirfd, path, handle, mountId, flags);
  }
}
