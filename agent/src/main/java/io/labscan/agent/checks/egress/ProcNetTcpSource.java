package io.labscan.agent.checks.egress;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux: the kernel's TCP socket table ({@link SocketTable}: netlink sock_diag when the
 * kernel answers it, else {@code /proc/net/tcp} and {@code /proc/net/tcp6}), plus
 * {@code /proc/<pid>/fd} to name the process that owns a socket.
 *
 * <p>Cost model: OSHI's {@code getConnections()} walks every process's descriptors on every
 * call. Here the common case (no socket to a watched port) is one table read. The socket → process mapping walks {@code /proc/<pid>/fd} only when a
 * matching row carries an inode this source has not resolved before, stops as soon as every
 * new inode is found, and looks first at processes that owned watched sockets before (a
 * mass-mailer opens many). Results, including "not found" (a process the agent may not
 * inspect), are cached for as long as the inode is still listed.
 *
 * <p>Not thread-safe: one sampler thread uses it.
 */
public final class ProcNetTcpSource implements ConnectionSource {
  private static final Logger log = LoggerFactory.getLogger(ProcNetTcpSource.class);
  private static final long NOT_FOUND = -1;

  private final Path procRoot;
  private final SocketTable table;
  private final PasswdUserNames users;
  private final Map<Long, Long> pidByInode = new HashMap<>();
  private final Map<Long, ProcessInfo> processes = new HashMap<>();
  private long skippedLines;
  private long fdScans;

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
    this.procRoot = requireNonNull(procRoot, "procRoot");
    this.table = requireNonNull(table, "table");
    this.users = requireNonNull(users, "users");
  }

  /**
   * The running system's sockets, in the agent's network namespace: through netlink
   * sock_diag when the kernel answers it, else from {@code /proc/net}.
   */
  public static ProcNetTcpSource system() {
    SocketTable table = NetlinkSocketTable.probe().<SocketTable>map(t -> t)
        .orElseGet(() -> new ProcNetTcpTable(Path.of("/proc/net"), ByteOrder.nativeOrder()));
    return new ProcNetTcpSource(Path.of("/proc"), table, PasswdUserNames.system());
  }

  /** The running system's sockets read from {@code /proc/net} text (benchmarks compare both). */
  public static ProcNetTcpSource systemFromProcText() {
    return new ProcNetTcpSource(Path.of("/proc"), Path.of("/proc/net"), PasswdUserNames.system(),
        ByteOrder.nativeOrder());
  }

  /** Sockets of the network namespace process {@code pid} lives in. */
  public static ProcNetTcpSource inNetworkNamespaceOf(long pid) {
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

  /** How many times the descriptor tables were walked: the expensive step. */
  public long fdScans() {
    return fdScans;
  }

  @Override
  public List<ConnectionObservation> sample(Set<Integer> remotePorts) throws IOException {
    requireNonNull(remotePorts, "remotePorts");
    SocketTable.Rows read = table.read(remotePorts);
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
      resolve(unresolved);
    }
    List<ConnectionObservation> out = new ArrayList<>(outbound.size());
    for (SocketRow row : outbound) {
      out.add(new ConnectionObservation(row.local(), row.remote(), row.state(), owner(row)));
    }
    // Forget sockets that are gone, and processes that own none of the remaining ones.
    pidByInode.keySet().retainAll(live);
    processes.keySet().retainAll(new HashSet<>(pidByInode.values()));
    return out;
  }

  private ProcessInfo owner(SocketRow row) {
    if (!row.hasOwnerInode()) {
      return ProcessInfo.unknown(); // TIME_WAIT: the kernel keeps no owner, its uid column is 0
    }
    long pid = pidByInode.getOrDefault(row.inode(), NOT_FOUND);
    if (pid == NOT_FOUND) {
      return ProcessInfo.userOnly(users.nameOf(row.uid()));
    }
    return processes.computeIfAbsent(pid, p -> readProcess(p, row.uid()));
  }

  /** Walks /proc/<pid>/fd until every inode in {@code wanted} is found. */
  private void resolve(Set<Long> wanted) {
    fdScans++;
    Set<Long> missing = new HashSet<>(wanted);
    // Earlier owners first: the process that opened the last SMTP socket likely opened this one.
    Set<Long> pids = new LinkedHashSet<>(processes.keySet());
    pids.addAll(pidByInode.values());
    pids.remove(NOT_FOUND);
    for (long pid : pids) {
      scanDescriptors(pid, missing);
      if (missing.isEmpty()) {
        break;
      }
    }
    if (!missing.isEmpty()) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(procRoot)) {
        for (Path dir : dirs) {
          OptionalLong pid = pidOf(dir.getFileName().toString());
          if (pid.isPresent() && !pids.contains(pid.getAsLong())) {
            scanDescriptors(pid.getAsLong(), missing);
            if (missing.isEmpty()) {
              break;
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        log.debug("Cannot list {}: {}", procRoot, e.toString());
      }
    }
    for (long inode : wanted) {
      pidByInode.putIfAbsent(inode, NOT_FOUND);
    }
  }

  private void scanDescriptors(long pid, Set<Long> missing) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(procRoot.resolve(Long.toString(pid)).resolve("fd"))) {
      for (Path fd : fds) {
        OptionalLong inode = socketInode(fd);
        if (inode.isPresent() && missing.remove(inode.getAsLong())) {
          pidByInode.put(inode.getAsLong(), pid);
          if (missing.isEmpty()) {
            return;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process exited, or belongs to another user and the agent is not root.
    }
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

  private ProcessInfo readProcess(long pid, long socketUid) {
    Path dir = procRoot.resolve(Long.toString(pid));
    String name = readSmall(dir.resolve("comm")).map(String::strip).orElse("");
    String path;
    try {
      path = Files.readSymbolicLink(dir.resolve("exe")).toString();
    } catch (IOException | RuntimeException e) {
      path = ""; // kernel threads, or another user's process without root
    }
    // The real uid: who started the program, also for set-uid mailers.
    long uid = readSmall(dir.resolve("status")).flatMap(ProcNetTcpSource::realUid).orElse(socketUid);
    return new ProcessInfo(pid, name, path, users.nameOf(uid));
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
