package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.labscan.contract.rules.RuleParseException;
import io.labscan.contract.rules.RuleSet;
import io.labscan.contract.rules.Signatures;
import io.labscan.proto.v1.Policy;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The artifact rule set in force: the built-in one, or the one the controller pushed in the
 * policy, plus the signatures the machine's own configuration loads. A pushed rule set that
 * does not parse is refused and the previous one stays in force: a typo on the controller
 * must not switch detection off across the fleet.
 */
public final class ActiveRuleSet implements Supplier<RuleSet> {
  private final Signatures localSignatures;
  private volatile RuleSet current;
  private volatile ByteString applied = ByteString.EMPTY;

  /** @param localSignatures ClamAV databases named in the agent's own configuration */
  public ActiveRuleSet(Signatures localSignatures) {
    this.localSignatures = requireNonNull(localSignatures, "localSignatures");
    this.current = compiled(RuleSet.builtIn().withSignatures(localSignatures));
  }

  /**
   * {@code rules} with its signatures compiled now, when it becomes active, rather than in the
   * first scan that uses it: a scan's time is spent scanning, as when the matchers were built
   * with the signatures.
   */
  private static RuleSet compiled(RuleSet rules) {
    CompiledSignatures.of(rules.signatures());
    return rules;
  }

  public static ActiveRuleSet builtIn() {
    return new ActiveRuleSet(Signatures.empty());
  }

  @Override
  public RuleSet get() {
    return current;
  }

  /**
   * Applies the policy's rule set (or returns to the built-in one when the policy has none).
   *
   * @return the problem, when the pushed rule set was refused
   */
  public Optional<String> apply(Policy policy) {
    requireNonNull(policy, "policy");
    ByteString rules = policy.getArtifactRules();
    if (rules.equals(applied)) {
      return Optional.empty();
    }
    if (rules.isEmpty()) {
      current = compiled(RuleSet.builtIn().withSignatures(localSignatures));
      applied = rules;
      return Optional.empty();
    }
    String name = policy.getArtifactRulesName().isBlank() ? "pushed rule set" : policy.getArtifactRulesName();
    try {
      RuleSet pushed = compiled(RuleSet.load(name, rules.newInput()).withSignatures(localSignatures));
      current = pushed;
      applied = rules;
      return Optional.empty();
    } catch (RuleParseException | IOException e) {
      return Optional.of("rule set from the controller refused, keeping " + current.source()
          + " version " + current.version() + ": " + e.getMessage());
    }
  }
}
