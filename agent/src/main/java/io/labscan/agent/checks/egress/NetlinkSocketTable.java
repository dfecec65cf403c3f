package io.labscan.agent.checks.egress;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux sock_diag over a netlink socket (what {@code ss} uses): the kernel hands over binary
 * rows, already restricted to the outbound states and (by a filter program) to the watched
 * remote ports, instead of printing every socket as text. On a machine
 * with much memory this costs a fraction of reading {@code /proc/net/tcp}: the kernel skips
 * empty hash buckets cheaply here, and there is no text to format or parse (numbers in
 * docs/PERFORMANCE.md). Needs no rights. Only the agent's own network namespace.
 *
 * <p>Not thread-safe: one sampler thread uses it. Each read opens and closes its socket.
 */
public final class NetlinkSocketTable implements SocketTable {
  private static final Logger log = LoggerFactory.getLogger(NetlinkSocketTable.class);
  private static final int AF_NETLINK = 16;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_SOCK_DIAG = 4;
  private static final int BUFFER = 64 * 1024;
  /** Bound on rows kept from one family, so a flood cannot exhaust memory. */
  static final int MAX_ROWS_PER_FAMILY = 65_536;
  /** Bound on datagrams read for one dump (a table of a million sockets needs ~1,200). */
  private static final int MAX_DATAGRAMS = 20_000;
  private static final Set<TcpState> OUTBOUND = outboundStates();

  /** The few libc calls needed; JNA maps them at first use. */
  interface LibC extends Library {
    int socket(int domain, int type, int protocol);

    NativeLong send(int fd, byte[] buffer, NativeLong length, int flags);

    NativeLong recv(int fd, byte[] buffer, NativeLong length, int flags);

    int close(int fd);
  }

  private final LibC libc;
  private final byte[] buffer = new byte[BUFFER];
  private int sequence;

  NetlinkSocketTable(LibC libc) {
    this.libc = libc;
  }

  /** The running kernel's table, when netlink sock_diag answers here (it may not in a sandbox). */
  public static Optional<NetlinkSocketTable> probe() {
    try {
      NetlinkSocketTable table = new NetlinkSocketTable(Native.load("c", LibC.class));
      table.read(Set.of(25));
      return Optional.of(table);
    } catch (IOException | RuntimeException | LinkageError e) {
      log.debug("netlink sock_diag unavailable ({}); reading /proc/net/tcp instead.", e.toString());
      return Optional.empty();
    }
  }

  @Override
  public String name() {
    return "netlink-sock-diag";
  }

  @Override
  public Rows read(Set<Integer> remotePorts) throws IOException {
    Set<Integer> ports = Set.copyOf(remotePorts);
    List<SocketRow> rows = new ArrayList<>();
    long skipped = 0;
    for (int family : new int[] {InetDiagMessages.AF_INET, InetDiagMessages.AF_INET6}) {
      List<SocketRow> familyRows = new ArrayList<>();
      skipped += dump(family, ports, familyRows);
      rows.addAll(familyRows);
    }
    return new Rows(rows, skipped);
  }

  private long dump(int family, Set<Integer> ports, List<SocketRow> out) throws IOException {
    int fd = libc.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) {
      throw new IOException("cannot open a netlink sock_diag socket (errno " + Native.getLastError() + ")");
    }
    try {
      ByteBuffer request = InetDiagMessages.dumpRequest(family, OUTBOUND, ports, ++sequence);
      byte[] bytes = new byte[request.remaining()];
      request.get(bytes);
      if (libc.send(fd, bytes, new NativeLong(bytes.length), 0).longValue() != bytes.length) {
        throw new IOException("netlink send failed (errno " + Native.getLastError() + ")");
      }
      long skipped = 0;
      for (int i = 0; i < MAX_DATAGRAMS; i++) {
        long n = libc.recv(fd, buffer, new NativeLong(buffer.length), 0).longValue();
        if (n <= 0) {
          throw new IOException("netlink recv failed (errno " + Native.getLastError() + ")");
        }
        InetDiagMessages.Batch batch = InetDiagMessages.parse(ByteBuffer.wrap(buffer, 0, (int) n), ports,
            MAX_ROWS_PER_FAMILY, out);
        skipped += batch.skipped();
        if (batch.done()) {
          return skipped;
        }
      }
      throw new IOException("sock_diag dump did not end within " + MAX_DATAGRAMS + " datagrams");
    } finally {
      libc.close(fd);
    }
  }

  private static Set<TcpState> outboundStates() {
    Set<TcpState> states = EnumSet.noneOf(TcpState.class);
    for (TcpState s : TcpState.values()) {
      if (s.isOutbound()) {
        states.add(s);
      }
    }
    return states;
  }
}
