package io.labscan.agent.checks.artifacts.journal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The glibc calls of the fanotify journal, by JNA direct mapping (as the Linux walker's).
 * Loading this class fails with a {@link LinkageError} where a symbol is missing.
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
    return switch (Platform.ARCH) {
      case "x86-64" -> 0x10000;
      case "aarch64" -> 0x4000;
      default -> -1;
    };
  }

  static {
    Native.register(NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
  }

  static native int fanotify_init(int flags, int eventFlags);

  static native int fanotify_mark(int fd, int flags, long mask, int dirfd, String path);

  static native int open(String path, int flags);

  static native int fstatfs(int fd, Pointer buffer);

  static native int open_by_handle_at(int mountFd, Pointer handle, int flags);

  static native int statx(int dirfd, String path, int flags, int mask, Pointer buffer);

  static native long read(int fd, Pointer buffer, long count);

  static native long write(int fd, byte[] buffer, long count);

  static native int poll(Pointer fds, long count, int timeoutMillis);

  static native int pipe2(int[] fds, int flags);

  static native int close(int fd);
}
