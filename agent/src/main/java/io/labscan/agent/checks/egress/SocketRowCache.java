package io.labscan.agent.checks.egress;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rows of the last table read by kernel socket cookie ({@code idiag_cookie}, unique per
 * socket until reboot). A socket listed again in the same state, with the same ports, owner
 * uid and inode, is handed back as the row parsed before: a map lookup instead of two
 * {@code InetAddress}es and three records. Why: a mass-mailer's sockets are listed sample after
 * sample (its TIME_WAITs for 60 s, 240 samples at the default period), and parsing them again
 * was the largest Java cost of a sample during a burst (docs/PERFORMANCE.md, section 2). A
 * socket's addresses never change while it is in the kernel's table, so the ports, state, uid
 * and inode are checked only against a kernel that reuses a cookie (none does).
 *
 * <p>Bounded: it holds the rows of the last read, plus those of the states that read did not
 * ask for (kept until a read asks for them again), at most {@link #MAX_ROWS}. Not
 * thread-safe: the table's one reader uses it.
 */
final class SocketRowCache {
  /** Beyond this the cache starts empty again (two reads' worth of the table's row bound). */
  static final int MAX_ROWS = 2 * NetlinkSocketTable.MAX_ROWS_PER_FAMILY;

  private Map<Long, SocketRow> previous = new HashMap<>();
  private Map<Long, SocketRow> current = new HashMap<>();
  private long reused;

  /** The row parsed before for this cookie, when it still describes the socket. */
  Optional<SocketRow> reuse(long cookie, TcpState state, int localPort, int remotePort, long uid, long inode) {
    SocketRow before = previous.get(cookie);
    if (before == null || before.state() != state || before.local().port() != localPort
        || before.remote().port() != remotePort || before.uid() != uid || before.inode() != inode) {
      return Optional.empty();
    }
    current.put(cookie, before);
    reused++;
    return Optional.of(before);
  }

  /** Remembers a row parsed in the read under way. */
  void remember(long cookie, SocketRow row) {
    current.put(cookie, requireNonNull(row, "row"));
  }

  /**
   * Ends a complete read that asked for {@code states}: a row of those states not listed again
   * is forgotten (its socket is gone or changed state); rows of other states are kept for a
   * later read that asks for them.
   */
  void endRead(Set<TcpState> states) {
    for (Map.Entry<Long, SocketRow> e : previous.entrySet()) {
      if (!states.contains(e.getValue().state())) {
        current.putIfAbsent(e.getKey(), e.getValue());
      }
    }
    Map<Long, SocketRow> spare = previous;
    spare.clear();
    previous = current.size() > MAX_ROWS ? new HashMap<>() : current;
    current = spare;
  }

  /** Forgets everything (a read that failed half-way). */
  void clear() {
    previous.clear();
    current.clear();
  }

  /** Rows held for the next read. */
  int size() {
    return previous.size();
  }

  /** Rows handed back without parsing, since this cache was created. */
  long reused() {
    return reused;
  }
}
