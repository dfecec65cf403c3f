package io.labscan.agent.checks.egress.linux;

import io.labscan.agent.checks.egress.Endpoint;
import io.labscan.agent.checks.egress.TcpState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The sock_diag wire format ({@code linux/netlink.h}, {@code linux/inet_diag.h}): the dump
 * request for TCP sockets of one address family, and the reply messages read back into
 * {@link SocketRow}s. Kept apart from the socket calls so it can be tested on recorded bytes.
 * Netlink headers and most fields are in the host's byte order; ports and addresses are in
 * network order.
 */
final class InetDiagMessages {
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int SOCK_DIAG_BY_FAMILY = 20;
  /**
   * The older request type ({@code TCPDIAG_GETSOCK}, struct inet_diag_req): the kernel answers
   * it with {@code sdiag_family = AF_UNSPEC}, i.e. both families in one walk of its table.
   */
  static final int TCPDIAG_GETSOCK = 18;
  private static final int NLM_F_REQUEST = 0x1;
  private static final int NLM_F_DUMP = 0x300;
  private static final int IPPROTO_TCP = 6;
  static final int HEADER = 16;
  /** Offset of nlmsg_seq in the netlink header. */
  static final int SEQUENCE = 8;
  /** struct inet_diag_msg: family, state, timer, retrans, sockid (48), expires, rqueue, wqueue, uid, inode. */
  static final int DIAG_MSG = 72;
  private static final int REQUEST = HEADER + 56;
  /** Offset of idiag_cookie in struct inet_diag_msg (after family..retrans, ports, addresses, interface). */
  static final int COOKIE = 44;
  /** struct inet_diag_req (v1): family, src_len, dst_len, ext, sockid (48), states, dbs. */
  private static final int REQUEST_BOTH_FAMILIES = HEADER + 60;
  /** rtattr type of a filter program in a dump request. */
  private static final int INET_DIAG_REQ_BYTECODE = 1;
  private static final int BC_JMP = 1;
  private static final int BC_D_GE = 4;
  private static final int BC_D_LE = 5;
  /** Most remote ports the kernel filter tests; past it the kernel sends every row (still correct). */
  static final int MAX_FILTER_PORTS = 64;

  private InetDiagMessages() {}

  /**
   * A dump request for the TCP sockets of {@code family} in any of {@code states}; with
   * {@code remotePorts} not empty, a filter program makes the kernel send only the rows to
   * those ports (the walk of its table remains; copying every other socket does not).
   */
  static ByteBuffer dumpRequest(int family, Set<TcpState> states, Set<Integer> remotePorts, int sequence) {
    int mask = stateMask(states);
    byte[] filter = filterFor(remotePorts);
    int length = REQUEST + (filter.length == 0 ? 0 : 4 + filter.length);
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
    b.putInt(length).putShort((short) SOCK_DIAG_BY_FAMILY).putShort((short) (NLM_F_REQUEST | NLM_F_DUMP))
        .putInt(sequence).putInt(0);
    b.put((byte) family).put((byte) IPPROTO_TCP).put((byte) 0).put((byte) 0).putInt(mask);
    // struct inet_diag_sockid all zero: every socket; the cookie's "no cookie" value is ~0.
    b.position(b.position() + 40);
    b.putInt(-1).putInt(-1);
    if (filter.length > 0) {
      b.putShort((short) (4 + filter.length)).putShort((short) INET_DIAG_REQ_BYTECODE).put(filter);
    }
    return b.flip();
  }

  /**
   * One dump request for the TCP sockets of both address families in any of {@code states},
   * filtered like {@link #dumpRequest}. This is the compatibility form ({@code TCPDIAG_GETSOCK}):
   * the kernel walks its established-socket hash table once for both families instead of
   * once per family, which halves the fixed cost of a sample (the walk of empty buckets
   * dominates it). Replies carry the same {@code inet_diag_msg} with this request's type.
   */
  static ByteBuffer dumpRequestBothFamilies(Set<TcpState> states, Set<Integer> remotePorts, int sequence) {
    byte[] filter = filterFor(remotePorts);
    int length = REQUEST_BOTH_FAMILIES + (filter.length == 0 ? 0 : 4 + filter.length);
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
    b.putInt(length).putShort((short) TCPDIAG_GETSOCK).putShort((short) (NLM_F_REQUEST | NLM_F_DUMP))
        .putInt(sequence).putInt(0);
    // family (ignored by the kernel for this type), src_len, dst_len, ext; sockid all zero but
    // the cookie's "no cookie" value ~0.
    b.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    b.position(b.position() + 40);
    b.putInt(-1).putInt(-1);
    b.putInt(stateMask(states)).putInt(0);
    if (filter.length > 0) {
      b.putShort((short) (4 + filter.length)).putShort((short) INET_DIAG_REQ_BYTECODE).put(filter);
    }
    return b.flip();
  }

  private static int stateMask(Set<TcpState> states) {
    int mask = 0;
    for (TcpState s : states) {
      mask |= 1 << s.code();
    }
    return mask;
  }

  private static byte[] filterFor(Set<Integer> remotePorts) {
    return remotePorts.isEmpty() || remotePorts.size() > MAX_FILTER_PORTS ? new byte[0]
        : remotePortFilter(remotePorts);
  }

  /**
   * The inet_diag filter program "remote port is one of {@code ports}", laid out as
   * {@code ss} compiles {@code dport = :P1 or dport = :P2}. An op jumps {@code yes} bytes when
   * its test holds, else {@code no}; ending exactly at the program's end accepts the socket,
   * at end + 4 rejects it. Per port: D_GE and D_LE (each an op plus an argument op holding the
   * port); between ports a JMP, which always takes {@code no}: to the end, i.e. accept. A
   * failed test goes to the next port's block. The kernel checks that every jump target lies
   * on the chain of {@code yes} jumps from the start, which this layout keeps.
   */
  static byte[] remotePortFilter(Set<Integer> ports) {
    List<Integer> sorted = ports.stream().sorted().toList();
    int total = 20 * sorted.size() - 4;
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.nativeOrder());
    for (int i = 0; i < sorted.size(); i++) {
      int here = 20 * i;
      boolean last = i == sorted.size() - 1;
      int next = here + 20; // the next port's block
      int reject = total + 4;
      int port = sorted.get(i);
      op(b, BC_D_GE, 8, (last ? reject : next) - here);
      op(b, 0, 0, port);
      op(b, BC_D_LE, 8, (last ? reject : next) - (here + 8));
      op(b, 0, 0, port);
      if (!last) {
        op(b, BC_JMP, 4, total - (here + 16)); // matched: to the end
      }
    }
    return b.array();
  }

  private static void op(ByteBuffer b, int code, int yes, int no) {
    b.put((byte) code).put((byte) yes).putShort((short) no);
  }

  /** The kernel's error reply to a request: the request was refused, the socket is fine. */
  static final class ErrorReply extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    ErrorReply(int errno) {
      super("sock_diag refused the dump (errno " + errno + ")");
      this.errno = errno;
    }

    int errno() {
      return errno;
    }
  }

  /** What one received datagram held. */
  record Batch(boolean done, int skipped) {}

  /**
   * Reads the messages in {@code datagram} (host order) and adds the rows to watched remote
   * ports to {@code out}, up to {@code maxRows}.
   *
   * @throws IOException on an error reply (the kernel's errno) or a message that overruns the datagram
   */
  static Batch parse(ByteBuffer datagram, Set<Integer> remotePorts, int maxRows, List<SocketRow> out)
      throws IOException {
    return parse(datagram, remotePorts, maxRows, out, new SocketRowCache());
  }

  /**
   * As above, handing back the rows {@code cache} holds for sockets listed again unchanged
   * (same cookie, state, ports, uid, inode) instead of parsing them again, and remembering the
   * others there.
   */
  static Batch parse(ByteBuffer datagram, Set<Integer> remotePorts, int maxRows, List<SocketRow> out,
      SocketRowCache cache) throws IOException {
    ByteBuffer b = datagram.slice().order(ByteOrder.nativeOrder());
    int skipped = 0;
    while (b.remaining() >= HEADER) {
      int start = b.position();
      int length = b.getInt(start);
      int type = Short.toUnsignedInt(b.getShort(start + 4));
      if (length < HEADER || length > b.remaining()) {
        throw new IOException("sock_diag reply: message of " + length + " bytes in " + b.remaining() + " left");
      }
      if (type == NLMSG_DONE) {
        return new Batch(true, skipped);
      }
      if (type == NLMSG_ERROR) {
        int errno = length >= HEADER + 4 ? -b.getInt(start + HEADER) : 0;
        throw new ErrorReply(errno);
      }
      if ((type == SOCK_DIAG_BY_FAMILY || type == TCPDIAG_GETSOCK) && length >= HEADER + DIAG_MSG) {
        Optional<SocketRow> row = out.size() < maxRows ? row(b, start + HEADER, remotePorts, cache) : Optional.empty();
        if (row.isPresent() && out.size() < maxRows) {
          out.add(row.get());
        }
      } else {
        skipped++;
      }
      b.position(start + align(length));
    }
    return new Batch(false, skipped);
  }

  private static Optional<SocketRow> row(ByteBuffer b, int at, Set<Integer> remotePorts, SocketRowCache cache)
      throws IOException {
    int family = Byte.toUnsignedInt(b.get(at));
    Optional<TcpState> state = TcpState.fromCode(Byte.toUnsignedInt(b.get(at + 1)));
    int localPort = bigEndianPort(b, at + 4);
    int remotePort = bigEndianPort(b, at + 6);
    if (!remotePorts.contains(remotePort) || state.isEmpty()) {
      return Optional.empty();
    }
    int size = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
    if (size == 0) {
      return Optional.empty();
    }
    long uid = Integer.toUnsignedLong(b.getInt(at + 64));
    long inode = Integer.toUnsignedLong(b.getInt(at + 68));
    long cookie = cookie(b, at);
    Optional<SocketRow> before = cache.reuse(cookie, state.get(), localPort, remotePort, uid, inode);
    if (before.isPresent()) {
      return before;
    }
    SocketRow row = new SocketRow(new Endpoint(address(b, at + 8, size), localPort),
        new Endpoint(address(b, at + 24, size), remotePort), state.get(), uid, inode);
    cache.remember(cookie, row);
    return Optional.of(row);
  }

  /** idiag_cookie: two host-order 32-bit words at the end of the socket id, low word first. */
  private static long cookie(ByteBuffer b, int at) {
    return Integer.toUnsignedLong(b.getInt(at + COOKIE)) | ((long) b.getInt(at + COOKIE + 4) << 32);
  }

  private static InetAddress address(ByteBuffer b, int at, int size) throws IOException {
    byte[] raw = new byte[size];
    b.get(at, raw);
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new IOException("sock_diag reply: bad address", e); // cannot happen for 4 or 16 bytes
    }
  }

  private static int bigEndianPort(ByteBuffer b, int at) {
    return (Byte.toUnsignedInt(b.get(at)) << 8) | Byte.toUnsignedInt(b.get(at + 1));
  }

  static int align(int length) {
    return (length + 3) & ~3;
  }
}
