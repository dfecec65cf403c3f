package io.labscan.agent.checks.egress.linux;

import static java.util.Objects.requireNonNull;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.labscan.agent.checks.egress.TcpState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux sock_diag over a netlink socket (what {@code ss} uses): the kernel hands over binary
 * rows, already restricted to the outbound states and (by a filter program) to the watched
 * remote ports, instead of printing every socket as text. On a machine
 * with much memory this costs a fraction of reading {@code /proc/net/tcp}: the kernel skips
 * empty hash buckets cheaply here, and there is no text to format or parse (numbers in
 * docs/PERFORMANCE.md). Needs no rights for the agent's own network namespace; another
 * namespace ({@link #inNetworkNamespace}) needs CAP_SYS_ADMIN to enter it once.
 *
 * <p>Cost: one dump for both address families where the kernel accepts the compatibility
 * request ({@link InetDiagMessages#dumpRequestBothFamilies}), else one per family; the
 * netlink socket and the receive buffer are kept from one read to the next. A netlink
 * socket belongs to the namespace it was created in, whichever thread uses it later, so a
 * table of another namespace is just a socket opened there.
 *
 * <p>Not thread-safe: one sampler thread uses it. {@link #close()} releases the socket.
 */
public final class NetlinkSocketTable implements SocketTable {
  private static final Logger log = LoggerFactory.getLogger(NetlinkSocketTable.class);
  private static final int AF_NETLINK = 16;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_SOCK_DIAG = 4;
  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 0x80000;
  private static final int CLONE_NEWNET = 0x40000000;
  private static final int ENOENT = 2;
  private static final int EINVAL = 22;
  private static final int EOPNOTSUPP = 95;
  private static final int BUFFER = 64 * 1024;
  /** Bound on rows kept from one dump, so a flood cannot exhaust memory. */
  static final int MAX_ROWS_PER_FAMILY = 65_536;
  /** Bound on datagrams read for one dump (a table of a million sockets needs ~1,200). */
  private static final int MAX_DATAGRAMS = 20_000;
  private static final Set<TcpState> OUTBOUND = outboundStates();

  /** The few libc calls needed: {@link DirectLibC} in production, fakes in tests. */
  interface LibC {
    int socket(int domain, int type, int protocol);

    NativeLong send(int fd, byte[] buffer, NativeLong length, int flags);

    /** {@code buffer} is direct: JNA passes its address, with no copy in or out of the Java heap. */
    NativeLong recv(int fd, ByteBuffer buffer, NativeLong length, int flags);

    int close(int fd);

    int open(String path, int flags);

    int setns(int fd, int nstype);
  }

  /** Opens a sock_diag socket, in the caller's namespace or another one; returns the descriptor. */
  @FunctionalInterface
  interface SocketOpener {
    int open(LibC libc) throws IOException;
  }

  private final LibC libc;
  private final SocketOpener opener;
  private final String name;
  /**
   * Direct, so that {@code recv} writes into it in place: with a {@code byte[]}, JNA copies the
   * whole 64 KiB array to native memory and back on every call, whatever the datagram's size.
   */
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.nativeOrder());
  private final SocketRowCache rowCache = new SocketRowCache();
  /** Dump requests built before, by what they ask (the port filter is built once, not per sample). */
  private final Map<RequestKey, byte[]> requests = new HashMap<>();
  private int fd = -1;
  /**
   * The last few requests by the set objects they were built for (identity): only sets that
   * never change get here (the caller's immutable ones, or this table's own copies, which no
   * one else holds), and the memo keeps them reachable, so the same objects mean the same
   * request. The agent alternates between two or three requests (TIME_WAIT included or not).
   */
  private final List<Request> recentRequests = new ArrayList<>();

  private record Request(int family, Set<Integer> ports, Set<TcpState> states, byte[] bytes) {}

  private boolean bothFamiliesInOneDump = true;
  private int sequence;

  /** What a dump request asks: {@code family} 0 for both families in one dump. */
  private record RequestKey(int family, Set<Integer> ports, Set<TcpState> states) {}

  NetlinkSocketTable(LibC libc, SocketOpener opener, String name) {
    this.libc = requireNonNull(libc, "libc");
    this.opener = requireNonNull(opener, "opener");
    this.name = requireNonNull(name, "name");
  }

  /** The running kernel's table, when netlink sock_diag answers here (it may not in a sandbox). */
  public static Optional<NetlinkSocketTable> probe() {
    return probe(NetlinkSocketTable::openHere, "netlink-sock-diag");
  }

  /**
   * As {@link #probe()}, but always one dump per address family, as before the single dump
   * (benchmarks compare both).
   */
  public static Optional<NetlinkSocketTable> probeOneDumpPerFamily() {
    return probe(NetlinkSocketTable::openHere, "netlink-per-family").map(t -> {
      t.bothFamiliesInOneDump = false;
      return t;
    });
  }

  /**
   * The table of the network namespace {@code namespaceFile} names ({@code /proc/<pid>/ns/net},
   * {@code /var/run/netns/NAME}), when the agent may enter it (CAP_SYS_ADMIN) and sock_diag
   * answers there. Only a short-lived helper thread enters the namespace, to create the
   * socket; the caller's threads stay where they are.
   */
  public static Optional<NetlinkSocketTable> inNetworkNamespace(Path namespaceFile) {
    requireNonNull(namespaceFile, "namespaceFile");
    return probe(libc -> openIn(libc, namespaceFile), "netlink-sock-diag(" + namespaceFile + ")");
  }

  private static Optional<NetlinkSocketTable> probe(SocketOpener opener, String name) {
    NetlinkSocketTable table = null;
    try {
      table = new NetlinkSocketTable(libc(), opener, name);
      table.read(Set.of(25));
      return Optional.of(table);
    } catch (IOException | RuntimeException | LinkageError e) {
      log.debug("{} unavailable ({}); reading /proc/net/tcp instead.", name, e.toString());
      if (table != null) {
        table.close();
      }
      return Optional.empty();
    }
  }

  /**
   * The agent's libc binding ({@link io.labscan.agent.platform.linux.Libc}); a {@link LinkageError}
   * where it cannot bind (then /proc/net/tcp is read instead).
   */
  private static LibC libc() {
    return DirectLibC.load();
  }

  @Override
  public String name() {
    return name;
  }

  /** True when the kernel answers one dump for both families (else one per family). */
  boolean dumpsBothFamiliesAtOnce() {
    return bothFamiliesInOneDump;
  }

  @Override
  public Rows read(Set<Integer> remotePorts) throws IOException {
    return read(remotePorts, OUTBOUND);
  }

  /**
   * The state mask of the dump request is {@code states}: the kernel skips other sockets
   * before running the port filter or copying anything (the agent leaves out TIME_WAIT rows,
   * listed for a minute, from most samples).
   */
  @Override
  public Rows read(Set<Integer> remotePorts, Set<TcpState> states) throws IOException {
    // Immutable sets are used as they are: the sampler passes the same few on every sample, and
    // its requests are then found by identity (request()) without copying or hashing them.
    Set<Integer> ports = isImmutable(remotePorts) ? remotePorts : Set.copyOf(remotePorts);
    Set<TcpState> asked = states.isEmpty() ? Set.of() : isImmutable(states) ? states : EnumSet.copyOf(states);
    if (asked.isEmpty()) {
      return new Rows(List.of(), 0);
    }
    if (fd < 0) {
      fd = opener.open(libc);
    }
    try {
      List<SocketRow> rows = new ArrayList<>();
      if (bothFamiliesInOneDump) {
        try {
          long skipped = dump(request(0, ports, asked), ports, rows);
          rowCache.endRead(asked);
          return new Rows(rows, skipped);
        } catch (InetDiagMessages.ErrorReply e) {
          if (e.errno() != EINVAL && e.errno() != EOPNOTSUPP && e.errno() != ENOENT) {
            throw e;
          }
          // A kernel without the compatibility handler: the error reply ended that dump cleanly.
          log.debug("{}: one dump for both families refused (errno {}); one per family.", name, e.errno());
          bothFamiliesInOneDump = false;
          rows.clear();
        }
      }
      long skipped = 0;
      for (int family : new int[] {InetDiagMessages.AF_INET, InetDiagMessages.AF_INET6}) {
        skipped += dump(request(family, ports, asked), ports, rows);
      }
      rowCache.endRead(asked);
      return new Rows(rows, skipped);
    } catch (IOException | RuntimeException e) {
      // A dump left half-read would hand its rest to the next read: start over with a new socket.
      rowCache.clear();
      closeSocket();
      throw e;
    }
  }

  /**
   * Whether {@code set} can never change, so that seeing the same object again means the same
   * contents: the JDK's immutable sets ({@code Set.of}, {@code Set.copyOf}), which the sampler
   * passes. Any other set (an unmodifiable view may still change underneath) is copied on
   * every read.
   */
  private static boolean isImmutable(Set<?> set) {
    return set.getClass().getName().startsWith("java.util.ImmutableCollections$");
  }

  /** The dump request for {@code family} (0: both), built once per set of ports and states; the sequence number is the next one. */
  private byte[] request(int family, Set<Integer> ports, Set<TcpState> states) {
    byte[] bytes = null;
    for (Request r : recentRequests) {
      if (r.family() == family && r.ports() == ports && r.states() == states) {
        bytes = r.bytes(); // no key to build and hash
        break;
      }
    }
    if (bytes == null) {
      bytes = requestFor(family, ports, states);
      if (recentRequests.size() >= 4) {
        recentRequests.remove(0);
      }
      recentRequests.add(new Request(family, ports, states, bytes));
    }
    ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(InetDiagMessages.SEQUENCE, ++sequence);
    return bytes;
  }

  private byte[] requestFor(int family, Set<Integer> ports, Set<TcpState> states) {
    if (requests.size() > 16) {
      requests.clear(); // the agent asks a handful of different things; a bound all the same
    }
    return requests.computeIfAbsent(new RequestKey(family, ports, states), k -> {
      ByteBuffer b = k.family() == 0 ? InetDiagMessages.dumpRequestBothFamilies(k.states(), k.ports(), 0)
          : InetDiagMessages.dumpRequest(k.family(), k.states(), k.ports(), 0);
      byte[] built = new byte[b.remaining()];
      b.get(built);
      return built;
    });
  }

  private long dump(byte[] bytes, Set<Integer> ports, List<SocketRow> out) throws IOException {
    if (libc.send(fd, bytes, new NativeLong(bytes.length), 0).longValue() != bytes.length) {
      throw new IOException("netlink send failed (errno " + Native.getLastError() + ")");
    }
    long skipped = 0;
    NativeLong capacity = new NativeLong(buffer.capacity());
    for (int i = 0; i < MAX_DATAGRAMS; i++) {
      buffer.clear();
      long n = libc.recv(fd, buffer, capacity, 0).longValue();
      if (n <= 0) {
        throw new IOException("netlink recv failed (errno " + Native.getLastError() + ")");
      }
      buffer.limit((int) Math.min(n, buffer.capacity()));
      InetDiagMessages.Batch batch = InetDiagMessages.parse(buffer, ports, MAX_ROWS_PER_FAMILY, out, rowCache);
      skipped += batch.skipped();
      if (batch.done()) {
        return skipped;
      }
    }
    throw new IOException("sock_diag dump did not end within " + MAX_DATAGRAMS + " datagrams");
  }

  /** Rows handed back from earlier reads without parsing them again (benchmarks print it). */
  public long rowsReused() {
    return rowCache.reused();
  }

  @Override
  public void close() {
    rowCache.clear();
    closeSocket();
  }

  private void closeSocket() {
    if (fd >= 0) {
      libc.close(fd);
      fd = -1;
    }
  }

  private static int openHere(LibC libc) throws IOException {
    int fd = libc.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) {
      throw new IOException("cannot open a netlink sock_diag socket (errno " + Native.getLastError() + ")");
    }
    return fd;
  }

  /**
   * setns(2) moves only the calling thread: a helper thread enters the namespace, opens the
   * socket there and ends, so no thread of the agent is left in a foreign namespace.
   */
  private static int openIn(LibC libc, Path namespaceFile) throws IOException {
    AtomicReference<Object> result = new AtomicReference<>();
    Thread helper = new Thread(() -> {
      try {
        int ns = libc.open(namespaceFile.toString(), O_RDONLY | O_CLOEXEC);
        if (ns < 0) {
          throw new IOException("cannot open " + namespaceFile + " (errno " + Native.getLastError() + ")");
        }
        try {
          if (libc.setns(ns, CLONE_NEWNET) != 0) {
            throw new IOException("cannot enter " + namespaceFile + " (errno " + Native.getLastError() + ")");
          }
        } finally {
          libc.close(ns);
        }
        result.set(openHere(libc));
      } catch (IOException | RuntimeException | LinkageError e) {
        result.set(e);
      }
    }, "labscan-netns-open");
    helper.setDaemon(true);
    helper.start();
    // Waits for the helper even when interrupted (it only opens, enters and opens: quick), so a
    // socket it opened is never left without an owner; the interrupt is kept for the caller.
    boolean interrupted = false;
    while (true) {
      try {
        helper.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    Object r = result.get();
    if (interrupted) {
      Thread.currentThread().interrupt();
      if (r instanceof Integer fd) {
        libc.close(fd);
      }
      throw new IOException("interrupted while opening a socket in " + namespaceFile);
    }
    if (r instanceof Integer fd) {
      return fd;
    }
    if (r instanceof IOException e) {
      throw e;
    }
    throw new IOException("cannot open a socket in " + namespaceFile + ": " + r);
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
