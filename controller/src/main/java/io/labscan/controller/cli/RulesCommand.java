package io.labscan.controller.cli;

import io.labscan.controller.Controller;
import io.labscan.controller.policy.PolicyProvider;
import io.labscan.contract.rules.RuleParseException;
import io.labscan.contract.rules.RuleSet;
import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.Policy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labscan-controller rules}: the artifact rule set agents use. */
@Command(name = "rules", mixinStandardHelpOptions = true,
    description = {
      "Shows or replaces the artifact rule set pushed to every agent (docs/checks-artifacts.md).",
      "A new rule set is checked before it is stored; agents receive it within seconds when connected,",
      "otherwise at their next heartbeat. An agent that cannot parse it keeps its previous rule set."
    })
final class RulesCommand implements Callable<Integer> {
  /** Largest rule set accepted (the agent's own limit). */
  static final long MAX_BYTES = 4L << 20;

  @Mixin DatabaseOptions db;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Action action;

  static final class Action {
    @Option(names = "--set", paramLabel = "FILE", description = "Push this rule set (YAML or JSON) to the fleet.")
    Path set;

    @Option(names = "--clear", description = "Go back to the rule set built into the agents.")
    boolean clear;
  }

  @Override
  public Integer call() throws IOException {
    byte[] rules = null;
    String name = "";
    if (action != null && action.set != null) {
      if (!Files.isRegularFile(action.set)) {
        System.err.println("labscan-controller rules: " + action.set + ": no such file");
        return ControllerMain.EXIT_BAD_INPUT;
      }
      if (Files.size(action.set) > MAX_BYTES) {
        System.err.println("labscan-controller rules: " + action.set + ": larger than " + MAX_BYTES + " bytes");
        return ControllerMain.EXIT_BAD_INPUT;
      }
      rules = Files.readAllBytes(action.set);
      name = action.set.getFileName().toString();
      try {
        RuleSet parsed = RuleSet.load(name, new ByteArrayInputStream(rules));
        System.out.println("Rule set " + name + " version " + parsed.version() + " is valid.");
      } catch (RuleParseException e) {
        System.err.println("labscan-controller rules: " + e.getMessage());
        return ControllerMain.EXIT_BAD_INPUT;
      }
    } else if (action != null && action.clear) {
      rules = new byte[0];
    }
    var opened = db.open("rules", DatabaseSelection.Absent.REFUSE);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    try (Storage store = opened.get()) {
      PolicyProvider policies = Controller.over(store, Clock.systemUTC()).policies();
      if (rules != null) {
        policies.setArtifactRules(name, rules);
        io.labscan.controller.audit.AuditLog.forCli(store).cli(io.labscan.controller.audit.Actions.RULES_CHANGE,
            name == null ? "" : name, rules.length == 0 ? "cleared: agents use their built-in rule set" : rules.length + " bytes");
      }
      Policy policy = policies.current();
      if (policy.getArtifactRules().isEmpty()) {
        System.out.println("Agents use their built-in artifact rule set (policy version " + policy.getVersion() + ").");
      } else {
        System.out.println("Agents use " + policy.getArtifactRulesName() + " (" + policy.getArtifactRules().size()
            + " bytes, policy version " + policy.getVersion() + ").");
      }
      return 0;
    }
  }
}
