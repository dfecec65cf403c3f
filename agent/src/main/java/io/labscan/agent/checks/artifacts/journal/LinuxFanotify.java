package io.labscan.agent.checks.artifacts.journal;

import com.sun.jna.Pointer;
import io.labscan.agent.platform.linux.Libc;
import org.jspecify.annotations.Nullable;

/**
 * The glibc calls of the fanotify journal, from the agent's one libc binding ({@link Libc.Fanotify},
 * JNA direct mapping). The first call fails with a {@link LinkageError} where a symbol is missing.
 */
final class LinuxFanotify {
  static final int FAN_CLOEXEC = 0x1;
  static final int FAN_NONBLOCK = 0x2;
  static final int FAN_CLASS_NOTIF = 0x0;
  static final int FAN_REPORT_FID = 0x200;
  static final int FAN_REPORT_DFID_NAME = 0x400 | 0x800;
  static final int FAN_MARK_ADD = 0x1;
  static final int FAN_MARK_FILESYSTEM = 0x100;
  static final int AT_FDCWD = -100;
  static final int AT_EMPTY_PATH = 0x1000;
  static final int O_RDONLY = 0;
  static final int O_CLOEXEC = 0x80000;
  static final int O_PATH = 0x200000;
  static final int O_NONBLOCK = 0x800;
  static final short POLLIN = 0x1;
  static final int STATX_TYPE = 0x1;
  static final int STATX_NLINK = 0x4;
  static final int STATX_INO = 0x100;
  /** stx_mnt_id (Linux 5.8+): which mount a path is on; a remount gets a new one. */
  static final int STATX_MNT_ID = 0x1000;
  static final int STATX_MASK_OFFSET = 0;
  static final int STATX_MNT_ID_OFFSET = 144;
  static final int STATX_SIZE_BYTES = 256;
  static final int STATFS_SIZE_BYTES = 120;
  /** {@code f_fsid} in {@code struct statfs}, after seven 8-byte words on 64-bit Linux. */
  static final int STATFS_FSID_OFFSET = 56;
  static final int EPERM = 1;
  static final int EINTR = 4;
  static final int EAGAIN = 11;
  static final int EINVAL = 22;
  static final int ENOSYS = 38;

  private LinuxFanotify() {}

  /** {@code O_DIRECTORY} of this CPU; -1 where unknown (the journal is then not used). */
  static int oDirectory() {
    return switch (Libc.arch()) {
      case "x86-64" -> 0x10000;
      case "aarch64" -> 0x4000;
      default -> -1;
    };
  }

  // The calls, bound once in the agent's libc binding (this class only names the journal's use).

  static int fanotify_init(int flags, int eventFlags) {
    return Libc.Fanotify.fanotify_init(flags, eventFlags);
  }

  static int fanotify_mark(int fd, int flags, long mask, int dirfd, @Nullable String path) {
    return Libc.Fanotify.fanotify_mark(fd, flags, mask, dirfd, path);
  }

  static int open(String path, int flags) {
    return Libc.Fanotify.open(path, flags);
  }

  static int fstatfs(int fd, Pointer buffer) {
    return Libc.Fanotify.fstatfs(fd, buffer);
  }

  static int open_by_handle_at(int mountFd, Pointer handle, int flags) {
    return Libc.Fanotify.open_by_handle_at(mountFd, handle, flags);
  }

  static int statx(int dirfd, String path, int flags, int mask, Pointer buffer) {
    return Libc.Fanotify.statx(dirfd, path, flags, mask, buffer);
  }

  static long read(int fd, Pointer buffer, long count) {
    return Libc.Fanotify.read(fd, buffer, count);
  }

  static long write(int fd, byte[] buffer, long count) {
    return Libc.Fanotify.write(fd, buffer, count);
  }

  static int poll(Pointer fds, long count, int timeoutMillis) {
    return Libc.Fanotify.poll(fds, count, timeoutMillis);
  }

  static int pipe2(int[] fds, int flags) {
    return Libc.Fanotify.pipe2(fds, flags);
  }

  static int close(int fd) {
    return Libc.Fanotify.close(fd);
  }
}
