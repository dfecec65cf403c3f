package io.labscan.agent.checks.egress.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.labscan.agent.platform.linux.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code /dev/kmsg} through libc: every {@code read} returns exactly one record, and the
 * file must be positioned with {@code lseek(fd, 0, SEEK_END)} to skip the backlog, which
 * the JDK's file APIs cannot do. Non-blocking with {@code poll}, so {@link #next} honours its
 * timeout and the reader thread can stop. Root (or CAP_SYSLOG) is needed when
 * {@code kernel.dmesg_restrict} is 1.
 */
final class DevKmsg implements KernelLog {
  private static final int O_RDONLY = 0;
  private static final int O_NONBLOCK = 0x800; // 04000 on every mainstream Linux architecture
  private static final int SEEK_END = 2;
  private static final short POLLIN = 1;
  private static final int EAGAIN = 11;
  private static final int EINTR = 4;
  /** Records overwritten before we read them: the next read continues after the gap. */
  private static final int EPIPE = 32;
  private static final int RECORD_MAX = 16 * 1024;

  /** The calls used, as the agent's libc binding ({@link Libc.Kmsg}) offers them. */
  interface LibC {
    int open(String path, int flags) throws LastErrorException;

    NativeLong lseek(int fd, NativeLong offset, int whence) throws LastErrorException;

    NativeLong read(int fd, byte[] buffer, NativeLong count) throws LastErrorException;

    int poll(Pointer fds, NativeLong count, int timeoutMillis) throws LastErrorException;

    int close(int fd) throws LastErrorException;
  }

  private static volatile @Nullable LibC libc;

  private final int fd;
  private final byte[] buffer = new byte[RECORD_MAX];
  private final Memory pollFd = new Memory(8);
  private boolean closed;

  private DevKmsg(int fd) {
    this.fd = fd;
  }

  static DevKmsg openAtEnd() throws IOException {
    LibC c = libc();
    int fd;
    try {
      fd = c.open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
    } catch (LastErrorException e) {
      throw new IOException("cannot open /dev/kmsg: errno " + e.getErrorCode(), e);
    }
    try {
      c.lseek(fd, new NativeLong(0), SEEK_END);
    } catch (LastErrorException e) {
      c.close(fd);
      throw new IOException("cannot seek /dev/kmsg: errno " + e.getErrorCode(), e);
    }
    return new DevKmsg(fd);
  }

  private static LibC libc() throws IOException {
    LibC c = libc;
    if (c == null) {
      try {
        Libc.Kmsg.close(-1); // binds now: a missing library fails here
      } catch (LastErrorException expected) {
        // EBADF: bound
      } catch (LinkageError e) {
        throw new IOException("libc not loadable: " + e.getMessage(), e);
      }
      c = new LibC() {
        @Override
        public int open(String path, int flags) {
          return Libc.Kmsg.open(path, flags);
        }

        @Override
        public NativeLong lseek(int fd, NativeLong offset, int whence) {
          return new NativeLong(Libc.Kmsg.lseek(fd, offset.longValue(), whence));
        }

        @Override
        public NativeLong read(int fd, byte[] buffer, NativeLong count) {
          return new NativeLong(Libc.Kmsg.read(fd, buffer, count.longValue()));
        }

        @Override
        public int poll(Pointer fds, NativeLong count, int timeoutMillis) {
          return Libc.Kmsg.poll(fds, count.longValue(), timeoutMillis);
        }

        @Override
        public int close(int fd) {
          return Libc.Kmsg.close(fd);
        }
      };
      libc = c;
    }
    return c;
  }

  @Override
  public synchronized Optional<String> next(Duration timeout) throws IOException {
    if (closed) {
      throw new IOException("/dev/kmsg reader closed");
    }
    LibC c = libc();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        long n = c.read(fd, buffer, new NativeLong(buffer.length)).longValue();
        return Optional.of(new String(buffer, 0, (int) n, StandardCharsets.UTF_8));
      } catch (LastErrorException e) {
        if (e.getErrorCode() == EPIPE || e.getErrorCode() == EINTR) {
          continue;
        }
        if (e.getErrorCode() != EAGAIN) {
          throw new IOException("read /dev/kmsg: errno " + e.getErrorCode(), e);
        }
      }
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return Optional.empty();
      }
      pollFd.setInt(0, fd);
      pollFd.setShort(4, POLLIN);
      pollFd.setShort(6, (short) 0);
      try {
        if (c.poll(pollFd, new NativeLong(1), (int) Math.min(left, Integer.MAX_VALUE)) == 0) {
          return Optional.empty();
        }
      } catch (LastErrorException e) {
        if (e.getErrorCode() != EINTR) {
          throw new IOException("poll /dev/kmsg: errno " + e.getErrorCode(), e);
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      try {
        libc().close(fd);
      } catch (IOException | LastErrorException e) {
        // nothing left to release
      }
    }
  }
}
