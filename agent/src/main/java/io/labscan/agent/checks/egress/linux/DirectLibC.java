package io.labscan.agent.checks.egress.linux;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.ByteBuffer;

/**
 * The libc calls of {@link NetlinkSocketTable} through JNA's direct mapping: static native
 * methods bound once, called without the reflective proxy of an interface mapping (which
 * looks up the method, converts every argument and boxes the result on every call). Why: the
 * sampler calls {@code send} and {@code recv} two or three times per sample, four samples a
 * second, and the proxy was ~12 % of a sample's CPU in the detection benchmark's profile
 * (docs/PERFORMANCE.md, section 2). Tests use other {@link NetlinkSocketTable.LibC}s.
 */
final class DirectLibC implements NetlinkSocketTable.LibC {
  /** The C functions, bound by name when this class is first used. */
  private static final class Calls {
    static {
      Native.register(Calls.class, "c");
    }

    static native int socket(int domain, int type, int protocol);

    // size_t and ssize_t as Java longs: 64-bit C longs only (checked in load()). JNA builds a
    // NativeLong result reflectively on every call; a long costs nothing.
    static native long send(int fd, byte[] buffer, long length, int flags);

    static native long recv(int fd, ByteBuffer buffer, long length, int flags);

    static native int close(int fd);

    static native int open(String path, int flags);

    static native int setns(int fd, int nstype);

    private Calls() {}
  }

  private DirectLibC() {}

  /**
   * Binds the methods to the C library.
   *
   * @throws LinkageError when JNA or a symbol is missing (the caller falls back)
   */
  static NetlinkSocketTable.LibC load() {
    if (Native.LONG_SIZE != Long.BYTES) {
      throw new UnsatisfiedLinkError("size_t is not 64-bit here: interface mapping instead");
    }
    Calls.close(-1); // binds now, so that a missing library fails here and not mid-sample
    return new DirectLibC();
  }

  @Override
  public int socket(int domain, int type, int protocol) {
    return Calls.socket(domain, type, protocol);
  }

  @Override
  public NativeLong send(int fd, byte[] buffer, NativeLong length, int flags) {
    return new NativeLong(Calls.send(fd, buffer, length.longValue(), flags));
  }

  @Override
  public NativeLong recv(int fd, ByteBuffer buffer, NativeLong length, int flags) {
    return new NativeLong(Calls.recv(fd, buffer, length.longValue(), flags));
  }

  @Override
  public int close(int fd) {
    return Calls.close(fd);
  }

  @Override
  public int open(String path, int flags) {
    return Calls.open(path, flags);
  }

  @Override
  public int setns(int fd, int nstype) {
    return Calls.setns(fd, nstype);
  }
}
