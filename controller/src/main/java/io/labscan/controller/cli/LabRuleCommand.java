package io.labscan.controller.cli;

import io.labscan.controller.Controller;
import io.labscan.controller.fleet.LabRule;
import io.labscan.controller.store.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code labscan-controller lab-rule}: controller-side lab assignment. */
@Command(name = "lab-rule", mixinStandardHelpOptions = true,
    description = {"Manages the rules that put hosts into labs, tried in order; the first match wins over",
        "the lab in the agent's configuration."},
    subcommands = {LabRuleCommand.Add.class, LabRuleCommand.ListRules.class, LabRuleCommand.Remove.class})
public final class LabRuleCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code lab-rule add}. */
  @Command(name = "add", mixinStandardHelpOptions = true, description = "Appends a rule.")
  static final class Add implements Callable<Integer> {
    @Mixin DatabaseOptions db;

    @Option(names = "--lab", required = true, paramLabel = "LAB", description = "Lab the matching hosts belong to.")
    String lab;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Match match;

    static final class Match {
      @Option(names = "--hostname", paramLabel = "GLOB", description = "Hostname pattern, * and ? (case-insensitive).")
      String hostname;

      @Option(names = "--cidr", paramLabel = "SUBNET", description = "Subnet such as 10.20.3.0/24 or 2001:db8::/48.")
      String cidr;
    }

    @Override
    public Integer call() {
      var opened = db.open("lab-rule add", DatabaseSelection.Absent.REFUSE);
      if (opened.isEmpty()) {
        return UserCommand.EXIT_BAD_INPUT;
      }
      try (Storage store = opened.get()) {
        LabRule rule = match.hostname != null
            ? Controller.over(store, Clock.systemUTC()).labRules().add(lab, LabRule.Kind.HOSTNAME, match.hostname)
            : Controller.over(store, Clock.systemUTC()).labRules().add(lab, LabRule.Kind.CIDR, match.cidr);
        io.labscan.controller.audit.AuditLog.forCli(store).cli(io.labscan.controller.audit.Actions.LAB_RULE_ADD,
            rule.ruleId(), rule.kind().id() + " " + rule.pattern() + " -> " + rule.lab());
        System.out.println("Added rule " + rule.ruleId() + ": " + rule.kind().id() + " " + rule.pattern()
            + " -> " + rule.lab());
        return 0;
      } catch (IllegalArgumentException e) {
        System.err.println("labscan-controller lab-rule add: " + e.getMessage());
        return UserCommand.EXIT_BAD_INPUT;
      }
    }
  }

  /** {@code lab-rule list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the rules in the order they are tried.")
  static final class ListRules implements Callable<Integer> {
    @Mixin DatabaseOptions db;

    @Override
    public Integer call() {
      var opened = db.open("lab-rule list", DatabaseSelection.Absent.REFUSE);
      if (opened.isEmpty()) {
        return UserCommand.EXIT_BAD_INPUT;
      }
      try (Storage store = opened.get()) {
        for (LabRule r : Controller.over(store, Clock.systemUTC()).labRules().list()) {
          System.out.println(r.ruleId() + "\t" + r.kind().id() + "\t" + r.pattern() + "\t" + r.lab());
        }
      }
      return 0;
    }
  }

  /** {@code lab-rule remove}. */
  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes a rule by id.")
  static final class Remove implements Callable<Integer> {
    @Mixin DatabaseOptions db;

    @Parameters(paramLabel = "ID", description = "Rule id (from 'lab-rule list').")
    String id;

    @Override
    public Integer call() {
      var opened = db.open("lab-rule remove", DatabaseSelection.Absent.REFUSE);
      if (opened.isEmpty()) {
        return UserCommand.EXIT_BAD_INPUT;
      }
      try (Storage store = opened.get()) {
        if (!Controller.over(store, Clock.systemUTC()).labRules().remove(id)) {
          System.err.println("labscan-controller lab-rule remove: no rule " + id);
          return UserCommand.EXIT_BAD_INPUT;
        }
        io.labscan.controller.audit.AuditLog.forCli(store).cli(io.labscan.controller.audit.Actions.LAB_RULE_REMOVE,
            id, "");
      }
      System.out.println("Removed rule " + id + ".");
      return 0;
    }
  }
}
