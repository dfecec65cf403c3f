package io.labscan.controller.cli;

import io.labscan.controller.text.Text;
import com.google.protobuf.util.JsonFormat;
import io.labscan.controller.policy.EgressSettings;
import io.labscan.controller.Controller;
import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.quarantine.Quarantines;
import io.labscan.contract.quarantine.QuarantineRules;
import io.labscan.contract.policy.CheckBudgets;
import io.labscan.contract.text.DurationText;
import io.labscan.contract.trust.OwnerOnlyFiles;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.Policy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code labscan-controller policy}: the egress part of the policy pushed to agents, and the
 * time budgets of their scan checks.
 */
@Command(name = "policy", mixinStandardHelpOptions = true,
    description = {
      "Shows or changes how agents watch outbound SMTP (docs/egress.md) and how long each scan check may run",
      "(--check-budget, docs/checks-artifacts.md). Changes bump the policy version:",
      "connected agents get them within seconds, others at their next heartbeat.",
      "--export writes the whole fleet policy for air-gapped scans ('labscan-agent scan --policy FILE')."
    })
final class PolicyCommand implements Callable<Integer> {
  /** Where the command reads the time (the system clock; tests may set another). */
  Clock clock = Clock.systemUTC();

  @Mixin DatabaseOptions db;

  @Option(names = "--export", paramLabel = "FILE",
      description = {"Write the fleet policy (after any change above) as protobuf JSON to FILE, readable by its owner "
          + "only: it holds the fleet key. For 'labscan-agent scan --policy FILE' on machines that cannot reach the "
          + "controller; their reports, imported, then carry harvested-address digests triage can match."})
  Path export;

  @Option(names = "--event-mode", paramLabel = "on|off",
      description = "Also use the kernel/audit event source (Linux: nftables, root; Windows: event 5156). "
          + "Catches SMTP sessions of a few milliseconds that polling misses.")
  Switch eventMode;

  @Option(names = "--allow-process", paramLabel = "NAME_OR_PATH",
      description = "A process allowed to send mail on every host (repeatable): an absolute executable path "
          + "(the strong form, e.g. /usr/lib/postfix/sbin/smtp) or a process name.")
  List<String> allow = new ArrayList<>();

  @Option(names = "--disallow-process", paramLabel = "NAME_OR_PATH",
      description = "Removes an entry from the allowed processes (repeatable).")
  List<String> disallow = new ArrayList<>();

  @Option(names = "--egress-window", paramLabel = "DURATION",
      description = "Length of the egress windows agents report (10s to 1h; default 60s).")
  String window;

  @Option(names = "--mail-server", paramLabel = "HOST",
      description = "Host id or unique hostname of a mail server (repeatable): all its SMTP egress is allowed.")
  List<String> mailServers = new ArrayList<>();

  @Option(names = "--not-mail-server", paramLabel = "HOST",
      description = "Makes a host an ordinary host again (repeatable).")
  List<String> notMailServers = new ArrayList<>();

  @Option(names = "--check-budget", paramLabel = "CHECK=DURATION",
      description = {"Time budget of one scan check (repeatable), e.g. harvest=30m, artifacts=2h (1s to 24h);",
          "CHECK=default goes back to the built-in budget. Checks: inventory, av, artifacts, mail, harvest.",
          "A check that overruns is stopped and reported as timed out (docs/checks-artifacts.md)."})
  List<String> checkBudgets = new ArrayList<>();

  @Option(names = "--auto-quarantine", paramLabel = "on|off",
      description = "Quarantine a host's outbound SMTP automatically when it is INFECTED with confidence high "
          + "(two kinds of evidence among artifact, SMTP egress and a traced complaint). Off by default.")
  Switch autoQuarantine;

  @Option(names = "--quarantine-relay", paramLabel = "IP_OR_CIDR",
      description = "A destination every quarantined host may still reach on the SMTP ports (repeatable): a campus "
          + "relay or submission server, as an IP address or prefix. Hosts with the mail-server role are added.")
  List<String> relays = new ArrayList<>();

  @Option(names = "--no-quarantine-relay", paramLabel = "IP_OR_CIDR",
      description = "Removes a quarantine relay (repeatable).")
  List<String> noRelays = new ArrayList<>();

  @Option(names = "--quarantine-allow-user", paramLabel = "USER",
      description = "A local user whose processes may still send mail from a quarantined host (repeatable), "
          + "e.g. postfix. Every process of that user is let through: never name a login user.")
  List<String> allowUsers = new ArrayList<>();

  @Option(names = "--no-quarantine-allow-user", paramLabel = "USER",
      description = "Removes an allowed quarantine user (repeatable).")
  List<String> noAllowUsers = new ArrayList<>();

  @Option(names = "--agent-memory-budget", paramLabel = "SIZE",
      description = {"Resident-memory budget of every agent, e.g. 96MiB (the default), 64MiB; 32MiB to 4GiB.",
          "An agent over it for 5 minutes restarts itself (spool kept; backs off, at most 3 times a day);",
          "the dashboard flags it (docs/reliability.md)."})
  String agentMemoryBudget;

  @Option(names = "--agent-cpu-budget", paramLabel = "PERCENT",
      description = {"CPU budget of every agent in percent of one core, averaged over 5 minutes, e.g. 2%% (the default);",
          "0.1%% to 100%%. An agent over it samples SMTP egress and file changes more slowly until it is back under half."})
  String agentCpuBudget;

  enum Switch { ON, OFF }

  /** {@code before} with the budget flags given applied; the error names the flag that is wrong. */
  private io.labscan.controller.policy.AgentBudget agentBudget(io.labscan.controller.policy.AgentBudget before) {
    io.labscan.controller.policy.AgentBudget after = before;
    try {
      if (agentMemoryBudget != null) {
        after = after.withMemory(io.labscan.controller.policy.AgentBudget.parseSize(agentMemoryBudget));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--agent-memory-budget: " + e.getMessage(), e);
    }
    try {
      if (agentCpuBudget != null) {
        after = after.withCpu(io.labscan.controller.policy.AgentBudget.parsePercent(agentCpuBudget));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--agent-cpu-budget: " + e.getMessage(), e);
    }
    return after;
  }

  @Override
  public Integer call() {
    var opened = db.open("policy", DatabaseSelection.Absent.REFUSE);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    try (Storage store = opened.get()) {
      PolicyProvider policies = Controller.over(store, clock).policies();
      List<HostSummary> servers = new ArrayList<>();
      List<HostSummary> ordinary = new ArrayList<>();
      for (String host : mailServers) {
        Optional<HostSummary> found = HostLookup.find(store, "policy", host, clock.instant());
        if (found.isEmpty()) {
          return ControllerMain.EXIT_BAD_INPUT;
        }
        servers.add(found.get());
      }
      for (String host : notMailServers) {
        Optional<HostSummary> found = HostLookup.find(store, "policy", host, clock.instant());
        if (found.isEmpty()) {
          return ControllerMain.EXIT_BAD_INPUT;
        }
        ordinary.add(found.get());
      }
      EgressSettings before = policies.egressSettings();
      EgressSettings after;
      Map<String, Long> budgetsBefore = policies.checkBudgets();
      Map<String, Long> budgetsAfter;
      io.labscan.controller.policy.AgentBudget agentBefore = policies.agentBudget();
      io.labscan.controller.policy.AgentBudget agentAfter = agentBefore;
      try {
        after = changed(before);
        budgetsAfter = changedBudgets(budgetsBefore);
        agentAfter = agentBudget(agentAfter);
      } catch (IllegalArgumentException e) {
        System.err.println("labscan-controller policy: " + e.getMessage());
        return ControllerMain.EXIT_BAD_INPUT;
      }
      if (!after.equals(before)) {
        policies.setEgressSettings(after);
      }
      if (!budgetsAfter.equals(budgetsBefore)) {
        policies.setCheckBudgets(budgetsAfter);
      }
      if (!agentAfter.equals(agentBefore)) {
        policies.setAgentBudget(agentAfter);
        io.labscan.controller.audit.AuditLog.forCli(store).cli(io.labscan.controller.audit.Actions.POLICY_CHANGE, "",
            "agent budget " + agentBefore + " -> " + agentAfter);
      }
      List<String> relaysBefore = Quarantines.relays(store);
      List<String> relaysAfter = new ArrayList<>(relaysBefore);
      for (String relay : relays) {
        Optional<QuarantineRules.Destination> d = QuarantineRules.parseDestination(relay);
        if (d.isEmpty()) {
          System.err.println("labscan-controller policy: --quarantine-relay '" + Text.terminalSafe(relay, 80)
              + "' is not an IP address or prefix (192.0.2.25, 192.0.2.0/24, 2001:db8::25); host names are not resolved.");
          return ControllerMain.EXIT_BAD_INPUT;
        }
        if (!relaysAfter.contains(d.get().text())) {
          relaysAfter.add(d.get().text());
        }
      }
      for (String relay : noRelays) {
        relaysAfter.remove(QuarantineRules.parseDestination(relay).map(QuarantineRules.Destination::text)
            .orElse(relay.strip()));
      }
      if (!relaysAfter.equals(relaysBefore)) {
        Quarantines.setRelays(store, relaysAfter);
      }
      List<String> usersBefore = Quarantines.allowedUsers(store);
      List<String> usersAfter = new ArrayList<>(usersBefore);
      for (String user : allowUsers) {
        String u = user.strip();
        if (!Quarantines.isUserName(u)) {
          System.err.println("labscan-controller policy: --quarantine-allow-user '" + Text.terminalSafe(user, 80)
              + "' is not a local user name or uid.");
          return ControllerMain.EXIT_BAD_INPUT;
        }
        if (!usersAfter.contains(u)) {
          usersAfter.add(u);
        }
      }
      noAllowUsers.forEach(u -> usersAfter.remove(u.strip()));
      if (!usersAfter.equals(usersBefore)) {
        Quarantines.setAllowedUsers(store, usersAfter);
      }
      if (autoQuarantine != null) {
        Quarantines.setAutoQuarantine(store, autoQuarantine == Switch.ON);
      }
      for (HostSummary h : servers) {
        policies.setMailServer(h.hostId(), true);
      }
      for (HostSummary h : ordinary) {
        policies.setMailServer(h.hostId(), false);
      }
      if (!after.equals(before) || !budgetsAfter.equals(budgetsBefore) || !servers.isEmpty() || !ordinary.isEmpty()) {
        io.labscan.controller.audit.AuditLog.forCli(store).cli(io.labscan.controller.audit.Actions.POLICY_CHANGE, "",
            (after.equals(before) ? "" : "egress " + before + " -> " + after + "; ")
            + (budgetsAfter.equals(budgetsBefore) ? "" : "check budgets " + budgetsBefore + " -> " + budgetsAfter + "; ")
            + (servers.isEmpty() ? "" : "mail servers + " + servers.stream().map(HostSummary::hostId).toList() + "; ")
            + (ordinary.isEmpty() ? "" : "mail servers - " + ordinary.stream().map(HostSummary::hostId).toList()));
      }
      print(store, policies);
      if (export != null) {
        return export(policies, export);
      }
      return 0;
    }
  }

  private static int export(PolicyProvider policies, Path file) {
    Policy policy = policies.current();
    try {
      OwnerOnlyFiles.writeSecret(file, JsonFormat.printer().print(policy) + "\n");
    } catch (IOException e) {
      System.err.println("labscan-controller policy: cannot write --export " + file + ": " + e.getMessage());
      return ControllerMain.EXIT_BAD_INPUT;
    }
    System.out.println("Policy version " + policy.getVersion() + " written to " + file.toAbsolutePath()
        + " (it holds the fleet key: keep it like a password, delete it after use).");
    return 0;
  }

  private EgressSettings changed(EgressSettings settings) {
    EgressSettings s = settings;
    if (eventMode != null) {
      s = s.withEventMode(eventMode == Switch.ON);
    }
    for (String entry : allow) {
      s = s.withAllowed(entry);
    }
    for (String entry : disallow) {
      s = s.withoutAllowed(entry);
    }
    if (window != null) {
      s = s.withWindow(DurationText.parse(window));
    }
    return s;
  }

  /** The budgets with every {@code --check-budget} applied, in seconds by check name. */
  private Map<String, Long> changedBudgets(Map<String, Long> budgets) {
    Map<String, Long> b = new TreeMap<>(budgets);
    for (String entry : checkBudgets) {
      int eq = entry.indexOf('=');
      String name = eq < 0 ? entry.strip() : entry.substring(0, eq).strip();
      if (eq < 0 || !CheckBudgets.CHECK_NAMES.contains(name)) {
        throw new IllegalArgumentException("--check-budget '" + Text.terminalSafe(entry, 80)
            + "' is not CHECK=DURATION with CHECK one of " + String.join(", ", CheckBudgets.CHECK_NAMES));
      }
      String value = entry.substring(eq + 1).strip();
      if (value.equals("default")) {
        b.remove(name);
        continue;
      }
      Duration budget = DurationText.parse(value);
      if (budget.compareTo(Duration.ofSeconds(1)) < 0 || budget.compareTo(CheckBudgets.MAX_BUDGET) > 0) {
        throw new IllegalArgumentException("--check-budget " + name + "=" + value
            + ": a budget is 1s to 24h");
      }
      b.put(name, budget.toSeconds());
    }
    return b;
  }

  private static void print(Storage store, PolicyProvider policies) {
    Policy policy = policies.current();
    System.out.println("Policy version " + policy.getVersion() + ":");
    System.out.println("  SMTP event mode:   " + (policy.getEgressEventMode() ? "on" : "off (polling only)"));
    System.out.println("  Egress window:     " + policy.getEgressWindowSeconds() + " s");
    System.out.println("  Allowed processes: " + (policy.getSmtpProcessAllowlistCount() == 0 ? "(none)"
        : String.join(", ", policy.getSmtpProcessAllowlistList().stream().map(e -> Text.terminalSafe(e, 260)).toList())));
    List<String> servers = store.hostsWithRole(PolicyProvider.MAIL_SERVER_ROLE).stream().sorted()
        .map(id -> store.host(id).map(h -> Text.terminalSafe(h.hostname(), 80) + " (" + id + ")").orElse(id))
        .toList();
    System.out.println("  Mail servers:      " + (servers.isEmpty() ? "(none)" : String.join(", ", servers)));
    System.out.println("  Auto-quarantine:   " + (Quarantines.autoQuarantine(store)
        ? "on (INFECTED with confidence high)" : "off"));
    List<String> relays = Quarantines.relays(store);
    System.out.println("  Quarantine relays: " + (relays.isEmpty() ? "(none)" : String.join(", ", relays)));
    List<String> users = Quarantines.allowedUsers(store);
    System.out.println("  Quarantine users:  " + (users.isEmpty() ? "(none)" : String.join(", ", users)));
    System.out.println("  Agent budget:      " + policies.agentBudget()
        + " (restart after 5 min over memory; slower sampling over CPU)");
    System.out.println("  Check budgets:     " + (policy.getCheckBudgetSecondsCount() == 0 ? "(built-in)"
        : String.join(", ", new TreeMap<>(policy.getCheckBudgetSecondsMap()).entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue() + " s").toList())));
  }
}
