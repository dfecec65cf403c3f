package io.labscan.controller.verdict;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.rules.RuleParseException;
import io.labscan.contract.rules.RuleSet;
import io.labscan.proto.v1.FindingSeverity;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The controller's own catalogue of artifact rules: rule id to the severity this release (or the
 * rule set the controller pushes, {@code labscan-controller rules --set}) gives it. The verdict
 * weighs a finding by it, not by the severity the agent sent (issue 15, red-team round 5, R3 for
 * old agents): an agent of the previous release still reports {@code klez.double-extension} — a
 * saved worm attachment, exposure — as an infection, and a severity travels with every finding.
 *
 * <ul>
 *   <li><b>A rule the catalogue knows</b>: the catalogue's severity, in both directions. An agent
 *       that reports the worm's own file ({@code klez.system.wink-exe}) as merely suspicious does
 *       not downgrade it either.
 *   <li><b>A rule id the catalogue does not know</b> (a ClamAV signature name loaded on the agent,
 *       a rule of a newer agent): the agent's severity. Decided, not capped at "suspicious": a
 *       finding attaches only to the host whose agent sent the report, so an agent, honest or
 *       malicious, can make no <em>other</em> host INFECTED with it; and signature matches of
 *       databases loaded on agents are real infection evidence the controller cannot name in
 *       advance.
 *   <li><b>Downgrades</b>: an agent speaks only for its own host. Within the catalogue's rules it
 *       cannot lower a finding's weight, but a malicious agent can always leave a finding out of
 *       its report altogether, so what it says about its own host is its own business: the
 *       controller cannot prove a negative the agent refuses to report, and does not try.
 * </ul>
 */
public final class RuleCatalogue {
  /** Rule id to true when the catalogue says the rule is only a weak sign (SUSPICIOUS). */
  private final Map<String, Boolean> suspicious;

  private RuleCatalogue(Map<String, Boolean> suspicious) {
    this.suspicious = Map.copyOf(suspicious);
  }

  private static final RuleCatalogue BUILT_IN = of(RuleSet.builtIn(), Optional.empty());

  /** The last catalogue built from a pushed rule set, with the bytes it was built from. */
  private static volatile Optional<Cached> lastPushed = Optional.empty();

  private record Cached(byte[] rules, RuleCatalogue catalogue) {}

  /** This release's built-in rule set. */
  public static RuleCatalogue builtIn() {
    return BUILT_IN;
  }

  /**
   * The catalogue of the rule set the controller pushes ({@code pushed}, the stored setting), over
   * the built-in one: a rule the pushed set defines takes its severity from there, the others keep
   * the built-in's. An empty or unreadable pushed set leaves the built-in catalogue (agents then
   * use their built-in rules too, or refuse the unreadable set).
   */
  public static RuleCatalogue withPushed(Optional<byte[]> pushed) {
    requireNonNull(pushed, "pushed");
    if (pushed.isEmpty() || pushed.get().length == 0) {
      return BUILT_IN;
    }
    Optional<Cached> cached = lastPushed;
    if (cached.isPresent() && Arrays.equals(cached.get().rules(), pushed.get())) {
      return cached.get().catalogue();
    }
    RuleCatalogue built;
    try {
      built = of(RuleSet.load("pushed rule set", new ByteArrayInputStream(pushed.get())), Optional.of(BUILT_IN));
    } catch (RuleParseException | IOException | RuntimeException e) {
      built = BUILT_IN;
    }
    lastPushed = Optional.of(new Cached(pushed.get().clone(), built));
    return built;
  }

  private static RuleCatalogue of(RuleSet rules, Optional<RuleCatalogue> under) {
    Map<String, Boolean> m = new HashMap<>(under.map(u -> u.suspicious).orElse(Map.of()));
    for (String id : rules.ruleIds()) {
      m.put(id, rules.severityOf(id) == FindingSeverity.FINDING_SEVERITY_SUSPICIOUS);
    }
    return new RuleCatalogue(m);
  }

  /**
   * Whether a finding of {@code ruleId} is only a weak sign: the catalogue's word for a rule it
   * knows, {@code agentSaysSuspicious} for one it does not.
   */
  public boolean suspicious(String ruleId, boolean agentSaysSuspicious) {
    Boolean known = suspicious.get(requireNonNull(ruleId, "ruleId"));
    return known == null ? agentSaysSuspicious : known;
  }

  /** Whether the catalogue defines {@code ruleId}. */
  public boolean knows(String ruleId) {
    return suspicious.containsKey(ruleId);
  }
}
