package io.labscan.controller.fleet;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Storage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import io.labscan.controller.store.HostSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The {@code lab_rules} table, and which lab a host belongs to. */
public final class LabRules {
  /** Lab of hosts that no rule places and whose agent names none. */
  public static final String UNASSIGNED = "(unassigned)";

  private final Storage store;
  private final Clock clock;

  public LabRules(Storage store, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Rules in the order they are tried. Rows that no longer parse are skipped. */
  public List<LabRule> list() {
    return store.read(db -> {
      List<LabRule> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT rule_id, position, lab, kind, pattern FROM lab_rules ORDER BY position, rule_id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String id = rs.getString(1);
          int position = rs.getInt(2);
          String lab = rs.getString(3);
          String pattern = rs.getString(5);
          Optional<LabRule.Kind> kind = LabRule.Kind.parse(rs.getString(4));
          try {
            kind.ifPresent(k -> out.add(new LabRule(id, position, lab, k, pattern)));
          } catch (IllegalArgumentException skipped) {
            // written by hand into the database; the API never stores such a rule
          }
        }
      }
      return out;
    });
  }

  /** Appends a rule (tried after the existing ones). */
  public LabRule add(String lab, LabRule.Kind kind, String pattern) {
    LabRule probe = new LabRule("new", 0, lab, kind, pattern.trim());
    String id = UUID.randomUUID().toString();
    LabRule added = store.write(db -> {
      int position;
      try (PreparedStatement ps = db.prepareStatement("SELECT COALESCE(MAX(position), 0) + 1 FROM lab_rules");
          ResultSet rs = ps.executeQuery()) {
        position = rs.next() ? rs.getInt(1) : 1;
      }
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO lab_rules(rule_id, position, lab, kind, pattern, created_ms) VALUES (?,?,?,?,?,?)")) {
        ps.setString(1, id);
        ps.setInt(2, position);
        ps.setString(3, probe.lab());
        ps.setString(4, probe.kind().id());
        ps.setString(5, probe.pattern());
        ps.setLong(6, clock.millis());
        ps.executeUpdate();
      }
      return new LabRule(id, position, probe.lab(), probe.kind(), probe.pattern());
    }).join();
    refreshAll();
    return added;
  }

  /** Removes a rule; false when there was none with this id. */
  public boolean remove(String ruleId) {
    boolean removed = store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM lab_rules WHERE rule_id = ?")) {
        ps.setString(1, ruleId);
        return ps.executeUpdate() > 0;
      }
    }).join();
    if (removed) {
      refreshAll();
    }
    return removed;
  }

  /**
   * Computes every host's effective lab with the current rules and stores those that changed:
   * after a rule change, and when the controller starts. Returns how many changed.
   */
  public int refreshAll() {
    return refresh(store.hosts());
  }

  /**
   * Computes one host's effective lab and stores it if it changed (after its report arrived).
   * Waits for the write: never call it on the store's writer thread.
   */
  public int refresh(String hostId) {
    return store.host(requireNonNull(hostId, "hostId")).map(h -> refresh(List.of(h))).orElse(0);
  }

  private int refresh(List<HostSummary> hosts) {
    List<LabRule> rules = list();
    Map<String, HostSummary.EffectiveLab> changed = new LinkedHashMap<>();
    for (HostSummary h : hosts) {
      HostSummary.EffectiveLab now = stored(assign(rules, h.hostname(), h.currentAddresses(), h.lab()));
      if (!h.effectiveLab().equals(Optional.of(now))) {
        changed.put(h.hostId(), now);
      }
    }
    if (!changed.isEmpty()) {
      store.setEffectiveLabs(changed).join();
    }
    return changed.size();
  }

  /** An assignment as the host row stores it. */
  public static HostSummary.EffectiveLab stored(Assignment a) {
    return new HostSummary.EffectiveLab(a.lab(), a.source().name().toLowerCase(Locale.ROOT), a.ruleId().orElse(""));
  }

  /** A stored effective lab as an assignment (a source this build does not know reads as none). */
  public static Assignment assignment(HostSummary.EffectiveLab e) {
    Source source = switch (e.source()) {
      case "rule" -> Source.RULE;
      case "agent" -> Source.AGENT;
      default -> Source.NONE;
    };
    return new Assignment(e.lab(), source, e.ruleId().isEmpty() ? Optional.empty() : Optional.of(e.ruleId()));
  }

  /**
   * A host's effective lab: the stored one; for a host not computed yet (enrolled, no report
   * since), computed now by the same rule, so every reader shows the same lab.
   */
  public static Assignment effective(HostSummary h, java.util.function.Supplier<List<LabRule>> rules) {
    return h.effectiveLab().map(LabRules::assignment)
        .orElseGet(() -> assign(rules.get(), h.hostname(), h.currentAddresses(), h.lab()));
  }

  /** {@code hosts} with their effective lab filled in (stored, else computed now, not stored). */
  public List<HostSummary> withEffectiveLabs(List<HostSummary> hosts) {
    List<LabRule> rules = new ArrayList<>();
    boolean[] loaded = {false};
    java.util.function.Supplier<List<LabRule>> lazy = () -> {
      if (!loaded[0]) {
        rules.addAll(list());
        loaded[0] = true;
      }
      return rules;
    };
    return hosts.stream().map(h -> withLab(h, effective(h, lazy))).toList();
  }

  /** {@code h} carrying {@code lab} as its effective lab. */
  public static HostSummary withLab(HostSummary h, Assignment lab) {
    return new HostSummary(h.hostId(), h.hostname(), h.osFamily(), h.osVersion(), h.agentVersion(), h.lab(),
        h.elevated(), h.currentAddresses(), h.firstSeen(), h.lastSeen(), h.lastReport(), h.lastFullScan(), h.demo(),
        Optional.of(stored(lab)));
  }

  /** Where a host's lab came from. */
  public enum Source { RULE, AGENT, NONE }

  /** A host's lab and why. */
  public record Assignment(String lab, Source source, Optional<String> ruleId) {}

  /** The first matching rule wins; then the lab in the agent's configuration; else unassigned. */
  public static Assignment assign(List<LabRule> rules, String hostname, List<String> addresses, String agentLab) {
    for (LabRule rule : rules) {
      if (rule.matches(hostname, addresses)) {
        return new Assignment(rule.lab(), Source.RULE, Optional.of(rule.ruleId()));
      }
    }
    if (!agentLab.isBlank()) {
      return new Assignment(agentLab, Source.AGENT, Optional.empty());
    }
    return new Assignment(UNASSIGNED, Source.NONE, Optional.empty());
  }
}
