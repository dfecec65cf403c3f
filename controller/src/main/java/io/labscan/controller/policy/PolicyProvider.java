package io.labscan.controller.policy;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.controller.quarantine.Quarantines;
import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.QuarantineOrder;
import io.labscan.proto.v1.Policy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The policy handed to agents: the built-in defaults, the fleet key for harvested-address
 * digests (generated once per installation), and what operators set in the store (an
 * artifact rule set, the egress settings, which hosts are mail servers). Each change bumps the
 * policy version; agents pick it up from their next heartbeat, or at once through the command
 * stream.
 */
public final class PolicyProvider {
  public static final String FLEET_KEY = "fleet-harvest-key";
  /** The host role that makes a host a mail server: all its SMTP egress is allowed. */
  public static final String MAIL_SERVER_ROLE = "mail-server";
  static final String REVISION = "policy-revision";
  static final String ARTIFACT_RULES = "artifact-rules";
  static final String ARTIFACT_RULES_NAME = "artifact-rules-name";
  static final String EGRESS_EVENT_MODE = "egress-event-mode";
  static final String EGRESS_ALLOWLIST = io.labscan.controller.verdict.EgressAllowance.SETTING;
  static final String EGRESS_WINDOW = "egress-window-seconds";
  /** Check time budgets, one {@code name=seconds} a line (policy {@code check_budget_seconds}). */
  static final String CHECK_BUDGETS = "check-budget-seconds";
  /** The agents' resource budget (policy fields 80, 81): bytes, and percent of one core. */
  static final String AGENT_MEMORY_BUDGET = "agent-memory-budget-bytes";
  static final String AGENT_CPU_BUDGET = "agent-cpu-budget-percent";
  /** How long a read policy is reused: a change made by another process shows within this. */
  static final Duration CACHE = Duration.ofSeconds(2);

  private final Storage store;
  private final Quarantines quarantines;
  private final Clock clock;
  private final byte[] fleetKey;
  private volatile @Nullable Snapshot cached;
  private volatile Instant cachedAt = Instant.MIN;

  /** The fleet policy and the hosts that get it with {@code mail_server} set, read together. */
  private record Snapshot(Policy fleet, Set<String> mailServers, Map<String, QuarantineOrder> quarantine) {}

  /** The composition root's policy: each host's quarantine order read through the shared {@link Quarantines}. */
  public PolicyProvider(Storage store, Quarantines quarantines, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.quarantines = requireNonNull(quarantines, "quarantines");
    this.clock = requireNonNull(clock, "clock");
    this.fleetKey = store.secret(FLEET_KEY);
  }

  /** The fleet-wide policy (read again from the store at most every {@link #CACHE}). */
  public Policy current() {
    return snapshot().fleet();
  }

  /** The policy of one host: the fleet's, with {@code mail_server} set for mail servers. */
  public Policy policyFor(String hostId) {
    requireNonNull(hostId, "hostId");
    Snapshot s = snapshot();
    Policy p = s.mailServers().contains(hostId) ? s.fleet().toBuilder().setMailServer(true).build() : s.fleet();
    QuarantineOrder order = s.quarantine().get(hostId);
    return order == null ? p : p.toBuilder().setQuarantine(order).build();
  }

  private Snapshot snapshot() {
    Instant now = clock.instant();
    Snapshot s = cached;
    if (s == null || Duration.between(cachedAt, now).compareTo(CACHE) >= 0) {
      s = load();
      cached = s;
      cachedAt = now;
    }
    return s;
  }

  public byte[] fleetKey() {
    return fleetKey.clone();
  }

  private Snapshot load() {
    // One statement: the version and the content it numbers come from the same commit.
    Map<String, byte[]> settings = store.settings(List.of(REVISION, ARTIFACT_RULES, ARTIFACT_RULES_NAME,
        EGRESS_EVENT_MODE, EGRESS_ALLOWLIST, EGRESS_WINDOW, CHECK_BUDGETS, AGENT_MEMORY_BUDGET, AGENT_CPU_BUDGET));
    Policy.Builder b = PolicyDefaults.defaults().toBuilder()
        .setVersion(1 + revision(settings))
        .setHarvestKey(ByteString.copyFrom(fleetKey))
        .setHarvestKeyId(keyId(fleetKey));
    Optional.ofNullable(settings.get(ARTIFACT_RULES)).ifPresent(rules -> b.setArtifactRules(ByteString.copyFrom(rules)));
    Optional.ofNullable(settings.get(ARTIFACT_RULES_NAME))
        .ifPresent(n -> b.setArtifactRulesName(new String(n, StandardCharsets.UTF_8)));
    EgressSettings egress = egressSettings(settings);
    b.setEgressEventMode(egress.eventMode()).addAllSmtpProcessAllowlist(egress.processAllowlist());
    egress.window().ifPresent(w -> b.setEgressWindowSeconds(w.toSeconds()));
    b.putAllCheckBudgetSeconds(checkBudgets(settings));
    AgentBudget budget = agentBudget(settings);
    b.setAgentMemoryBudgetBytes(budget.memoryBytes()).setAgentCpuBudgetPercent(budget.cpuPercent());
    // Each host's newest quarantine order (released ones too: an agent that missed the release gets it).
    Map<String, io.labscan.controller.quarantine.QuarantineRecord> latest = quarantines.latestByHost();
    Map<String, QuarantineOrder> orders = new java.util.HashMap<>();
    if (!latest.isEmpty()) {
      List<String> destinations = quarantines.allowedDestinations();
      List<String> users = Quarantines.allowedUsers(store);
      latest.forEach((host, r) -> orders.put(host, Quarantines.order(r, destinations, users)));
    }
    return new Snapshot(b.build(), store.hostsWithRole(MAIL_SERVER_ROLE), orders);
  }

  /**
   * Replaces the artifact rule set pushed to agents (empty bytes: back to the built-in one)
   * and bumps the policy version (returned). The caller validates the rule set first.
   */
  public long setArtifactRules(String name, byte[] rules) {
    Map<String, byte[]> values = new LinkedHashMap<>();
    values.put(ARTIFACT_RULES, rules);
    values.put(ARTIFACT_RULES_NAME, rules.length == 0 ? new byte[0] : name.getBytes(StandardCharsets.UTF_8));
    return change(values);
  }

  /** The egress settings operators stored; {@link EgressSettings#defaults()} when none. */
  public EgressSettings egressSettings() {
    return egressSettings(store.settings(List.of(EGRESS_EVENT_MODE, EGRESS_ALLOWLIST, EGRESS_WINDOW)));
  }

  private static EgressSettings egressSettings(Map<String, byte[]> settings) {
    boolean events = Optional.ofNullable(settings.get(EGRESS_EVENT_MODE)).map(v -> "true".equals(text(v)))
        .orElse(false);
    List<String> allowed = Optional.ofNullable(settings.get(EGRESS_ALLOWLIST))
        .map(v -> text(v).lines().filter(l -> !l.isBlank()).toList()).orElse(List.of());
    Optional<Duration> window = Optional.ofNullable(settings.get(EGRESS_WINDOW))
        .map(v -> Duration.ofSeconds(Long.parseLong(text(v))));
    return new EgressSettings(events, allowed, window);
  }

  /** Stores the egress settings and bumps the policy version. */
  public long setEgressSettings(EgressSettings settings) {
    requireNonNull(settings, "settings");
    Map<String, byte[]> values = new LinkedHashMap<>();
    values.put(EGRESS_EVENT_MODE, ascii(Boolean.toString(settings.eventMode())));
    values.put(EGRESS_ALLOWLIST, String.join("\n", settings.processAllowlist()).getBytes(StandardCharsets.UTF_8));
    values.put(EGRESS_WINDOW, settings.window().map(w -> ascii(Long.toString(w.toSeconds()))).orElse(new byte[0]));
    return change(values);
  }

  /**
   * The check time budgets operators set, in seconds, by check name (empty: every check has
   * its built-in budget). Lines that do not parse are ignored: the agent then uses the
   * built-in budget, which is always safe.
   */
  public Map<String, Long> checkBudgets() {
    return checkBudgets(store.settings(List.of(CHECK_BUDGETS)));
  }

  private static Map<String, Long> checkBudgets(Map<String, byte[]> settings) {
    Map<String, Long> budgets = new TreeMap<>();
    Optional.ofNullable(settings.get(CHECK_BUDGETS)).ifPresent(v -> text(v).lines().forEach(line -> {
      int eq = line.indexOf('=');
      if (eq > 0) {
        try {
          long seconds = Long.parseLong(line.substring(eq + 1).trim());
          if (seconds > 0) {
            budgets.put(line.substring(0, eq).trim(), seconds);
          }
        } catch (NumberFormatException ignored) {
          // not ours to guess
        }
      }
    }));
    return budgets;
  }

  /** Stores the check time budgets (seconds by check name) and bumps the policy version. */
  public long setCheckBudgets(Map<String, Long> budgets) {
    requireNonNull(budgets, "budgets");
    StringBuilder lines = new StringBuilder();
    new TreeMap<>(budgets).forEach((name, seconds) -> lines.append(name).append('=').append(seconds).append('\n'));
    Map<String, byte[]> values = new LinkedHashMap<>();
    values.put(CHECK_BUDGETS, ascii(lines.toString()));
    return change(values);
  }

  /**
   * The agents' resource budget operators set ({@code policy --agent-memory-budget,
   * --agent-cpu-budget}); the defaults (96 MiB, 2 %) where unset or unreadable.
   */
  public AgentBudget agentBudget() {
    return agentBudgetOf(store);
  }

  /** As {@link #agentBudget()}, for readers that need no policy (no fleet key is made). */
  public static AgentBudget agentBudgetOf(Storage store) {
    return agentBudget(store.settings(List.of(AGENT_MEMORY_BUDGET, AGENT_CPU_BUDGET)));
  }

  private static AgentBudget agentBudget(Map<String, byte[]> settings) {
    AgentBudget d = AgentBudget.defaults();
    long memory = d.memoryBytes();
    double cpu = d.cpuPercent();
    try {
      byte[] m = settings.get(AGENT_MEMORY_BUDGET);
      if (m != null && m.length > 0) {
        memory = Long.parseLong(text(m).trim());
      }
      byte[] c = settings.get(AGENT_CPU_BUDGET);
      if (c != null && c.length > 0) {
        cpu = Double.parseDouble(text(c).trim());
      }
      return new AgentBudget(memory, cpu);
    } catch (IllegalArgumentException e) {
      return d; // not ours to guess: the defaults are always safe
    }
  }

  /** Stores the agents' resource budget and bumps the policy version. */
  public long setAgentBudget(AgentBudget budget) {
    requireNonNull(budget, "budget");
    Map<String, byte[]> values = new LinkedHashMap<>();
    values.put(AGENT_MEMORY_BUDGET, ascii(Long.toString(budget.memoryBytes())));
    values.put(AGENT_CPU_BUDGET, ascii(Double.toString(budget.cpuPercent())));
    return change(values);
  }

  /**
   * Makes a host a mail server (or an ordinary host again): its agent gets {@code mail_server}
   * with the next policy, and its verdict never holds SMTP egress against it. Bumps the policy
   * version so that connected agents hear of it at once.
   */
  public long setMailServer(String hostId, boolean mailServer) {
    requireNonNull(hostId, "hostId");
    store.setRole(hostId, MAIL_SERVER_ROLE, mailServer).join();
    return change(Map.of());
  }

  /** Bumps the policy version (a host's quarantine changed): connected agents get their policy again. */
  public static void bumpRevision(Storage store) {
    store.putSettingsAndIncrement(Map.of(), REVISION).join();
  }

  /**
   * Stores {@code values} and bumps the policy revision in one transaction; returns the new
   * policy version. The next {@link #current()} in this process reads the store again.
   */
  private long change(Map<String, byte[]> values) {
    long revision = store.putSettingsAndIncrement(values, REVISION).join();
    cached = null;
    return 1 + revision;
  }

  /** Forgets the cached policy: the next read goes to the store (the change feed saw a commit). */
  public void invalidate() {
    cached = null;
  }

  private static long revision(Map<String, byte[]> settings) {
    return Optional.ofNullable(settings.get(REVISION)).map(b -> Long.parseLong(text(b).trim())).orElse(0L);
  }

  private static String text(byte[] value) {
    return new String(value, StandardCharsets.UTF_8);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** A short public identifier of a key: the first 8 bytes of its SHA-256, in hex. */
  public static String keyId(byte[] key) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key);
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }
}
