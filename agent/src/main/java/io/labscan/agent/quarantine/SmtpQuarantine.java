package io.labscan.agent.quarantine;

import io.labscan.contract.quarantine.QuarantineRules;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.labscan.agent.checks.egress.EgressPolicy;
import io.labscan.agent.checks.egress.linux.PasswdUserNames;
import io.labscan.agent.platform.Platform;
import io.labscan.contract.trust.OwnerOnlyFiles;
import io.labscan.contract.report.ReportLimits;
import io.labscan.proto.v1.BlockedSmtpAttempt;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.QuarantineEnforcement;
import io.labscan.proto.v1.QuarantineOrder;
import io.labscan.proto.v1.QuarantineStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's SMTP quarantine: applies the controller's orders through the platform's {@link
 * QuarantineEnforcer}, keeps the last order in the state folder, and reports its state and the
 * attempts it refused.
 *
 * <p><b>Rules of conduct</b> (docs/egress.md, "Quarantine"):
 * <ul>
 *   <li>Only an order quarantines. The agent never decides by itself, so a controller that is down
 *       quarantines nothing; an order's {@code revision} must grow, so a stale copy (an old policy,
 *       a late command) never undoes a newer order.
 *   <li>An order is written to {@value #STATE_FILE} <em>before</em> the rules change, and at start
 *       ({@link #start}) the rules are made to match the file: restored when it says quarantined,
 *       removed otherwise. After a crash, a kill or a reboot the machine is therefore exactly as
 *       the controller last asked, never without mail in a state nobody ordered, and an agent that
 *       lost contact keeps its quarantine.
 *   <li>Stopping the agent keeps the rules (a stop is no release); uninstalling removes them
 *       (installers).
 * </ul>
 *
 * <p>Every method holds {@code this}: orders come from the command stream, heartbeat answers and
 * enrolment on different threads.
 */
public final class SmtpQuarantine {
  private static final Logger log = LoggerFactory.getLogger(SmtpQuarantine.class);
  /** The last order applied, as protobuf JSON, in the agent's state folder. */
  public static final String STATE_FILE = "quarantine-order.json";
  /**
   * The ports a quarantine blocks: the mail ports, fixed here and never taken from the policy, so
   * that an order (even from a compromised controller) can block mail and nothing else.
   */
  public static final java.util.Set<Integer> MAIL_PORTS = java.util.Set.of(25, 465, 587);
  /** Most refused destinations one status reports (the rest are summed into the last entry's count). */
  static final int MAX_BLOCKED = 256;

  private final QuarantineEnforcer enforcer;
  private final Path stateFile;
  private final AllowedUsers allowedUsers;
  private final LongFunction<String> userNames;
  private final SenderLookup senders;
  private final java.util.function.Function<EgressPolicy, java.util.Collection<String>> allowedApplications;
  private QuarantineOrder order = QuarantineOrder.getDefaultInstance();
  private Optional<QuarantineRules> installed = Optional.empty();
  private QuarantineEnforcement enforcement = QuarantineEnforcement.QUARANTINE_ENFORCEMENT_NONE;
  private String detail = "";
  /**
   * The state changed since the last status was drained. An agent that was never ordered has
   * nothing to report (the fleet's agents send no quarantine reports until one is quarantined).
   */
  private boolean changed;
  /** Cumulative counts last read from the rules in place, by key; attempts not yet reported. */
  private final Map<String, Long> lastRead = new HashMap<>();
  private final Map<String, BlockedSmtpAttempt> pending = new HashMap<>();

  public SmtpQuarantine(QuarantineEnforcer enforcer, Path stateDir, AllowedUsers allowedUsers,
      LongFunction<String> userNames) {
    this(enforcer, stateDir, allowedUsers, userNames, SenderLookup.NONE);
  }

  /**
   * @param senders names the process of a refused attempt where the egress watch attributed it
   *     (the rule itself sees only the user)
   */
  public SmtpQuarantine(QuarantineEnforcer enforcer, Path stateDir, AllowedUsers allowedUsers,
      LongFunction<String> userNames, SenderLookup senders) {
    this(enforcer, stateDir, allowedUsers, userNames, senders, policy -> List.of());
  }

  /**
   * @param allowedApplications the executables to let through for a policy (Windows: {@link
   *     AllowedApplications}; none on Linux, which allows by user)
   */
  public SmtpQuarantine(QuarantineEnforcer enforcer, Path stateDir, AllowedUsers allowedUsers,
      LongFunction<String> userNames, SenderLookup senders,
      java.util.function.Function<EgressPolicy, java.util.Collection<String>> allowedApplications) {
    this.allowedApplications = requireNonNull(allowedApplications, "allowedApplications");
    this.enforcer = requireNonNull(enforcer, "enforcer");
    this.stateFile = requireNonNull(stateDir, "stateDir").resolve(STATE_FILE);
    this.allowedUsers = requireNonNull(allowedUsers, "allowedUsers");
    this.userNames = requireNonNull(userNames, "userNames");
    this.senders = requireNonNull(senders, "senders");
  }

  /** The platform's quarantine: nftables on Linux, WFP filters on Windows, none elsewhere. */
  public static SmtpQuarantine forPlatform(Platform platform, Path stateDir) {
    return forPlatform(platform, stateDir, SenderLookup.NONE);
  }

  /** As {@link #forPlatform(Platform, Path)}, naming refused attempts' processes through {@code senders}. */
  public static SmtpQuarantine forPlatform(Platform platform, Path stateDir, SenderLookup senders) {
    QuarantineEnforcer enforcer = switch (platform) {
      case LINUX -> NftablesQuarantine.system();
      case WINDOWS -> WfpQuarantine.system();
      default -> new NotEnforcedQuarantine(platform == Platform.MACOS ? "macOS" : platform.toString());
    };
    PasswdUserNames names = PasswdUserNames.system();
    if (platform == Platform.WINDOWS) {
      // Windows allows by application (a WFP permit per executable), never by a uid.
      AllowedApplications applications = AllowedApplications.windows();
      return new SmtpQuarantine(enforcer, stateDir, AllowedUsers.none(), names::nameOf, senders,
          applications::paths);
    }
    return new SmtpQuarantine(enforcer, stateDir, AllowedUsers.system(), names::nameOf, senders);
  }

  /**
   * At agent start: reads the last order from the state folder and makes the rules match it
   * (restored when quarantined, a crashed run's leftovers removed otherwise).
   */
  public synchronized void start(Policy policy) {
    requireNonNull(policy, "policy");
    Optional<QuarantineOrder> saved = readState();
    if (saved.isEmpty()) {
      // Never ordered (or the order is unreadable): nothing of ours can be in place, and an agent
      // that was never quarantined does not touch the firewall at all.
      return;
    }
    order = saved.get();
    changed = true;
    if (order.getQuarantined()) {
      log.warn("SMTP quarantine (order {}, {}) restored from {}.", order.getRevision(), printable(order.getBy()),
          stateFile);
    }
    enforce(policy, true);
  }

  /**
   * A policy arrived: its order is applied when newer than the current one; otherwise the rules
   * are brought up to date (the allowlist or the ports may have changed).
   */
  public synchronized void policyChanged(Policy policy) {
    requireNonNull(policy, "policy");
    if (policy.hasQuarantine() && policy.getQuarantine().getRevision() > order.getRevision()) {
      order(policy.getQuarantine(), policy);
    } else {
      refresh(policy);
    }
  }

  /**
   * Applies {@code next} when its revision is higher than the current order's.
   *
   * @return whether it was applied
   */
  public synchronized boolean order(QuarantineOrder next, Policy policy) {
    requireNonNull(next, "next");
    requireNonNull(policy, "policy");
    if (next.getRevision() <= order.getRevision()) {
      return false;
    }
    try {
      writeState(next);
    } catch (IOException e) {
      // Not applied: a quarantine the agent could not remember would be lost at the next start.
      log.error("SMTP quarantine order {} not applied: cannot write {}: {}", next.getRevision(), stateFile,
          e.getMessage());
      return false;
    }
    boolean was = order.getQuarantined();
    order = next;
    changed = true;
    log.warn("SMTP quarantine order {}: {} by {} ({}).", next.getRevision(),
        next.getQuarantined() ? "quarantined" : "released", printable(next.getBy()), printable(next.getReason()));
    if (was != next.getQuarantined() || next.getQuarantined()) {
      enforce(policy, true);
    }
    return true;
  }

  /** Re-checks the rules (users of allowed processes come and go; a failed install is retried). */
  public synchronized void refresh(Policy policy) {
    enforce(requireNonNull(policy, "policy"), false);
  }

  /** The order in force. */
  public synchronized QuarantineOrder currentOrder() {
    return order;
  }

  public synchronized QuarantineEnforcement enforcement() {
    return enforcement;
  }

  /**
   * The status to report: present when the state changed since the last one or attempts were
   * refused meanwhile (which it then hands over: each attempt is reported once).
   */
  public synchronized Optional<QuarantineStatus> drainStatus() {
    collectBlocked();
    if (!changed && pending.isEmpty()) {
      return Optional.empty();
    }
    List<BlockedSmtpAttempt> blocked = new ArrayList<>(pending.values());
    blocked.sort(Comparator.comparingLong(BlockedSmtpAttempt::getAttempts).reversed()
        .thenComparing(BlockedSmtpAttempt::getIp));
    if (blocked.size() > MAX_BLOCKED) {
      long rest = blocked.subList(MAX_BLOCKED - 1, blocked.size()).stream().mapToLong(BlockedSmtpAttempt::getAttempts).sum();
      BlockedSmtpAttempt last = blocked.get(MAX_BLOCKED - 1).toBuilder().setAttempts(rest).build();
      blocked = new ArrayList<>(blocked.subList(0, MAX_BLOCKED - 1));
      blocked.add(last);
    }
    pending.clear();
    changed = false;
    return Optional.of(QuarantineStatus.newBuilder()
        .setRevision(order.getRevision())
        .setQuarantined(order.getQuarantined())
        .setEnforcement(enforcement)
        .setDetail(detail)
        .addAllBlocked(blocked)
        .build());
  }

  private void enforce(Policy policy, boolean force) {
    if (!order.getQuarantined()) {
      if (!force && enforcement == QuarantineEnforcement.QUARANTINE_ENFORCEMENT_NONE) {
        return;
      }
      collectBlocked();
      try {
        enforcer.remove();
        installed = Optional.empty();
        lastRead.clear();
        setState(QuarantineEnforcement.QUARANTINE_ENFORCEMENT_NONE, "");
      } catch (IOException e) {
        if (enforcer instanceof NftablesQuarantine && NftablesQuarantine.nftBinary().equals("nft")) {
          // No nft on this machine: there cannot be a table of ours.
          setState(QuarantineEnforcement.QUARANTINE_ENFORCEMENT_NONE, "");
          return;
        }
        log.warn("SMTP quarantine rules not removed (retried): {}", e.getMessage());
        setState(QuarantineEnforcement.QUARANTINE_ENFORCEMENT_FAILED, "release not applied yet: " + e.getMessage());
      }
      return;
    }
    if (!enforcer.enforces()) {
      setState(QuarantineEnforcement.QUARANTINE_ENFORCEMENT_NOT_ENFORCED, enforcer.describe());
      return;
    }
    EgressPolicy egress = EgressPolicy.from(policy);
    QuarantineRules rules = QuarantineRules.of(MAIL_PORTS, allowedUsers.uids(order.getAllowedUsersList(), egress),
        order.getAllowedDestinationsList()).withAllowedApplications(allowedApplications.apply(egress));
    if (!force && installed.equals(Optional.of(rules))
        && enforcement == QuarantineEnforcement.QUARANTINE_ENFORCEMENT_ENFORCED) {
      return;
    }
    collectBlocked(); // the counters start again with the new table
    try {
      enforcer.install(rules);
      installed = Optional.of(rules);
      lastRead.clear();
      String ignored = rules.ignored().isEmpty() ? ""
          : "; ignored (not an IP address or prefix): " + String.join(", ", rules.ignored().stream().limit(5).toList());
      setState(QuarantineEnforcement.QUARANTINE_ENFORCEMENT_ENFORCED, enforcer.describe()
          + (rules.allowedUids().isEmpty() ? "" : "; users allowed: " + rules.allowedUids().stream()
              .map(u -> userNames.apply(u)).toList())
          + (rules.allowedApplications().isEmpty() ? "" : "; applications allowed: "
              + rules.allowedApplications().stream().limit(20).toList())
          + (rules.allowedDestinations().isEmpty() ? "" : "; destinations allowed: " + rules.allowedDestinations()
              .stream().map(QuarantineRules.Destination::text).toList())
          + ignored);
    } catch (IOException | RuntimeException e) {
      log.error("SMTP quarantine rules not installed (retried): {}", e.getMessage());
      setState(QuarantineEnforcement.QUARANTINE_ENFORCEMENT_FAILED, "rules not installed: " + e.getMessage());
    }
  }

  private void setState(QuarantineEnforcement e, String text) {
    String bounded = text.length() > 1000 ? text.substring(0, 1000) : text;
    if (e != enforcement || !bounded.equals(detail)) {
      enforcement = e;
      detail = bounded;
      changed = true;
    }
  }

  /** Folds what the rules counted since the last read into the pending attempts. */
  private void collectBlocked() {
    if (installed.isEmpty()) {
      return;
    }
    List<QuarantineEnforcer.BlockedCount> counts;
    try {
      counts = enforcer.blockedSoFar();
    } catch (IOException e) {
      log.debug("Refused SMTP attempts not read: {}", e.getMessage());
      return;
    }
    for (QuarantineEnforcer.BlockedCount c : counts) {
      long before = lastRead.getOrDefault(c.key(), 0L);
      long delta = c.attempts() >= before ? c.attempts() - before : c.attempts();
      lastRead.put(c.key(), c.attempts());
      if (delta <= 0 || (pending.size() >= MAX_BLOCKED * 4 && !pending.containsKey(c.key()))) {
        continue;
      }
      String user = c.uid() == QuarantineEnforcer.BlockedCount.UNKNOWN_UID ? "" : userNames.apply(c.uid());
      BlockedSmtpAttempt.Builder attempt = BlockedSmtpAttempt.newBuilder().setIp(c.ip()).setPort(c.port())
          .setUser(user).setAttempts(delta);
      // The platform's own record of the program (Windows 5157) beats the egress watch's guess.
      Optional<io.labscan.agent.checks.egress.ProcessInfo> process = c.processPath().isEmpty()
          ? processOf(c.ip(), c.port(), user)
          : Optional.of(new io.labscan.agent.checks.egress.ProcessInfo(0,
              EgressPolicy.fileName(c.processPath()), c.processPath(), user));
      process.ifPresent(p -> attempt.setProcessName(clip(p.name(), ReportLimits.MAX_STRING))
          .setProcessPath(clip(p.path(), ReportLimits.MAX_PATH)));
      pending.merge(c.key(), attempt.build(), (a, b) -> {
        BlockedSmtpAttempt.Builder merged = a.toBuilder().setAttempts(a.getAttempts() + b.getAttempts());
        if (!b.getProcessName().isEmpty() || !b.getProcessPath().isEmpty()) {
          merged.setProcessName(b.getProcessName()).setProcessPath(b.getProcessPath()); // the latest one seen
        }
        return merged.build();
      });
    }
  }

  /**
   * The process the egress watch last attributed to a connection to this destination by this
   * user; empty when unknown (no watch, or the attempt was too short-lived to attribute) or when
   * the lookup fails (a report without a process beats no report).
   */
  private Optional<io.labscan.agent.checks.egress.ProcessInfo> processOf(String ip, int port, String user) {
    try {
      return io.labscan.agent.checks.egress.Endpoint.parse(ip, port).flatMap(e -> senders.lastSender(e, user));
    } catch (RuntimeException e) {
      log.debug("Process of a refused SMTP attempt not looked up: {}", e.toString());
      return Optional.empty();
    }
  }

  /** At most {@code max} characters, never splitting a surrogate pair (the controller's limits, ReportLimits). */
  static String clip(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, end);
  }

  /** Controller text in the agent's log: one line, no control or format characters, bounded. */
  static String printable(String s) {
    String bounded = s.length() > 200 ? s.substring(0, 200) + "..." : s;
    return bounded.codePoints().map(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
  }

  private Optional<QuarantineOrder> readState() {
    try {
      String text = Files.readString(stateFile, StandardCharsets.UTF_8);
      QuarantineOrder.Builder b = QuarantineOrder.newBuilder();
      JsonFormat.parser().ignoringUnknownFields().merge(text, b);
      return Optional.of(b.build());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      // Unreadable: the rules stay as they are until the controller's next order decides.
      log.error("SMTP quarantine state {} unreadable ({}); rules left as they are until the controller's order.",
          stateFile, e.getMessage());
      return Optional.empty();
    }
  }

  private void writeState(QuarantineOrder next) throws IOException {
    try {
      OwnerOnlyFiles.writeSecret(stateFile, JsonFormat.printer().print(next) + "\n");
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(e);
    }
  }
}
