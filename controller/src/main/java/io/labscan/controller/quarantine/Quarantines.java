package io.labscan.controller.quarantine;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.labscan.controller.text.LogText;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import io.labscan.proto.v1.BlockedSmtpAttempt;
import io.labscan.proto.v1.QuarantineOrder;
import io.labscan.proto.v1.QuarantineStatus;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMTP quarantine on the controller's side (docs/egress.md, "Quarantine"): orders (who, when,
 * why), what agents report back (state, refused attempts), and the policy rules "quarantine
 * automatically when INFECTED with confidence high" (off by default) and "release when CLEAN again".
 *
 * <p>An order changes the host's policy: it bumps the policy version, so the running controller
 * pushes it within seconds (a {@code quarantine} command and the policy), and an agent that was
 * offline gets it with its next heartbeat's policy. Nothing here runs on the agent's behalf: a
 * controller that is down orders nothing, and the agent keeps the last order it got.
 */
public final class Quarantines {
  private static final Logger log = LoggerFactory.getLogger(Quarantines.class);
  /** Settings key: "true" when INFECTED hosts with confidence high are quarantined automatically. */
  public static final String AUTO_SETTING = "quarantine-auto";
  /** Settings key: destinations (IP or CIDR, one a line) every quarantined host may still reach. */
  public static final String RELAYS_SETTING = "quarantine-relays";
  /** Settings key: local user names (one a line) whose processes a quarantined host still lets send. */
  public static final String USERS_SETTING = "quarantine-allowed-users";
  /** A local user name as Debian's adduser allows it, or a uid. */
  private static final java.util.regex.Pattern USER_NAME = java.util.regex.Pattern.compile(
      "[a-z_][a-z0-9_-]{0,31}\\$?|[0-9]{1,10}");
  /**
   * The policy's revision setting and the mail-server role, as {@code policy.PolicyProvider} names
   * them (the policy package reads this one; naming them here keeps the packages free of a cycle,
   * and {@code QuarantinesTest} checks that an order bumps the policy version).
   */
  static final String POLICY_REVISION = "policy-revision";
  static final String MAIL_SERVER_ROLE = "mail-server";

  /** Bumps the policy version: connected agents get their (changed) policy again. */
  private static void bumpPolicy(Storage store) {
    store.putSettingsAndIncrement(Map.of(), POLICY_REVISION).join();
  }

  /** Who the automatic rules are, in the records. */
  public static final String AUTO_BY = "policy: auto-quarantine";
  public static final String CLEAN_BY = "policy: release when CLEAN";
  /** The reason codes that count as independent evidence for "confidence high". */
  static final Set<String> STRONG_CODES = Set.of("artifact", "smtp-egress", "complaint");
  /** Refused-attempt rows kept per host (a lying agent cannot grow the table without bound). */
  static final int MAX_BLOCKED_ROWS = 4096;
  static final int MAX_TEXT = 1024;

  private final Storage store;
  private final Clock clock;

  public Quarantines(Storage store, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
  }

  /** The outcome of an order: the host's current record, and whether this call changed it. */
  public record Change(QuarantineRecord record, boolean changed) {}

  /** Quarantines a host (nothing changes when it already is). */
  public Change quarantine(String hostId, String by, String reason) {
    return order(hostId, true, by, reason);
  }

  /** Releases a host (nothing changes when it is not quarantined). */
  public Change release(String hostId, String by, String reason) {
    return order(hostId, false, by, reason);
  }

  private Change order(String hostId, boolean quarantined, String by, String reason) {
    requireNonNull(hostId, "hostId");
    String who = bounded(requireNonNull(by, "by"));
    String why = bounded(requireNonNull(reason, "reason").strip());
    Instant now = clock.instant();
    Change change = store.write(db -> {
      Optional<QuarantineRecord> current = latest(db, hostId);
      if (current.map(QuarantineRecord::quarantined).orElse(false) == quarantined) {
        return current.map(c -> new Change(c, false)).orElseGet(() ->
            new Change(new QuarantineRecord(0, hostId, false, "", "", Instant.EPOCH), false));
      }
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO quarantine_orders"
          + "(host_id, quarantined, by_whom, reason, at_ms) VALUES (?,?,?,?,?)")) {
        ps.setString(1, hostId);
        ps.setInt(2, quarantined ? 1 : 0);
        ps.setString(3, who);
        ps.setString(4, why);
        ps.setLong(5, now.toEpochMilli());
        ps.executeUpdate();
      }
      return new Change(latest(db, hostId).orElseThrow(), true);
    }).join();
    if (change.changed()) {
      bumpPolicy(store);
      audit(change.record());
    }
    return change;
  }

  /**
   * The one place every quarantine and release passes: the controller's log (WARN) and the
   * append-only audit log (who, host, why; docs/dashboard.md "Audit log").
   */
  private void audit(QuarantineRecord r) {
    log.warn("Host {} {}", r.hostId(), LogText.of(r.describe()));
    // Every order, by a person or by the automatic rule, is kept in the append-only audit log.
    new io.labscan.controller.audit.AuditLog(store, clock).record(
        r.by().isBlank() || r.by().startsWith("policy:") ? io.labscan.controller.audit.Actor.system("quarantine")
            : io.labscan.controller.audit.Actor.user(r.by()),
        r.quarantined() ? io.labscan.controller.audit.Actions.HOST_QUARANTINE
            : io.labscan.controller.audit.Actions.HOST_RELEASE,
        r.hostId(), r.reason(), io.labscan.controller.audit.Source.system());
  }

  /** The host's current order (its newest), if it ever had one. */
  public Optional<QuarantineRecord> current(String hostId) {
    return store.read(db -> latest(db, hostId));
  }

  /** Whether the host is quarantined now. */
  public boolean isQuarantined(String hostId) {
    return current(hostId).map(QuarantineRecord::quarantined).orElse(false);
  }

  /** Every order of the host, oldest first. */
  public List<QuarantineRecord> history(String hostId) {
    return store.read(db -> records(db, "SELECT revision, host_id, quarantined, by_whom, reason, at_ms "
        + "FROM quarantine_orders WHERE host_id = ? ORDER BY revision", hostId));
  }

  /** The newest order of every host that ever had one. */
  public Map<String, QuarantineRecord> latestByHost() {
    Map<String, QuarantineRecord> out = new HashMap<>();
    store.read(db -> records(db, "SELECT o.revision, o.host_id, o.quarantined, o.by_whom, o.reason, o.at_ms "
        + "FROM quarantine_orders o JOIN (SELECT host_id, MAX(revision) AS r FROM quarantine_orders GROUP BY host_id) m "
        + "ON o.revision = m.r", null)).forEach(r -> out.put(r.hostId(), r));
    return out;
  }

  /** The hosts quarantined now. */
  public Set<String> quarantinedHosts() {
    Set<String> out = new TreeSet<>();
    latestByHost().values().stream().filter(QuarantineRecord::quarantined).forEach(r -> out.add(r.hostId()));
    return out;
  }

  /** The order an agent gets for {@code r}. */
  public static QuarantineOrder order(QuarantineRecord r, List<String> allowedDestinations) {
    return order(r, allowedDestinations, List.of());
  }

  /** The order an agent gets for {@code r}, letting {@code allowedUsers} send too. */
  public static QuarantineOrder order(QuarantineRecord r, List<String> allowedDestinations, List<String> allowedUsers) {
    return QuarantineOrder.newBuilder()
        .setRevision(r.revision())
        .setQuarantined(r.quarantined())
        .setSince(Timestamps.fromMillis(r.at().toEpochMilli()))
        .setBy(r.by())
        .setReason(r.reason())
        .addAllAllowedDestinations(r.quarantined() ? allowedDestinations : List.of())
        .addAllAllowedUsers(r.quarantined() ? allowedUsers : List.of())
        .build();
  }

  /**
   * What a quarantined host may still reach on the SMTP ports: the relays operators set
   * ({@code policy --quarantine-relay}) and the current addresses of the hosts with the
   * mail-server role.
   */
  public List<String> allowedDestinations() {
    Set<String> out = new LinkedHashSet<>(relays(store));
    for (String id : store.hostsWithRole(MAIL_SERVER_ROLE)) {
      store.host(id).map(HostSummary::currentAddresses).ifPresent(out::addAll);
    }
    return List.copyOf(out);
  }

  /** The user names operators allowed ({@code policy --quarantine-allow-user}). */
  public static List<String> allowedUsers(Storage store) {
    return store.setting(USERS_SETTING).map(v -> new String(v, StandardCharsets.UTF_8).lines()
        .map(String::strip).filter(l -> !l.isEmpty()).toList()).orElse(List.of());
  }

  /** Whether {@code name} can be a local user name (or uid): nothing else reaches an agent. */
  public static boolean isUserName(String name) {
    return USER_NAME.matcher(name).matches();
  }

  /** Stores the allowed users and bumps the policy version. */
  public static void setAllowedUsers(Storage store, List<String> users) {
    store.putSettings(Map.of(USERS_SETTING, String.join("\n", users).getBytes(StandardCharsets.UTF_8))).join();
    bumpPolicy(store);
  }

  public static boolean autoQuarantine(Storage store) {
    return store.setting(AUTO_SETTING).map(v -> "true".equals(new String(v, StandardCharsets.UTF_8))).orElse(false);
  }

  public static void setAutoQuarantine(Storage store, boolean on) {
    store.putSettings(Map.of(AUTO_SETTING, Boolean.toString(on).getBytes(StandardCharsets.US_ASCII))).join();
  }

  public static List<String> relays(Storage store) {
    return store.setting(RELAYS_SETTING).map(v -> new String(v, StandardCharsets.UTF_8).lines()
        .map(String::strip).filter(l -> !l.isEmpty()).toList()).orElse(List.of());
  }

  /** Stores the relays and bumps the policy version (quarantined agents get the new list). */
  public static void setRelays(Storage store, List<String> relays) {
    store.putSettings(Map.of(RELAYS_SETTING, String.join("\n", relays).getBytes(StandardCharsets.UTF_8))).join();
    bumpPolicy(store);
  }

  /**
   * "INFECTED with confidence high": the verdict is INFECTED and rests on at least two
   * independent kinds of evidence among the worm's artifact on disk, SMTP egress policy does not
   * allow, and a complaint traced to the host. One kind alone (a leftover file, one complaint)
   * never quarantines a machine automatically; an admin still can.
   */
  public static boolean infectedWithHighConfidence(Verdict verdict, List<Reason> reasons) {
    if (verdict != Verdict.INFECTED) {
      return false;
    }
    return reasons.stream().map(Reason::code).filter(STRONG_CODES::contains).distinct().count() >= 2;
  }

  /**
   * The automatic rules, once: with auto-quarantine on, every host INFECTED with confidence high
   * that is not quarantined is (unless an admin released it after the verdict began); and every
   * quarantined host whose verdict turned CLEAN (from another verdict) after its quarantine is
   * released.
   *
   * @return the changes made
   */
  public List<QuarantineRecord> sweep() {
    List<QuarantineRecord> out = new ArrayList<>();
    Map<String, QuarantineRecord> latest = latestByHost();
    if (autoQuarantine(store)) {
      for (String hostId : store.read(db -> ids(db, "SELECT host_id FROM verdicts WHERE verdict = 'INFECTED'"))) {
        Optional<QuarantineRecord> current = Optional.ofNullable(latest.get(hostId));
        if (current.map(QuarantineRecord::quarantined).orElse(false)) {
          continue;
        }
        Optional<VerdictRecord> v = store.verdict(hostId);
        if (v.isEmpty() || !infectedWithHighConfidence(v.get().verdict(), v.get().reasons())) {
          continue;
        }
        if (current.isPresent() && !current.get().at().isBefore(v.get().since())) {
          continue; // released after this verdict began: the admin's word stands until the verdict changes
        }
        Change c = quarantine(hostId, AUTO_BY, "INFECTED with confidence high ("
            + String.join(", ", v.get().reasons().stream().map(Reason::code).filter(STRONG_CODES::contains)
                .distinct().sorted().toList()) + ")");
        if (c.changed()) {
          out.add(c.record());
        }
      }
    }
    for (QuarantineRecord r : latest.values()) {
      if (!r.quarantined()) {
        continue;
      }
      Optional<VerdictRecord> v = store.verdict(r.hostId());
      if (v.isPresent() && v.get().verdict() == Verdict.CLEAN && v.get().since().isAfter(r.at())
          && turnedClean(store.history(r.hostId()))) {
        Change c = release(r.hostId(), CLEAN_BY, "verdict CLEAN since " + v.get().since());
        if (c.changed()) {
          out.add(c.record());
        }
      }
    }
    return out;
  }

  /**
   * Whether the newest verdict of {@code history} (oldest first) is a change <em>to</em> CLEAN from
   * another verdict: a host's very first verdict being CLEAN is no "CLEAN again".
   */
  static boolean turnedClean(List<VerdictRecord> history) {
    int n = history.size();
    return n >= 2 && history.get(n - 1).verdict() == Verdict.CLEAN && history.get(n - 2).verdict() != Verdict.CLEAN;
  }

  /** What the agent last reported of its quarantine. */
  public record AgentState(long revision, boolean quarantined, String enforcement, String detail, Instant reported) {}

  /** Refused attempts summed per destination, user and process. */
  public record Blocked(String ip, int port, String user, String process, long attempts, Instant first,
      Instant last) {}

  /** Stores what an agent reported, and waits for the commit. */
  public void recordStatus(String hostId, QuarantineStatus status, Instant at) {
    recordStatusLater(hostId, status, at).join();
  }

  /**
   * Stores what an agent reported without waiting (ingest listeners run on the store's writer
   * thread, which must never wait for its own queue).
   */
  public java.util.concurrent.CompletableFuture<Void> recordStatusLater(String hostId, QuarantineStatus status,
      Instant at) {
    requireNonNull(hostId, "hostId");
    requireNonNull(status, "status");
    return store.update(db -> {
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO quarantine_agent_state"
          + "(host_id, revision, quarantined, enforcement, detail, reported_ms) VALUES (?,?,?,?,?,?) "
          + "ON CONFLICT(host_id) DO UPDATE SET revision = excluded.revision, quarantined = excluded.quarantined, "
          + "enforcement = excluded.enforcement, detail = excluded.detail, reported_ms = excluded.reported_ms")) {
        ps.setString(1, hostId);
        ps.setLong(2, status.getRevision());
        ps.setInt(3, status.getQuarantined() ? 1 : 0);
        ps.setString(4, status.getEnforcement().name().replace("QUARANTINE_ENFORCEMENT_", ""));
        ps.setString(5, bounded(status.getDetail()));
        ps.setLong(6, at.toEpochMilli());
        ps.executeUpdate();
      }
      long rows;
      try (PreparedStatement ps = db.prepareStatement("SELECT COUNT(*) FROM quarantine_blocked WHERE host_id = ?")) {
        ps.setString(1, hostId);
        try (ResultSet rs = ps.executeQuery()) {
          rows = rs.next() ? rs.getLong(1) : 0;
        }
      }
      try (PreparedStatement update = db.prepareStatement("UPDATE quarantine_blocked SET attempts = attempts + ?, "
              + "last_ms = ? WHERE host_id = ? AND ip = ? AND port = ? AND \"user\" = ? AND process = ?");
          PreparedStatement insert = db.prepareStatement("INSERT INTO quarantine_blocked"
              + "(host_id, ip, port, \"user\", process, attempts, first_ms, last_ms) VALUES (?,?,?,?,?,?,?,?)")) {
        for (BlockedSmtpAttempt b : status.getBlockedList()) {
          long attempts = Math.max(0, b.getAttempts());
          String process = bounded(b.getProcessPath().isEmpty() ? b.getProcessName() : b.getProcessPath());
          update.setLong(1, attempts);
          update.setLong(2, at.toEpochMilli());
          update.setString(3, hostId);
          update.setString(4, bounded(b.getIp()));
          update.setInt(5, b.getPort());
          update.setString(6, bounded(b.getUser()));
          update.setString(7, process);
          if (update.executeUpdate() == 0 && rows < MAX_BLOCKED_ROWS) {
            insert.setString(1, hostId);
            insert.setString(2, bounded(b.getIp()));
            insert.setInt(3, b.getPort());
            insert.setString(4, bounded(b.getUser()));
            insert.setString(5, process);
            insert.setLong(6, attempts);
            insert.setLong(7, at.toEpochMilli());
            insert.setLong(8, at.toEpochMilli());
            insert.executeUpdate();
            rows++;
          }
        }
      }
    });
  }

  public Optional<AgentState> agentState(String hostId) {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT revision, quarantined, enforcement, detail, reported_ms "
          + "FROM quarantine_agent_state WHERE host_id = ?")) {
        ps.setString(1, hostId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(new AgentState(rs.getLong(1), rs.getInt(2) != 0, rs.getString(3),
              rs.getString(4), Instant.ofEpochMilli(rs.getLong(5)))) : Optional.<AgentState>empty();
        }
      }
    });
  }

  /** The refused attempts of a host, most first, at most {@code limit}. */
  public List<Blocked> blocked(String hostId, int limit) {
    return store.read(db -> {
      List<Blocked> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement("SELECT ip, port, \"user\", process, attempts, first_ms, last_ms "
          + "FROM quarantine_blocked WHERE host_id = ? ORDER BY attempts DESC, ip LIMIT ?")) {
        ps.setString(1, hostId);
        ps.setInt(2, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Blocked(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7))));
          }
        }
      }
      return out;
    });
  }

  private static Optional<QuarantineRecord> latest(Connection db, String hostId) throws SQLException {
    return records(db, "SELECT revision, host_id, quarantined, by_whom, reason, at_ms FROM quarantine_orders "
        + "WHERE host_id = ? ORDER BY revision DESC LIMIT 1", hostId).stream().findFirst();
  }

  private static List<QuarantineRecord> records(Connection db, String sql, @org.jspecify.annotations.Nullable String arg) throws SQLException {
    List<QuarantineRecord> out = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      if (arg != null) {
        ps.setString(1, arg);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new QuarantineRecord(rs.getLong(1), rs.getString(2), rs.getInt(3) != 0, rs.getString(4),
              rs.getString(5), Instant.ofEpochMilli(rs.getLong(6))));
        }
      }
    }
    return out;
  }

  private static List<String> ids(Connection db, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static String bounded(String s) {
    return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
  }
}
