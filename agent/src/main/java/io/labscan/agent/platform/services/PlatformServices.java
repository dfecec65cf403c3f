package io.labscan.agent.platform.services;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.standard.PlatformSources;
import io.labscan.agent.registry.RegistryReader;
import io.labscan.agent.checks.artifacts.journal.ChangeJournal;
import io.labscan.agent.checks.artifacts.journal.ChangeJournals;
import io.labscan.agent.checks.artifacts.walk.TreeWalker;
import io.labscan.agent.checks.standard.AvProviderFactory;
import io.labscan.agent.checks.egress.ConnectionSource;
import io.labscan.agent.checks.egress.EgressEventSource;
import io.labscan.agent.checks.egress.EgressPolicy;
import io.labscan.agent.checks.egress.EgressWatcher;
import io.labscan.agent.checks.egress.linux.NftablesEventSource;
import io.labscan.agent.checks.egress.linux.NftablesRules;
import io.labscan.agent.checks.egress.linux.ProcNetTcpSource;
import io.labscan.agent.checks.egress.portable.OshiConnectionSource;
import io.labscan.agent.checks.egress.windows.WfpAuditEventSource;
import io.labscan.agent.platform.Platform;
import io.labscan.agent.selfwatch.linux.LinuxSelfUsage;
import io.labscan.agent.selfwatch.macos.MacSelfUsage;
import io.labscan.agent.selfwatch.windows.WindowsSelfUsage;
import io.labscan.agent.selfwatch.SelfUsageMeter;
import io.labscan.agent.platform.windows.ServiceHost;
import io.labscan.agent.platform.windows.ServiceHosts;
import io.labscan.proto.v1.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one platform seam, OSHI's way ({@code SystemInfo} hands out the platform's
 * {@code HardwareAbstractionLayer}): made for one {@link Platform}, it hands out everything whose
 * implementation differs per operating system — connection sources, egress event sources, tree
 * walkers, change journals, the service host, the live registry and the AV providers that read
 * it. Callers (the runtime, the CLI, the scan runners) ask here instead of looking at
 * {@code os.name}; the platform-specific classes themselves never decide which platform they are
 * on, so a Windows class is only ever loaded behind a {@code WINDOWS} branch below.
 *
 * <p><b>Why a separate package.</b> The feature packages ({@code checks.*}) may read the leaf
 * {@link Platform} value; this factory depends on them. Keeping the two in different packages
 * keeps the package graph acyclic (checked by {@code ArchitectureTest}).
 */
public final class PlatformServices {
  private static final Logger log = LoggerFactory.getLogger(PlatformServices.class);

  private final Platform platform;

  private PlatformServices(Platform platform) {
    this.platform = requireNonNull(platform, "platform");
  }

  /** The services of the machine this JVM runs on. */
  public static PlatformServices current() {
    return of(Platform.current());
  }

  /** The services of {@code platform} (tests choose one; production uses {@link #current()}). */
  public static PlatformServices of(Platform platform) {
    return new PlatformServices(platform);
  }

  public Platform platform() {
    return platform;
  }

  /**
   * Where established TCP connections are listed: netlink sock_diag (or /proc/net/tcp) where
   * procfs has the table — Linux, and Linux compatibility layers — else OSHI (Windows, macOS).
   */
  public ConnectionSource connectionSource() {
    if (ProcNetTcpSource.isAvailable()) {
      return ProcNetTcpSource.system();
    }
    return OshiConnectionSource.system();
  }

  /**
   * The connection event source, when it can run here: Linux as root with nft installed —
   * nftables log rules read from the kernel log; Windows — the WFP audit events of the Security
   * log; otherwise empty (logged), and the egress watcher polls only.
   */
  public Optional<EgressEventSource> egressEventSource(Set<Integer> ports) {
    requireNonNull(ports, "ports");
    switch (platform) {
      case WINDOWS -> {
        return Optional.of(WfpAuditEventSource.system(ports));
      }
      case LINUX -> {
        if (!isRoot()) {
          log.warn("SMTP egress event mode needs root; polling only.");
          return Optional.empty();
        }
        if (!NftablesRules.isInstalled()) {
          log.warn("SMTP egress event mode needs nft (Debian package nftables); polling only.");
          return Optional.empty();
        }
        return Optional.of(NftablesEventSource.forPorts(ports));
      }
      default -> {
        log.warn("SMTP egress event mode is not available on {}; polling only.", platform.displayName());
        return Optional.empty();
      }
    }
  }

  /**
   * Starts an egress watcher for this machine as the controller's policy asks: the platform's
   * connection source, and its event source when {@code egress_event_mode} is set.
   */
  public EgressWatcher egressWatcher(Policy policy, Clock clock) {
    return egressWatcher(EgressPolicy.from(requireNonNull(policy, "policy")), clock);
  }

  /** As {@link #egressWatcher(Policy, Clock)} for a policy already read. */
  public EgressWatcher egressWatcher(EgressPolicy policy, Clock clock) {
    requireNonNull(policy, "policy");
    requireNonNull(clock, "clock");
    Optional<EgressEventSource> events = policy.eventMode() ? egressEventSource(policy.ports()) : Optional.empty();
    return EgressWatcher.start(policy, connectionSource(), events, clock);
  }

  /** The fastest directory walker that works here (native getdents/statx on Linux, else the JDK's). */
  public TreeWalker treeWalker() {
    return TreeWalker.forPlatform(platform);
  }

  /** A change journal watching the file systems of {@code roots} (fanotify on Linux), or none. */
  public ChangeJournal changeJournal(List<Path> roots) {
    return ChangeJournals.forRoots(platform, roots);
  }

  /** The Windows service control manager on Windows; empty elsewhere (systemd and launchd start {@code run}). */
  public Optional<ServiceHost> serviceHost() {
    return ServiceHosts.forPlatform(platform);
  }

  /** The running machine's registry: the real one on Windows, {@link RegistryReader#unavailable()} elsewhere. */
  public RegistryReader liveRegistry() {
    return RegistryReader.live(platform);
  }

  /** The AV providers of this platform (Defender, Symantec, Security Center on Windows; file-based everywhere). */
  public AvProviderFactory avProviders() {
    return AvProviderFactory.forPlatform(platform);
  }

  /** What the standard checks read from this platform (live registry, AV providers). */
  public PlatformSources scanSources() {
    return new PlatformSources(liveRegistry(), avProviders());
  }

  /**
   * How the agent reads its own resource use here: /proc/self on Linux, GetProcessMemoryInfo and
   * GetProcessTimes on Windows, task_info (or {@code ps}) on macOS; elsewhere a meter that says
   * it cannot, and the agent reports no resources.
   */
  public SelfUsageMeter selfUsage() {
    try {
      return switch (platform) {
        case LINUX -> LinuxSelfUsage.system();
        case WINDOWS -> WindowsSelfUsage.system();
        case MACOS -> MacSelfUsage.system();
        default -> SelfUsageMeter.unavailable("no resource reading on " + platform.displayName());
      };
    } catch (RuntimeException | LinkageError e) {
      return SelfUsageMeter.unavailable("resource reading unavailable: " + e);
    }
  }

  /** Effective uid 0, from /proc/self/status (the JDK has no call for it). */
  static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          String[] f = line.substring(4).trim().split("\\s+");
          return f.length > 1 && f[1].equals("0");
        }
      }
    } catch (Exception e) {
      // /proc unmounted
    }
    return false;
  }
}
