package io.labscan.agent.checks.egress.linux;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.egress.TcpState;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rows of the last table reads by kernel socket cookie ({@code idiag_cookie}, unique per
 * socket until reboot). A socket listed again in the same state, with the same ports, owner
 * uid and inode, is handed back as the row parsed before: a map lookup instead of two
 * {@code InetAddress}es and three records. Why: a mass-mailer's sockets are listed sample after
 * sample (its TIME_WAITs for 60 s, 240 samples at the default period), and parsing them again
 * was the largest Java cost of a sample during a burst (docs/PERFORMANCE.md, section 2). A
 * socket's addresses never change while it is in the kernel's table, so the ports, state, uid
 * and inode are checked only against a kernel that reuses a cookie (none does).
 *
 * <p>Rows are held per state, each stamped with the last read that listed it. The end of a read
 * forgets only the rows of the states that read asked for and did not list again; rows of the
 * other states are not touched at all. Why: the agent leaves TIME_WAIT out of most reads, and a
 * burst leaves hundreds of TIME_WAIT rows for a minute; carrying them over from one read to the
 * next cost a map insertion per row on every sample (docs/PERFORMANCE.md, section 2).
 *
 * <p>Bounded: at most {@link #MAX_ROWS} rows, beyond which it starts empty again. Not
 * thread-safe: the table's one reader uses it.
 */
final class SocketRowCache {
  /** Beyond this the cache starts empty again (two reads' worth of the table's row bound). */
  static final int MAX_ROWS = 2 * NetlinkSocketTable.MAX_ROWS_PER_FAMILY;

  /** A row and the read that last listed it. */
  private static final class Held {
    final SocketRow row;
    long read;

    Held(SocketRow row, long read) {
      this.row = row;
      this.read = read;
    }
  }

  private final Map<TcpState, Map<Long, Held>> byState = new EnumMap<>(TcpState.class);
  /** The read under way (incremented when one ends). */
  private long read;
  private int size;
  private long reused;

  /** The row parsed before for this cookie, when it still describes the socket. */
  Optional<SocketRow> reuse(long cookie, TcpState state, int localPort, int remotePort, long uid, long inode) {
    Map<Long, Held> rows = byState.get(state);
    Held before = rows == null ? null : rows.get(cookie);
    if (before == null || before.row.local().port() != localPort || before.row.remote().port() != remotePort
        || before.row.uid() != uid || before.row.inode() != inode) {
      return Optional.empty();
    }
    before.read = read;
    reused++;
    return Optional.of(before.row);
  }

  /** Remembers a row parsed in the read under way. */
  void remember(long cookie, SocketRow row) {
    requireNonNull(row, "row");
    Held old = byState.computeIfAbsent(row.state(), s -> new HashMap<>()).put(cookie, new Held(row, read));
    if (old == null) {
      size++;
    }
  }

  /**
   * Ends a complete read that asked for {@code states}: a row of those states not listed again
   * is forgotten (its socket is gone or changed state); rows of other states are kept as they
   * are for a later read that asks for them.
   */
  void endRead(Set<TcpState> states) {
    for (TcpState state : states) {
      Map<Long, Held> rows = byState.get(state);
      if (rows != null) {
        int before = rows.size();
        rows.values().removeIf(h -> h.read != read);
        size -= before - rows.size();
      }
    }
    if (size > MAX_ROWS) {
      clear();
    }
    read++;
  }

  /** Forgets everything (a read that failed half-way). */
  void clear() {
    byState.clear();
    size = 0;
  }

  /** Rows held for the next read. */
  int size() {
    return size;
  }

  /** Rows handed back without parsing, since this cache was created. */
  long reused() {
    return reused;
  }
}
