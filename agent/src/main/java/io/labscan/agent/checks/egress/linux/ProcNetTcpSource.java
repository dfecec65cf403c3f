package io.labscan.agent.checks.egress.linux;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.egress.ConnectionObservation;
import io.labscan.agent.checks.egress.ConnectionSource;
import io.labscan.agent.checks.egress.ProcessInfo;
import io.labscan.agent.checks.egress.TcpState;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux: the kernel's TCP socket table ({@link SocketTable}: netlink sock_diag when the
 * kernel answers it, else {@code /proc/net/tcp} and {@code /proc/net/tcp6}), plus
 * {@code /proc/<pid>/fd} to name the process that owns a socket.
 *
 * <p>Cost model: OSHI's {@code getConnections()} walks every process's descriptors on every
 * call. Here the common case (no socket to a watched port) is one table read, and a socket
 * already named costs a map lookup. A socket inode not seen before is looked for:
 *
 * <ol>
 *   <li>among the recent owners of watched sockets, most recent first (a mass-mailer is one
 *       process opening many sockets), kept across sessions and checked by start time so a
 *       reused pid is never taken for the old process;
 *   <li>then, only for the inodes still listed when the table is read again (a short session's
 *       socket is often gone by now, and looking for it everywhere is the expensive case), in
 *       every process ("full walk"), at most once per {@link #FULL_WALK_INTERVAL}. An inode
 *       that has to wait for the next full walk is reported with its socket's user meanwhile,
 *       and named as soon as a walk finds it.
 * </ol>
 *
 * Every walk stops as soon as every inode it looks for is found. "Not found" after a full walk
 * (another user's process, seen without root) is final for as long as the inode is listed.
 *
 * <p>TIME_WAIT rows (no owner; listed for 60 s after a session, so a burst leaves hundreds)
 * are asked for only once per {@link #TIME_WAIT_INTERVAL}; the other samples leave them out
 * of the request. None is missed; a session seen only as a TIME_WAIT is reported up to that
 * interval later.
 *
 * <p>A sample does not read the table at all when the last reads listed no watched socket
 * (TIME_WAITs included) and the namespace's count of opened TCP connections
 * ({@link TcpOpenCounters}) has not moved since the previous sample: no socket can have appeared.
 * At least one read per {@link #MAX_QUIET_SKIP} all the same. Where the count cannot be read,
 * every sample reads the table.
 *
 * <p>Not thread-safe: one sampler thread uses it.
 */
public final class ProcNetTcpSource implements ConnectionSource {
  private static final Logger log = LoggerFactory.getLogger(ProcNetTcpSource.class);
  private static final long NOT_FOUND = -1;
  /** Least time between two walks of every process's descriptors. */
  static final Duration FULL_WALK_INTERVAL = Duration.ofSeconds(1);
  /** Recent owners remembered: a handful of mail-sending processes per machine at most. */
  static final int RECENT_OWNERS = 16;
  /** Descriptor links remembered per recent owner (memory bound: ~100 bytes each). */
  static final int MAX_LINKS_PER_OWNER = 65_536;
  private static final long NO_SOCKET = -1;
  /**
   * Least time between two samples that list TIME_WAIT rows. A TIME_WAIT stays in the
   * kernel's table for 60 s, so none is missed; the other samples ask the kernel without it.
   */
  static final Duration TIME_WAIT_INTERVAL = Duration.ofSeconds(1);
  /**
   * Longest run of samples left out because the namespace opened no TCP connection (below):
   * the table is read at least this often all the same.
   */
  static final Duration MAX_QUIET_SKIP = Duration.ofSeconds(10);
  private static final Set<TcpState> OUTBOUND = statesWhere(TcpState::isOutbound);
  private static final Set<TcpState> OUTBOUND_BUT_TIME_WAIT =
      statesWhere(s -> s.isOutbound() && s != TcpState.TIME_WAIT);

  private final Path procRoot;
  private final SocketTable table;
  private final PasswdUserNames users;
  private final LongSupplier nanoTime;
  /** TCP connections opened so far in the table's namespace; empty when unknown (then every sample reads). */
  private final Supplier<OptionalLong> opens;
  private OptionalLong opensAtLastSample = OptionalLong.empty();
  /** Whether a read since (and including) the last one that listed TIME_WAITs listed any row. */
  private boolean listedSinceTimeWaitRead = true;
  private Set<Integer> portsAtLastRead = Set.of();
  private long lastRead;
  private long readsSkipped;
  private final Map<Long, Long> pidByInode = new HashMap<>();
  private final Map<Long, CachedProcess> processes = new HashMap<>();
  /** pid → start time (clock ticks after boot) of processes that owned watched sockets, most recent first. */
  private final LinkedHashMap<Long, Long> recentOwners = new LinkedHashMap<>();
  /** Per recent owner: descriptor name → socket inode ({@link #NO_SOCKET}: anything else) as last read. */
  private final Map<Long, Map<String, Long>> linksByOwner = new HashMap<>();
  private boolean fullWalkDone;
  private long lastFullWalk;
  private boolean timeWaitListed;
  private long lastTimeWaitListed;
  private long tableReads;
  private long skippedLines;
  private long fdScans;
  private long fullWalks;
  private long linksRead;

  private record CachedProcess(ProcessInfo info, long startTime) {}

  /**
   * @param procRoot the proc filesystem ({@code /proc})
   * @param netDir the folder holding {@code tcp} and {@code tcp6}: {@code /proc/net} for the
   *     agent's own network namespace, {@code /proc/<pid>/net} for that process's namespace
   * @param users uid → name
   * @param wordOrder the kernel's byte order (the machine's native order)
   */
  public ProcNetTcpSource(Path procRoot, Path netDir, PasswdUserNames users, ByteOrder wordOrder) {
    this(procRoot, new ProcNetTcpTable(netDir, wordOrder), users);
  }

  /**
   * @param procRoot the proc filesystem ({@code /proc}), for the socket → process mapping
   * @param table where the socket rows come from
   * @param users uid → name
   */
  public ProcNetTcpSource(Path procRoot, SocketTable table, PasswdUserNames users) {
    this(procRoot, table, users, System::nanoTime);
  }

  /** As above, with the monotonic clock (ns) that paces full walks (tests step it by hand). */
  ProcNetTcpSource(Path procRoot, SocketTable table, PasswdUserNames users, LongSupplier nanoTime) {
    this(procRoot, table, users, nanoTime, OptionalLong::empty);
  }

  /**
   * As above; {@code opens} gives the number of TCP connections opened so far in the table's
   * namespace ({@link TcpOpenCounters}), which lets a sample skip the table read when the last
   * reads listed nothing and no connection has been opened since.
   */
  ProcNetTcpSource(Path procRoot, SocketTable table, PasswdUserNames users, LongSupplier nanoTime,
      Supplier<OptionalLong> opens) {
    this.procRoot = requireNonNull(procRoot, "procRoot");
    this.table = requireNonNull(table, "table");
    this.users = requireNonNull(users, "users");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    this.opens = requireNonNull(opens, "opens");
  }

  /**
   * The running system's sockets, in the agent's network namespace: through netlink
   * sock_diag when the kernel answers it, else from {@code /proc/net}.
   */
  public static ProcNetTcpSource system() {
    SocketTable table = NetlinkSocketTable.probe().<SocketTable>map(t -> t)
        .orElseGet(() -> new ProcNetTcpTable(Path.of("/proc/net"), ByteOrder.nativeOrder()));
    return new ProcNetTcpSource(Path.of("/proc"), table, PasswdUserNames.system(), System::nanoTime,
        new TcpOpenCounters(Path.of("/proc/net/snmp")));
  }

  /** The running system's sockets read from {@code /proc/net} text (benchmarks compare both). */
  public static ProcNetTcpSource systemFromProcText() {
    return new ProcNetTcpSource(Path.of("/proc"), Path.of("/proc/net"), PasswdUserNames.system(),
        ByteOrder.nativeOrder());
  }

  /**
   * Sockets of the network namespace process {@code pid} lives in: through netlink sock_diag
   * opened in that namespace when the agent may enter it (CAP_SYS_ADMIN), else from
   * {@code /proc/<pid>/net} text.
   */
  public static ProcNetTcpSource inNetworkNamespaceOf(long pid) {
    Path proc = Path.of("/proc", Long.toString(pid));
    SocketTable table = NetlinkSocketTable.inNetworkNamespace(proc.resolve("ns/net")).<SocketTable>map(t -> t)
        .orElseGet(() -> new ProcNetTcpTable(proc.resolve("net"), ByteOrder.nativeOrder()));
    return new ProcNetTcpSource(Path.of("/proc"), table, PasswdUserNames.system(), System::nanoTime,
        new TcpOpenCounters(proc.resolve("net/snmp")));
  }

  /** Sockets of another network namespace read from {@code /proc/<pid>/net} text (benchmarks compare both). */
  public static ProcNetTcpSource inNetworkNamespaceOfFromProcText(long pid) {
    return new ProcNetTcpSource(Path.of("/proc"), Path.of("/proc", Long.toString(pid), "net"),
        PasswdUserNames.system(), ByteOrder.nativeOrder());
  }

  /** True when this machine has a readable {@code /proc/net/tcp}. */
  public static boolean isAvailable() {
    return Files.isReadable(Path.of("/proc/net/tcp"));
  }

  @Override
  public String name() {
    return table.name();
  }

  /** Entries of the socket tables that were not valid rows, since this source was created. */
  public long skippedLines() {
    return skippedLines;
  }

  /** How many times descriptor tables were walked to name new sockets (recent owners or all). */
  public long fdScans() {
    return fdScans;
  }

  /** Descriptor links read so far (the unit cost of every walk). */
  long linksRead() {
    return linksRead;
  }

  /** How many of those walks went through every process: the expensive step. */
  public long fullWalks() {
    return fullWalks;
  }

  /** Samples that did not read the table: nothing listed before, no TCP connection opened since. */
  public long readsSkipped() {
    return readsSkipped;
  }

  /** Reads of the socket table: one per sample, plus the second reads before a full walk. */
  public long tableReads() {
    return tableReads;
  }

  @Override
  public List<ConnectionObservation> sample(Set<Integer> remotePorts) throws IOException {
    requireNonNull(remotePorts, "remotePorts");
    long now = nanoTime.getAsLong();
    // Read before the table: a connection opened after this read shows in the next sample's.
    // Only while the table may be quiet: when the last reads listed watched sockets (a burst),
    // neither this sample nor the next can skip its read, so the count (a /proc read and parse
    // per sample) would be read for nothing. The sample after a burst then reads the table once
    // more than it would have (its count has no predecessor to compare with).
    boolean mayBeQuiet = !listedSinceTimeWaitRead || tableReads == 0;
    OptionalLong opened = mayBeQuiet ? opens.get() : OptionalLong.empty();
    boolean noneOpened = opened.isPresent() && opensAtLastSample.isPresent()
        && opened.getAsLong() == opensAtLastSample.getAsLong();
    // Forgotten until the read below succeeds: a failed read must not count these opens as
    // seen, or the quiet skip would hide a connection opened just before it.
    opensAtLastSample = OptionalLong.empty();
    if (noneOpened && !listedSinceTimeWaitRead && remotePorts.equals(portsAtLastRead)
        && now - lastRead < MAX_QUIET_SKIP.toNanos()) {
      // Nothing was listed (TIME_WAITs included) and no TCP socket has appeared since: the
      // kernel's walk of its whole socket table would find nothing either.
      readsSkipped++;
      opensAtLastSample = opened;
      return List.of();
    }
    // TIME_WAIT rows (no owner, listed 60 s) only once per TIME_WAIT_INTERVAL: a burst's
    // hundreds of them are then neither copied by the kernel nor looked at here on most samples.
    boolean withTimeWait = !timeWaitListed || now - lastTimeWaitListed >= TIME_WAIT_INTERVAL.toNanos();
    tableReads++;
    SocketTable.Rows read = table.read(remotePorts, withTimeWait ? OUTBOUND : OUTBOUND_BUT_TIME_WAIT);
    opensAtLastSample = opened;
    if (withTimeWait) {
      timeWaitListed = true;
      lastTimeWaitListed = now;
    }
    listedSinceTimeWaitRead = (!withTimeWait && listedSinceTimeWaitRead) || !read.rows().isEmpty();
    portsAtLastRead = Set.copyOf(remotePorts);
    lastRead = now;
    skippedLines += read.skipped();
    List<SocketRow> rows = read.rows();
    Set<Long> live = new HashSet<>();
    Set<Long> unresolved = new LinkedHashSet<>();
    List<SocketRow> outbound = new ArrayList<>(rows.size());
    for (SocketRow row : rows) {
      if (!row.state().isOutbound()) {
        continue;
      }
      outbound.add(row);
      if (row.hasOwnerInode()) {
        live.add(row.inode());
        if (!pidByInode.containsKey(row.inode())) {
          unresolved.add(row.inode());
        }
      }
    }
    if (!unresolved.isEmpty()) {
      resolve(unresolved, live, remotePorts);
    }
    List<ConnectionObservation> out = new ArrayList<>(outbound.size());
    for (SocketRow row : outbound) {
      out.add(new ConnectionObservation(row.local(), row.remote(), row.state(), owner(row)));
    }
    // Forget sockets that are gone, and processes that own none of the remaining ones.
    // (processes are only ever added for pids of pidByInode, so they need pruning only when it shrinks)
    if (pidByInode.keySet().retainAll(live)) {
      processes.keySet().retainAll(new HashSet<>(pidByInode.values()));
    }
    return out;
  }

  @Override
  public void close() {
    table.close();
  }

  private ProcessInfo owner(SocketRow row) {
    if (!row.hasOwnerInode()) {
      return ProcessInfo.unknown(); // TIME_WAIT: the kernel keeps no owner, its uid column is 0
    }
    long pid = pidByInode.getOrDefault(row.inode(), NOT_FOUND);
    if (pid == NOT_FOUND) {
      return ProcessInfo.userOnly(users.nameOf(row.uid()));
    }
    CachedProcess cached = processes.get(pid);
    if (cached == null) {
      cached = readProcess(pid, row.uid());
      processes.put(pid, cached);
    }
    return cached.info();
  }

  /** Names the owners of {@code wanted} (inodes not resolved yet), as the class comment says. */
  private void resolve(Set<Long> wanted, Set<Long> live, Set<Integer> remotePorts) {
    fdScans++;
    Set<Long> missing = new HashSet<>(wanted);
    Set<Long> readInFull = new HashSet<>();
    List<Long> readInPart = new ArrayList<>();
    for (long pid : new ArrayList<>(recentOwners.keySet())) {
      Optional<Boolean> complete = scanOwner(pid, missing, live);
      if (complete.isPresent()) {
        (complete.get() ? readInFull : readInPart).add(pid);
      }
      if (missing.isEmpty()) {
        return;
      }
    }
    // Only the sockets still there are worth more effort (a short session's is often gone).
    Set<Long> still = stillListed(missing, remotePorts);
    // A descriptor number reused since its link was read: read the recent owners in full.
    for (int i = 0; i < readInPart.size() && !still.isEmpty(); i++) {
      rescanOwner(readInPart.get(i), still);
      readInFull.add(readInPart.get(i));
    }
    if (still.isEmpty()) {
      return;
    }
    // Left unresolved (reported with the socket's user) until a full walk is due.
    long now = nanoTime.getAsLong();
    if (!fullWalkDone || now - lastFullWalk >= FULL_WALK_INTERVAL.toNanos()) {
      fullWalk(still, readInFull);
      fullWalkDone = true;
      lastFullWalk = now;
    }
  }

  /**
   * The inodes of {@code inodes} that a fresh read of the table still lists; the others are
   * marked as having no owner. A short session's socket is
   * often gone by the time its owner is looked for; a walk of every process would look for it
   * in vain.
   */
  private Set<Long> stillListed(Set<Long> inodes, Set<Integer> remotePorts) {
    Set<Long> listed = new HashSet<>();
    try {
      tableReads++;
      for (SocketRow row : table.read(remotePorts, OUTBOUND_BUT_TIME_WAIT).rows()) {
        if (inodes.contains(row.inode())) {
          listed.add(row.inode());
        }
      }
    } catch (IOException | RuntimeException e) {
      return new HashSet<>(inodes); // cannot tell: look for all of them
    }
    // Gone meanwhile: nobody owns them any more.
    for (long inode : inodes) {
      if (!listed.contains(inode)) {
        pidByInode.putIfAbsent(inode, NOT_FOUND);
      }
    }
    return listed;
  }

  /**
   * Looks in every process not in {@code skip}; what it does not find is final.
   */
  private void fullWalk(Set<Long> wanted, Set<Long> skip) {
    fullWalks++;
    Set<Long> missing = new HashSet<>(wanted);
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(procRoot)) {
      for (Path dir : dirs) {
        OptionalLong pid = pidOf(dir.getFileName().toString());
        if (pid.isPresent() && !skip.contains(pid.getAsLong())) {
          scanDescriptors(pid.getAsLong(), missing);
          if (missing.isEmpty()) {
            break;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug("Cannot list {}: {}", procRoot, e.toString());
    }
    for (long inode : wanted) {
      pidByInode.putIfAbsent(inode, NOT_FOUND);
    }
  }

  /**
   * Scans a remembered owner; drops it when it has exited or its pid now names another
   * process (that process is looked at in the full walk like any other). Empty when dropped,
   * else whether every descriptor of it was read.
   */
  private Optional<Boolean> scanOwner(long pid, Set<Long> missing, Set<Long> live) {
    OptionalLong start = startTime(pid);
    if (start.isEmpty() || !Long.valueOf(start.getAsLong()).equals(recentOwners.get(pid))) {
      recentOwners.remove(pid);
      linksByOwner.remove(pid);
      return Optional.empty();
    }
    return Optional.of(scanOwnerDescriptors(pid, start.getAsLong(), missing, live));
  }

  /** Reads every descriptor of a recent owner, refreshing what it remembers of them. */
  private void rescanOwner(long pid, Set<Long> missing) {
    Map<String, Long> links = linksByOwner.computeIfAbsent(pid, p -> new HashMap<>());
    boolean found = false;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(procRoot.resolve(Long.toString(pid)).resolve("fd"))) {
      for (Path fd : fds) {
        found |= readLink(pid, fd, fd.getFileName().toString(), links, missing);
        if (missing.isEmpty()) {
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      // exited meanwhile
    }
    if (found) {
      Long start = recentOwners.get(pid);
      if (start != null) {
        rememberOwner(pid, start); // checked by scanOwner moments ago
      } else {
        rememberOwner(pid);
      }
    }
  }

  /**
   * As {@link #scanDescriptors}, for a recent owner whose links were read before: a descriptor
   * that last named a socket still listed (one of {@code live}) almost surely still does, and
   * is not read again. Reading a link is the cost here (a mass-mailer holds hundreds of
   * sockets, ~4 µs each); listing the folder is cheap. When a descriptor number was reused
   * after the table was read (the old socket closed, a new one opened), this misses the new
   * socket; {@link #rescanOwner} then reads every link.
   *
   * @return true when every descriptor was read
   */
  private boolean scanOwnerDescriptors(long pid, long start, Set<Long> missing, Set<Long> live) {
    Map<String, Long> links = linksByOwner.computeIfAbsent(pid, p -> new HashMap<>());
    boolean complete = true;
    boolean found = false;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(procRoot.resolve(Long.toString(pid)).resolve("fd"))) {
      for (Path fd : fds) {
        String name = fd.getFileName().toString();
        Long before = links.get(name);
        if (before != null && live.contains(before)) {
          complete = false;
          continue;
        }
        found |= readLink(pid, fd, name, links, missing);
        if (missing.isEmpty()) {
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process exited, or belongs to another user and the agent is not root.
    }
    if (links.size() > MAX_LINKS_PER_OWNER) {
      links.clear(); // a process with more descriptors than that is simply read in full
    }
    if (found) {
      rememberOwner(pid, start); // its start time was read just before the scan
    }
    return complete;
  }

  /** Reads one descriptor's link into {@code links}; true when it held one of {@code missing}. */
  private boolean readLink(long pid, Path fd, String name, Map<String, Long> links, Set<Long> missing) {
    linksRead++;
    long inode = socketInode(fd).orElse(NO_SOCKET);
    links.put(name, inode);
    if (inode != NO_SOCKET && missing.remove(inode)) {
      pidByInode.put(inode, pid);
      return true;
    }
    return false;
  }

  /** Reads {@code /proc/<pid>/fd} until every inode in {@code missing} is found; found ones are removed. */
  private void scanDescriptors(long pid, Set<Long> missing) {
    boolean found = false;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(procRoot.resolve(Long.toString(pid)).resolve("fd"))) {
      for (Path fd : fds) {
        linksRead++;
        OptionalLong inode = socketInode(fd);
        if (inode.isPresent() && missing.remove(inode.getAsLong())) {
          pidByInode.put(inode.getAsLong(), pid);
          found = true;
          if (missing.isEmpty()) {
            break;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process exited, or belongs to another user and the agent is not root.
    }
    if (found) {
      rememberOwner(pid);
    }
  }

  /**
   * Moves {@code pid} to the front of the recent owners, with its start time; a cached
   * description of an earlier process with the same pid is dropped.
   */
  private void rememberOwner(long pid) {
    OptionalLong start = startTime(pid);
    if (start.isEmpty()) {
      return; // exited right after the scan: its sockets are gone too
    }
    rememberOwner(pid, start.getAsLong());
  }

  /** As above, with the start time already read (one {@code stat} read less per scan of a recent owner). */
  private void rememberOwner(long pid, long start) {
    CachedProcess cached = processes.get(pid);
    if (cached != null && cached.startTime() != start) {
      processes.remove(pid);
    }
    Iterator<Map.Entry<Long, Long>> first = recentOwners.entrySet().iterator();
    if (first.hasNext()) {
      Map.Entry<Long, Long> mostRecent = first.next();
      if (mostRecent.getKey() == pid && mostRecent.getValue() == start) {
        return; // already the most recent owner, as the same process: nothing to reorder
      }
    }
    recentOwners.remove(pid);
    LinkedHashMap<Long, Long> reordered = new LinkedHashMap<>();
    reordered.put(pid, start);
    for (Map.Entry<Long, Long> e : recentOwners.entrySet()) {
      if (reordered.size() >= RECENT_OWNERS) {
        break;
      }
      reordered.put(e.getKey(), e.getValue());
    }
    recentOwners.clear();
    recentOwners.putAll(reordered);
    linksByOwner.keySet().retainAll(recentOwners.keySet());
  }

  /**
   * The process's start time ({@code /proc/<pid>/stat} field 22, clock ticks after boot):
   * with the pid, it names one process for the machine's uptime. Empty when it cannot be read.
   */
  private OptionalLong startTime(long pid) {
    return readSmall(procRoot.resolve(Long.toString(pid)).resolve("stat")).map(ProcNetTcpSource::startTimeOf)
        .orElse(OptionalLong.empty());
  }

  /** Field 22 of a {@code stat} line; the name (field 2) may hold spaces and parentheses. */
  static OptionalLong startTimeOf(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return OptionalLong.empty();
    }
    // After the name, fields 3, 4, ... separated by single spaces: field 22 is the 20th.
    // Scanned by hand (no regex, no array of 50 strings): a recent owner's start time is read
    // on every sample of a burst.
    int at = close + 1;
    int end = stat.length();
    for (int field = 3; field <= 22; field++) {
      while (at < end && Character.isWhitespace(stat.charAt(at))) {
        at++;
      }
      int start = at;
      while (at < end && !Character.isWhitespace(stat.charAt(at))) {
        at++;
      }
      if (start == at) {
        return OptionalLong.empty();
      }
      if (field == 22) {
        try {
          return OptionalLong.of(Long.parseLong(stat, start, at, 10));
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }

  private static OptionalLong socketInode(Path fd) {
    try {
      String target = Files.readSymbolicLink(fd).toString();
      if (target.startsWith("socket:[") && target.endsWith("]")) {
        return OptionalLong.of(Long.parseLong(target, 8, target.length() - 1, 10));
      }
    } catch (IOException | RuntimeException e) {
      // closed meanwhile
    }
    return OptionalLong.empty();
  }

  private CachedProcess readProcess(long pid, long socketUid) {
    Path dir = procRoot.resolve(Long.toString(pid));
    long start = startTime(pid).orElse(-1);
    String name = readSmall(dir.resolve("comm")).map(String::strip).orElse("");
    String path;
    try {
      path = Files.readSymbolicLink(dir.resolve("exe")).toString();
    } catch (IOException | RuntimeException e) {
      path = ""; // kernel threads, or another user's process without root
    }
    // The real uid: who started the program, also for set-uid mailers.
    long uid = readSmall(dir.resolve("status")).flatMap(ProcNetTcpSource::realUid).orElse(socketUid);
    return new CachedProcess(new ProcessInfo(pid, name, path, users.nameOf(uid)), start);
  }

  static Optional<Long> realUid(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("Uid:")) {
        String[] f = line.substring(4).trim().split("\\s+");
        try {
          return Optional.of(Long.parseLong(f[0]));
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> readSmall(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      return Optional.of(new String(bytes, 0, Math.min(bytes.length, 64 * 1024), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Set<TcpState> statesWhere(java.util.function.Predicate<TcpState> test) {
    Set<TcpState> states = EnumSet.noneOf(TcpState.class);
    for (TcpState s : TcpState.values()) {
      if (test.test(s)) {
        states.add(s);
      }
    }
    return Set.copyOf(states); // immutable: the netlink table then reuses its request without copying the set
  }

  private static OptionalLong pidOf(String name) {
    if (name.isEmpty() || name.length() > 10) {
      return OptionalLong.empty();
    }
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) < '0' || name.charAt(i) > '9') {
        return OptionalLong.empty();
      }
    }
    return OptionalLong.of(Long.parseLong(name));
  }
}
