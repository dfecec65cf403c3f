package io.labscan.agent.checks.egress.linux;

import com.sun.jna.NativeLong;
import io.labscan.agent.platform.linux.Libc;
import java.nio.ByteBuffer;

/**
 * The libc calls of {@link NetlinkSocketTable}, through the agent's one libc binding
 * ({@link Libc.Netlink}: JNA direct mapping, static native methods bound once, called without the
 * reflective proxy of an interface mapping, which looks up the method, converts every argument
 * and boxes the result on every call). Why: the sampler calls {@code send} and {@code recv} two or
 * three times per sample, four samples a second, and the proxy was ~12 % of a sample's CPU in the
 * detection benchmark's profile (docs/PERFORMANCE.md, section 2). Tests use other
 * {@link NetlinkSocketTable.LibC}s.
 */
final class DirectLibC implements NetlinkSocketTable.LibC {
  private DirectLibC() {}

  /**
   * Binds the methods to the C library.
   *
   * @throws LinkageError when JNA or a symbol is missing, or sizes are not 64-bit (the caller falls back)
   */
  static NetlinkSocketTable.LibC load() {
    if (!Libc.is64Bit()) {
      throw new UnsatisfiedLinkError("size_t is not 64-bit here");
    }
    Libc.Netlink.close(-1); // binds now, so that a missing library fails here and not mid-sample
    return new DirectLibC();
  }

  @Override
  public int socket(int domain, int type, int protocol) {
    return Libc.Netlink.socket(domain, type, protocol);
  }

  @Override
  public NativeLong send(int fd, byte[] buffer, NativeLong length, int flags) {
    return new NativeLong(Libc.Netlink.send(fd, buffer, length.longValue(), flags));
  }

  @Override
  public NativeLong recv(int fd, ByteBuffer buffer, NativeLong length, int flags) {
    return new NativeLong(Libc.Netlink.recv(fd, buffer, length.longValue(), flags));
  }

  @Override
  public int close(int fd) {
    return Libc.Netlink.close(fd);
  }

  @Override
  public int open(String path, int flags) {
    return Libc.Netlink.open(path, flags);
  }

  @Override
  public int setns(int fd, int nstype) {
    return Libc.Netlink.setns(fd, nstype);
  }
}
