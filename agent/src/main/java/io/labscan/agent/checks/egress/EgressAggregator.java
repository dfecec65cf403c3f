package io.labscan.agent.checks.egress;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.SmtpEgressWindow;
import io.labscan.proto.v1.SocketStateCounts;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Folds socket samples and connection events into per-process windows.
 *
 * <p>The unit is the connection: its 4-tuple (local ip:port, remote ip:port). Within one
 * window each tuple is counted once however many samples saw it, and it belongs to the
 * best owner any observation named: a poll sample that resolved the pid upgrades an event
 * that only knew the uid, and a TIME_WAIT row (which has no owner) inherits the owner seen
 * earlier for the same tuple, also across a window boundary. State counts are per
 * connection and state: a connection seen ESTABLISHED then TIME_WAIT adds one to each.
 *
 * <p>A connection counted in one window whose TIME_WAIT lingers into later windows (Linux keeps
 * it 60 s) is not counted again there: the lingering row is the tail of a connection already
 * reported, not a new one, and counting it would report one session once per window.
 *
 * <p>Windows are aligned on the watcher's start ({@code origin}) so a diagnostic run of N
 * seconds with an N-second window yields exactly one window per process.
 *
 * <p>Not thread-safe; {@link EgressWatcher} serialises access.
 */
final class EgressAggregator {
  private static final Logger log = LoggerFactory.getLogger(EgressAggregator.class);
  /** Destinations listed per window (the most contacted first). */
  static final int MAX_DESTINATIONS = 100;
  /** Distinct connections kept per window; a flood past it is counted as dropped. */
  static final int MAX_CONNECTIONS_PER_WINDOW = 50_000;
  static final int MAX_REMEMBERED_OWNERS = 100_000;
  /** How long a tuple's owner is remembered: longer than Linux's 60 s TIME_WAIT. */
  static final Duration OWNER_MEMORY = Duration.ofSeconds(120);
  /**
   * A connection polled again unchanged only moves its last-seen time; its owner and counted
   * memories are refreshed at least this often, well within {@link #OWNER_MEMORY}.
   */
  static final Duration REFRESH = Duration.ofSeconds(10);

  static final String POLL = "poll";
  static final String EVENT = "event";

  private record Tuple(Endpoint local, Endpoint remote) {}

  private record Remembered(ProcessInfo owner, Instant seen) {}

  private record Counted(long window, Instant seen) {}

  /** A destination and the user whose attributed connection to it was seen last. */
  private record SenderKey(InetAddress ip, int port, String user) {}

  /** Most (destination, user) pairs whose last attributed sender is remembered. */
  static final int MAX_REMEMBERED_SENDERS = 4096;

  private static final class Connection {
    ProcessInfo owner;
    final EnumSet<TcpState.Category> states = EnumSet.noneOf(TcpState.Category.class);
    Instant first;
    Instant last;
    boolean byEvent;
    /** The owner as the last poll gave it (before merging), and when the memories were last refreshed. */
    @Nullable ProcessInfo lastPolledOwner;
    Instant refreshed;

    Connection(ProcessInfo owner, Instant seen) {
      this.owner = owner;
      this.first = seen;
      this.last = seen;
      this.refreshed = seen;
    }
  }

  private final EgressPolicy policy;
  private final Instant origin;
  private final long windowMillis;
  private final TreeMap<Long, Map<Tuple, Connection>> windows = new TreeMap<>();
  /** Last known owner per tuple, oldest update first. */
  private final LinkedHashMap<Tuple, Remembered> owners = new LinkedHashMap<>();
  /** The last window each tuple was counted in, oldest update first. */
  private final LinkedHashMap<Tuple, Counted> counted = new LinkedHashMap<>();
  /**
   * The last attributed process per destination and user, least recently updated first: what the
   * SMTP quarantine names for an attempt its firewall rule refused (the rule sees only the user).
   */
  private final LinkedHashMap<SenderKey, ProcessInfo> lastSenders = new LinkedHashMap<>();
  private long firstOpenWindow = Long.MIN_VALUE;
  private long dropped;

  EgressAggregator(EgressPolicy policy, Instant origin) {
    this.policy = requireNonNull(policy, "policy");
    this.origin = requireNonNull(origin, "origin");
    this.windowMillis = policy.window().toMillis();
  }

  /** Records one socket seen by a poll. Ignored unless the policy watches its destination. */
  void observe(ConnectionObservation observation, Instant seen) {
    record(observation.local(), observation.remote(), observation.state(), observation.owner(), seen, false);
  }

  /** Records one connection attempt reported by an event source. */
  void observe(EgressEvent event) {
    record(event.local(), event.remote(), TcpState.SYN_SENT, event.owner(), event.time(), true);
  }

  private void record(Endpoint local, Endpoint remote, TcpState state, ProcessInfo owner, Instant seen,
      boolean byEvent) {
    if (!state.isOutbound() || !policy.watches(remote)) {
      return;
    }
    Tuple tuple = new Tuple(local, remote);
    long index = Math.max(windowIndex(seen), firstOpenWindow);
    if (!byEvent && unchangedSincePoll(tuple, index, state, owner, seen)) {
      return;
    }
    Counted before = counted.get(tuple);
    if (state.category() == TcpState.Category.TIME_WAIT && before != null && before.window() < index) {
      return; // the tail of a connection an earlier window counted
    }
    Remembered known = owners.get(tuple);
    ProcessInfo best = known == null ? owner : owner.mergedWith(known.owner());
    Map<Tuple, Connection> window = windows.computeIfAbsent(index, i -> new LinkedHashMap<>());
    Connection c = window.get(tuple);
    if (c == null) {
      if (window.size() >= MAX_CONNECTIONS_PER_WINDOW) {
        dropped++;
        return;
      }
      c = new Connection(best, seen);
      window.put(tuple, c);
    } else {
      c.owner = c.owner.mergedWith(best);
      c.first = seen.isBefore(c.first) ? seen : c.first;
      c.last = seen.isAfter(c.last) ? seen : c.last;
    }
    c.states.add(state.category());
    c.byEvent |= byEvent;
    if (!byEvent) {
      c.lastPolledOwner = owner;
    }
    c.refreshed = seen;
    remember(counted, tuple, new Counted(index, seen));
    if (c.owner.isAttributed() || !c.owner.user().isEmpty()) {
      remember(owners, tuple, new Remembered(c.owner, seen));
    }
    if (c.owner.isAttributed() && !c.owner.user().isEmpty()) {
      SenderKey key = new SenderKey(remote.address(), remote.port(), c.owner.user());
      lastSenders.remove(key);
      lastSenders.put(key, c.owner);
      if (lastSenders.size() > MAX_REMEMBERED_SENDERS) {
        lastSenders.remove(lastSenders.keySet().iterator().next());
      }
    }
  }

  /**
   * The process last seen connecting to {@code remote} as {@code user}, when one was attributed:
   * the event source sees a connection's first packet before the quarantine's rule refuses it, so
   * a refused attempt's process is usually known here even though the socket is gone.
   */
  Optional<ProcessInfo> lastSender(Endpoint remote, String user) {
    requireNonNull(remote, "remote");
    requireNonNull(user, "user");
    return Optional.ofNullable(lastSenders.get(new SenderKey(remote.address(), remote.port(), user)));
  }

  /**
   * The fast path for the common case, a socket polled again as it was (every listed socket
   * is observed four times a second, a mass-mailer's hundreds included): same window, a state
   * category already counted, the same owner as the last poll gave. Only the last-seen time
   * moves; the full path (owner merge, memories) runs when anything differs, and at least
   * every {@link #REFRESH} so the memories of a long connection never expire while it lasts.
   */
  private boolean unchangedSincePoll(Tuple tuple, long index, TcpState state, ProcessInfo owner, Instant seen) {
    Map<Tuple, Connection> window = windows.get(index);
    Connection c = window == null ? null : window.get(tuple);
    if (c == null || c.lastPolledOwner == null || !c.states.contains(state.category())
        || !owner.equals(c.lastPolledOwner) || seen.isAfter(c.refreshed.plus(REFRESH))) {
      return false;
    }
    c.last = seen.isAfter(c.last) ? seen : c.last;
    return true;
  }

  /** Puts {@code value} last (the maps are ordered by last update) and drops the oldest beyond the bound. */
  private static <V> void remember(LinkedHashMap<Tuple, V> map, Tuple tuple, V value) {
    map.remove(tuple);
    map.put(tuple, value);
    if (map.size() > MAX_REMEMBERED_OWNERS) {
      Iterator<Tuple> oldest = map.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  /** Windows that ended at or before {@code now}, removed from the aggregator. */
  List<SmtpEgressWindow> drainCompleted(Instant now) {
    long current = windowIndex(now);
    List<SmtpEgressWindow> out = new ArrayList<>();
    Iterator<Map.Entry<Long, Map<Tuple, Connection>>> it = windows.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Map<Tuple, Connection>> e = it.next();
      if (e.getKey() >= current) {
        break;
      }
      out.addAll(build(e.getKey(), e.getValue(), Optional.empty()));
      it.remove();
    }
    firstOpenWindow = Math.max(firstOpenWindow, current);
    forgetOwnersBefore(now.minus(OWNER_MEMORY));
    logDropped();
    return out;
  }

  /** Every window, the open one ending at {@code now}; the aggregator is empty afterwards. */
  List<SmtpEgressWindow> drainAll(Instant now) {
    List<SmtpEgressWindow> out = new ArrayList<>();
    for (Map.Entry<Long, Map<Tuple, Connection>> e : windows.entrySet()) {
      out.addAll(build(e.getKey(), e.getValue(), Optional.of(now)));
    }
    windows.clear();
    firstOpenWindow = Math.max(firstOpenWindow, windowIndex(now) + 1);
    logDropped();
    return out;
  }

  /** What the open windows hold so far, without draining them. */
  List<SmtpEgressWindow> snapshot(Instant now) {
    List<SmtpEgressWindow> out = new ArrayList<>();
    for (Map.Entry<Long, Map<Tuple, Connection>> e : windows.entrySet()) {
      out.addAll(build(e.getKey(), e.getValue(), Optional.of(now)));
    }
    return out;
  }

  private long windowIndex(Instant t) {
    return Math.floorDiv(t.toEpochMilli() - origin.toEpochMilli(), windowMillis);
  }

  private List<SmtpEgressWindow> build(long index, Map<Tuple, Connection> connections, Optional<Instant> cutOff) {
    long start = origin.toEpochMilli() + index * windowMillis;
    long end = start + windowMillis;
    if (cutOff.isPresent() && cutOff.get().toEpochMilli() < end) {
      end = Math.max(start, cutOff.get().toEpochMilli());
    }
    Map<ProcessInfo, List<Map.Entry<Tuple, Connection>>> byOwner = new LinkedHashMap<>();
    for (Map.Entry<Tuple, Connection> e : connections.entrySet()) {
      byOwner.computeIfAbsent(e.getValue().owner, o -> new ArrayList<>()).add(e);
    }
    List<SmtpEgressWindow> out = new ArrayList<>();
    for (Map.Entry<ProcessInfo, List<Map.Entry<Tuple, Connection>>> group : byOwner.entrySet()) {
      out.add(window(start, end, group.getKey(), group.getValue()));
    }
    out.sort(Comparator.comparingInt(SmtpEgressWindow::getConnections).reversed()
        .thenComparingInt(SmtpEgressWindow::getPid));
    return out;
  }

  private SmtpEgressWindow window(long start, long end, ProcessInfo owner, List<Map.Entry<Tuple, Connection>> conns) {
    Map<Endpoint, Integer> perDestination = new HashMap<>();
    Set<InetAddress> ips = new HashSet<>();
    SocketStateCounts.Builder states = SocketStateCounts.newBuilder();
    Instant first = null;
    Instant last = null;
    boolean byEvent = false;
    for (Map.Entry<Tuple, Connection> e : conns) {
      Connection c = e.getValue();
      perDestination.merge(e.getKey().remote(), 1, Integer::sum);
      ips.add(e.getKey().remote().address());
      for (TcpState.Category s : c.states) {
        switch (s) {
          case SYN_SENT -> states.setSynSent(states.getSynSent() + 1);
          case ESTABLISHED -> states.setEstablished(states.getEstablished() + 1);
          case CLOSING -> states.setClosing(states.getClosing() + 1);
          case TIME_WAIT -> states.setTimeWait(states.getTimeWait() + 1);
          case NOT_OUTBOUND -> { }
        }
      }
      first = first == null || c.first.isBefore(first) ? c.first : first;
      last = last == null || c.last.isAfter(last) ? c.last : last;
      byEvent |= c.byEvent;
    }
    SmtpEgressWindow.Builder w = SmtpEgressWindow.newBuilder()
        .setWindowStart(Timestamps.fromMillis(start))
        .setWindowEnd(Timestamps.fromMillis(end))
        .setPid((int) Math.min(owner.pid(), Integer.MAX_VALUE))
        .setProcessName(owner.name())
        .setProcessPath(owner.path())
        .setUser(owner.user())
        .setUnattributed(!owner.isAttributed())
        .setConnections(conns.size())
        .setDistinctDestinations(ips.size())
        // A window's group holds at least one connection: both are set.
        .setFirstSeen(Timestamps.fromMillis(requireNonNull(first, "first").toEpochMilli()))
        .setLastSeen(Timestamps.fromMillis(requireNonNull(last, "last").toEpochMilli()))
        .setAllowed(policy.allows(owner))
        .setStates(states)
        .setSource(byEvent ? EVENT : POLL);
    perDestination.entrySet().stream()
        .sorted(Map.Entry.<Endpoint, Integer>comparingByValue().reversed()
            .thenComparing(e -> e.getKey().ip())
            .thenComparingInt(e -> e.getKey().port()))
        .limit(MAX_DESTINATIONS)
        .forEach(e -> w.addDestinations(EgressDestination.newBuilder()
            .setIp(e.getKey().ip()).setPort(e.getKey().port()).setConnections(e.getValue())));
    return w.build();
  }

  private void forgetOwnersBefore(Instant cutoff) {
    forgetBefore(owners, Remembered::seen, cutoff);
    forgetBefore(counted, Counted::seen, cutoff);
  }

  /** Drops entries last updated before {@code cutoff}: the oldest come first, so it stops at the first newer one. */
  private static <V> void forgetBefore(LinkedHashMap<Tuple, V> map, Function<V, Instant> seen,
      Instant cutoff) {
    Iterator<V> it = map.values().iterator();
    while (it.hasNext()) {
      if (seen.apply(it.next()).isBefore(cutoff)) {
        it.remove();
      } else {
        break;
      }
    }
  }

  private void logDropped() {
    if (dropped > 0) {
      log.warn("{} SMTP connections were not recorded: more than {} in one window.", dropped,
          MAX_CONNECTIONS_PER_WINDOW);
      dropped = 0;
    }
  }
}
