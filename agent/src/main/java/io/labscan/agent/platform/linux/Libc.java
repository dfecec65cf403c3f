package io.labscan.agent.platform.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * The agent's one binding of the C library (glibc) on Linux: every libc function the agent calls,
 * bound by JNA direct mapping (a JNI stub per method, no reflective proxy per call — the egress
 * sampler and the tree walker call these thousands of times a second), from one
 * {@link NativeLibrary} instance.
 *
 * <p><b>Why groups.</b> Each nested class is bound when first used, and binding fails with a
 * {@link LinkageError} when one of its symbols is missing. Grouping by feature keeps that failure
 * local, as it was when each feature bound its own: an old glibc without {@code getdents64}
 * (2.30) costs the native walker only, not the netlink sampler or the kernel-log reader, and each
 * caller falls back as before. Sizes ({@code size_t}, {@code ssize_t}) are Java {@code long}s: the
 * callers use these on 64-bit Linux only ({@link #is64Bit()}).
 *
 * <p>Only Linux code calls this; the platform seam decides that ({@code PlatformServices}).
 */
public final class Libc {
  /** The C library's name on this system ("c" on Linux). */
  private static final NativeLibrary C = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);

  private Libc() {}

  /** Whether {@code size_t} is 64-bit, as the {@code long} sizes below assume. */
  public static boolean is64Bit() {
    return Native.LONG_SIZE == Long.BYTES;
  }

  /** The CPU as JNA names it ("x86-64", "aarch64"): flag values of open(2) differ per CPU. */
  public static String arch() {
    return Platform.ARCH;
  }

  /** Directory walking: the native tree walker. */
  public static final class Walk {
    static {
      Native.register(Walk.class, C);
    }

    private Walk() {}

    public static native int openat(int dirfd, Pointer path, int flags);

    public static native long getdents64(int fd, Pointer buffer, long count);

    public static native int statx(int dirfd, Pointer path, int flags, int mask, Pointer buffer);

    public static native long read(int fd, Pointer buffer, long count);

    public static native int close(int fd);

    public static native int fstatfs(int fd, Pointer buffer);

    public static native int name_to_handle_at(int dirfd, Pointer path, Pointer handle, Pointer mountId, int flags);
  }

  /** The fanotify change journal. */
  public static final class Fanotify {
    static {
      Native.register(Fanotify.class, C);
    }

    private Fanotify() {}

    public static native int fanotify_init(int flags, int eventFlags);

    public static native int fanotify_mark(int fd, int flags, long mask, int dirfd, @Nullable String path);

    public static native int open(String path, int flags);

    public static native int fstatfs(int fd, Pointer buffer);

    public static native int open_by_handle_at(int mountFd, Pointer handle, int flags);

    public static native int statx(int dirfd, String path, int flags, int mask, Pointer buffer);

    public static native long read(int fd, Pointer buffer, long count);

    public static native long write(int fd, byte[] buffer, long count);

    public static native int poll(Pointer fds, long count, int timeoutMillis);

    public static native int pipe2(int[] fds, int flags);

    public static native int close(int fd);
  }

  /** The netlink sock_diag socket table (egress sampling), including other network namespaces. */
  public static final class Netlink {
    static {
      Native.register(Netlink.class, C);
    }

    private Netlink() {}

    public static native int socket(int domain, int type, int protocol);

    public static native long send(int fd, byte[] buffer, long length, int flags);

    /** {@code buffer} is direct: JNA passes its address, with no copy in or out of the Java heap. */
    public static native long recv(int fd, ByteBuffer buffer, long length, int flags);

    public static native int close(int fd);

    public static native int open(String path, int flags);

    public static native int setns(int fd, int nstype);
  }

  /** The kernel log ({@code /dev/kmsg}, egress events): errors as {@link LastErrorException} with errno. */
  public static final class Kmsg {
    static {
      Native.register(Kmsg.class, C);
    }

    private Kmsg() {}

    public static native int open(String path, int flags) throws LastErrorException;

    public static native long lseek(int fd, long offset, int whence) throws LastErrorException;

    public static native long read(int fd, byte[] buffer, long count) throws LastErrorException;

    public static native int poll(Pointer fds, long count, int timeoutMillis) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;
  }

  /** System constants (the self-watch's clock tick rate). */
  public static final class Sys {
    static {
      Native.register(Sys.class, C);
    }

    private Sys() {}

    public static native long sysconf(int name);
  }
}
