package io.labscan.controller.cli;

import io.labscan.controller.Controller;
import io.labscan.controller.audit.Actions;
import io.labscan.controller.audit.AuditLog;
import io.labscan.controller.store.ComplaintTraces;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.Storage;
import io.labscan.controller.text.Text;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code labscan-controller complaint}: a complaint's recorded answer (the traces triage recorded). */
@Command(name = "complaint", mixinStandardHelpOptions = true,
    description = "A complaint's recorded answer: withdraw a trace that triage recorded as evidence.",
    subcommands = {ComplaintCommand.Withdraw.class})
final class ComplaintCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("labscan-controller complaint: give a subcommand: withdraw");
    return ControllerMain.EXIT_BAD_INPUT;
  }

  /**
   * {@code complaint withdraw}: takes a recorded trace off the evidence. The trace moves to the
   * history ("withdrawn by … at …: reason"), never deleted; the hosts' verdicts are recomputed.
   */
  @Command(name = "withdraw", mixinStandardHelpOptions = true,
      description = {
        "Withdraws the traces recorded for a complaint (all, or against one host): they stop counting as",
        "evidence, are kept in the complaint's history, and the hosts' verdicts are recomputed."
      })
  static final class Withdraw implements Callable<Integer> {
    /** Where the command reads the time (the system clock; tests may set another). */
    Clock clock = Clock.systemUTC();

    @Mixin DatabaseOptions db;

    @Option(names = "--host", paramLabel = "HOST", description = "Only the trace against this host (id, or a unique hostname).")
    String host;

    @Option(names = "--reason", defaultValue = "", paramLabel = "TEXT", description = "Why, for the record.")
    String reason;

    @Parameters(paramLabel = "COMPLAINT_ID", description = "The complaint id (as triage printed it: complaintId).")
    String complaintId;

    @Override
    public Integer call() {
      var opened = db.open("complaint withdraw", DatabaseSelection.Absent.REFUSE);
      if (opened.isEmpty()) {
        return ControllerMain.EXIT_BAD_INPUT;
      }
      try (Storage store = opened.get(); Controller controller = Controller.over(store, clock)) {
        Optional<String> hostId = Optional.empty();
        if (host != null) {
          Optional<HostSummary> found = store.host(host);
          if (found.isEmpty()) {
            List<HostSummary> byName = HostLookup.named(store, host, clock.instant());
            if (byName.size() > 1) {
              System.err.println("labscan-controller complaint withdraw: " + HostLookup.ambiguous(host, byName));
              return ControllerMain.EXIT_BAD_INPUT;
            }
            found = byName.stream().findFirst();
          }
          // A trace may name a host since pruned: the id as given is still a valid key.
          hostId = Optional.of(found.map(HostSummary::hostId).orElse(host));
        }
        List<ComplaintTraces.Trace> withdrawn = new ComplaintTraces(store.database())
            .withdraw(complaintId, hostId, clock.instant(), "cli", reason.strip());
        if (withdrawn.isEmpty()) {
          System.err.println("labscan-controller complaint withdraw: no trace is recorded for complaint '"
              + Text.terminalSafe(complaintId, 200) + "'" + (hostId.isPresent()
                  ? " against host '" + Text.terminalSafe(hostId.get(), 80) + "'" : "") + ".");
          return ControllerMain.EXIT_BAD_INPUT;
        }
        Set<String> hosts = new LinkedHashSet<>();
        withdrawn.forEach(t -> hosts.add(t.hostId()));
        hosts.forEach(controller.verdicts()::recompute);
        AuditLog.forCli(store).cli(Actions.TRIAGE_WITHDRAW, complaintId,
            "hosts: " + String.join(", ", hosts) + "; reason: " + reason.strip());
        for (String h : hosts) {
          System.out.println("Withdrew the trace of complaint " + Text.terminalSafe(complaintId, 200) + " against "
              + Text.terminalSafe(h, 80) + "; its verdict is recomputed.");
        }
        return 0;
      }
    }
  }
}
