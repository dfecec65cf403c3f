package io.labscan.agent.checks.egress.portable;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.egress.ConnectionObservation;
import io.labscan.agent.checks.egress.ConnectionSource;
import io.labscan.agent.checks.egress.Endpoint;
import io.labscan.agent.checks.egress.ProcessInfo;
import io.labscan.agent.checks.egress.TcpState;
import io.labscan.agent.inventory.InventoryCollector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import oshi.software.os.InternetProtocolStats.IPConnection;
import oshi.software.os.InternetProtocolStats;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/**
 * Every platform but Linux: OSHI's connection list. On Windows it comes from
 * {@code GetExtendedTcpTable(TCP_TABLE_OWNER_PID_ALL)}, which names the owning pid of each
 * row (TIME_WAIT rows have pid 0); on macOS from the process file tables. Process details
 * are cached per (pid, start time), so a reused pid is never mistaken for the old process.
 */
public final class OshiConnectionSource implements ConnectionSource {
  private final OperatingSystem os;
  private final Map<Long, ProcessInfo> processes = new HashMap<>();
  private final Map<Long, Long> startTimes = new HashMap<>();

  public OshiConnectionSource(OperatingSystem os) {
    this.os = requireNonNull(os, "os");
  }

  /** Uses the agent's shared OSHI {@code SystemInfo}. */
  public static OshiConnectionSource system() {
    return new OshiConnectionSource(InventoryCollector.systemInfo().getOperatingSystem());
  }

  @Override
  public String name() {
    return "oshi";
  }

  @Override
  public List<ConnectionObservation> sample(Set<Integer> remotePorts) {
    requireNonNull(remotePorts, "remotePorts");
    InternetProtocolStats stats = os.getInternetProtocolStats();
    List<ConnectionObservation> out = new ArrayList<>();
    Set<Long> livePids = new HashSet<>();
    for (IPConnection c : stats.getConnections()) {
      if (c.getType() == null || !c.getType().startsWith("tcp") || !remotePorts.contains(c.getForeignPort())) {
        continue;
      }
      Optional<TcpState> state = map(c.getState());
      Optional<Endpoint> local = Endpoint.of(c.getLocalAddress(), c.getLocalPort());
      Optional<Endpoint> remote = Endpoint.of(c.getForeignAddress(), c.getForeignPort());
      if (state.isEmpty() || !state.get().isOutbound() || local.isEmpty() || remote.isEmpty()) {
        continue;
      }
      long pid = c.getowningProcessId();
      ProcessInfo owner = ProcessInfo.unknown();
      if (pid > 0) {
        livePids.add(pid);
        owner = process(pid);
      }
      out.add(new ConnectionObservation(local.get(), remote.get(), state.get(), owner));
    }
    processes.keySet().retainAll(livePids);
    startTimes.keySet().retainAll(livePids);
    return out;
  }

  private ProcessInfo process(long pid) {
    OSProcess p = os.getProcess((int) pid);
    if (p == null) {
      return new ProcessInfo(pid, "", "", "");
    }
    Long started = startTimes.get(pid);
    ProcessInfo cached = processes.get(pid);
    if (cached != null && started != null && started == p.getStartTime()) {
      return cached;
    }
    ProcessInfo info = new ProcessInfo(pid, nonNull(p.getName()), nonNull(p.getPath()), nonNull(p.getUser()));
    processes.put(pid, info);
    startTimes.put(pid, p.getStartTime());
    return info;
  }

  static Optional<TcpState> map(InternetProtocolStats.TcpState state) {
    if (state == null) {
      return Optional.empty();
    }
    return switch (state) {
      case SYN_SENT -> Optional.of(TcpState.SYN_SENT);
      case ESTABLISHED -> Optional.of(TcpState.ESTABLISHED);
      case FIN_WAIT_1 -> Optional.of(TcpState.FIN_WAIT1);
      case FIN_WAIT_2 -> Optional.of(TcpState.FIN_WAIT2);
      case CLOSE_WAIT -> Optional.of(TcpState.CLOSE_WAIT);
      case CLOSING -> Optional.of(TcpState.CLOSING);
      case LAST_ACK -> Optional.of(TcpState.LAST_ACK);
      case TIME_WAIT -> Optional.of(TcpState.TIME_WAIT);
      case LISTEN -> Optional.of(TcpState.LISTEN);
      case SYN_RECV -> Optional.of(TcpState.SYN_RECV);
      case CLOSED -> Optional.of(TcpState.CLOSE);
      default -> Optional.empty();
    };
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
