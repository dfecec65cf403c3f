package io.labscan.agent.checks.egress;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.contract.policy.ProcessAllowlist;
import io.labscan.proto.v1.Policy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The part of the controller's policy the egress watch runs on.
 *
 * @param ports remote TCP ports that count as mail (25, 465, 587 by default)
 * @param allowlist process names or absolute executable paths allowed to send mail
 * @param mailServer the host is a mail server: all its SMTP egress is allowed
 * @param includeLoopback count connections to loopback addresses (tests, diagnostics)
 * @param samplePeriod how often sockets are sampled
 * @param window aggregation window length
 * @param eventMode also use the kernel/audit event source
 */
public record EgressPolicy(Set<Integer> ports, List<String> allowlist, boolean mailServer,
    boolean includeLoopback, Duration samplePeriod, Duration window, boolean eventMode) {
  /** Floor on the sample period: below it sampling would cost more than it finds. */
  public static final Duration MIN_PERIOD = Duration.ofMillis(10);
  public static final Duration MIN_WINDOW = Duration.ofMillis(100);

  public EgressPolicy {
    requireNonNull(ports, "ports");
    requireNonNull(allowlist, "allowlist");
    requireNonNull(samplePeriod, "samplePeriod");
    requireNonNull(window, "window");
    ports = Set.copyOf(new TreeSet<>(ports.stream().filter(p -> p > 0 && p <= 0xffff).toList()));
    allowlist = allowlist.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    samplePeriod = samplePeriod.compareTo(MIN_PERIOD) < 0 ? MIN_PERIOD : samplePeriod;
    window = window.compareTo(MIN_WINDOW) < 0 ? MIN_WINDOW : window;
  }

  public static EgressPolicy from(Policy policy) {
    Policy p = PolicyDefaults.withDefaults(requireNonNull(policy, "policy"));
    return new EgressPolicy(Set.copyOf(p.getSmtpPortsList()), p.getSmtpProcessAllowlistList(),
        p.getMailServer(), p.getEgressIncludeLoopback(),
        Duration.ofMillis(p.getEgressSamplePeriodMillis()), Duration.ofSeconds(p.getEgressWindowSeconds()),
        p.getEgressEventMode());
  }

  public EgressPolicy withPorts(Set<Integer> newPorts) {
    return new EgressPolicy(newPorts, allowlist, mailServer, includeLoopback, samplePeriod, window, eventMode);
  }

  public EgressPolicy withIncludeLoopback(boolean include) {
    return new EgressPolicy(ports, allowlist, mailServer, include, samplePeriod, window, eventMode);
  }

  public EgressPolicy withSamplePeriod(Duration period) {
    return new EgressPolicy(ports, allowlist, mailServer, includeLoopback, period, window, eventMode);
  }

  public EgressPolicy withWindow(Duration length) {
    return new EgressPolicy(ports, allowlist, mailServer, includeLoopback, samplePeriod, length, eventMode);
  }

  public EgressPolicy withEventMode(boolean events) {
    return new EgressPolicy(ports, allowlist, mailServer, includeLoopback, samplePeriod, window, events);
  }

  /** True when connections to {@code remote} are watched at all. */
  public boolean watches(Endpoint remote) {
    return ports.contains(remote.port()) && (includeLoopback || !remote.isLoopback())
        && !remote.address().isAnyLocalAddress();
  }

  /**
   * Whether {@code owner} may send mail. A mail server may; otherwise the process must be
   * named by the allowlist: an entry that is an absolute path must equal the executable
   * path (the strong form: any program can call itself "smtp"), any other entry must equal
   * the process name or the executable's file name (Linux truncates names to 15
   * characters; Windows names compare without case and ".exe"). An unknown owner is never
   * allowed on a workstation.
   */
  public boolean allows(ProcessInfo owner) {
    requireNonNull(owner, "owner");
    return mailServer || ProcessAllowlist.names(allowlist, owner.name(), owner.path());
  }

  /** The executable's file name in {@code path} ({@link ProcessAllowlist#fileName}). */
  public static String fileName(String path) {
    return ProcessAllowlist.fileName(path);
  }
}
