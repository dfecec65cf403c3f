package io.labscan.controller.cli;

import io.labscan.controller.text.Text;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code labscan-controller revoke}: stops accepting a host's certificate. */
@Command(name = "revoke", mixinStandardHelpOptions = true,
    description = {
      "Revokes a host: its certificate is refused (UNAUTHENTICATED) from then on, and a running controller",
      "notices within seconds and closes its command stream. The host id cannot enrol again; a reinstalled",
      "machine enrols as a new host."
    })
final class RevokeCommand implements Callable<Integer> {
  /** Where the command reads the time (the system clock; tests may set another). */
  Clock clock = Clock.systemUTC();

  @Mixin DatabaseOptions db;

  @Option(names = "--reason", defaultValue = "", paramLabel = "TEXT", description = "Why, for the record.")
  String reason;

  @Parameters(paramLabel = "HOST", description = "Host id, or a hostname when it is unique.")
  String host;

  @Override
  public Integer call() {
    var opened = db.open("revoke", DatabaseSelection.Absent.REFUSE);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    try (Storage store = opened.get()) {
      Optional<HostSummary> found = store.host(host);
      if (found.isEmpty()) {
        List<HostSummary> byName = store.hosts().stream().filter(h -> h.hostname().equalsIgnoreCase(host)).toList();
        if (byName.size() > 1) {
          System.err.println("labscan-controller revoke: " + byName.size() + " hosts are named '"
              + Text.terminalSafe(host, 80) + "'; give the host id: "
              + byName.stream().map(HostSummary::hostId).toList());
          return ControllerMain.EXIT_BAD_INPUT;
        }
        found = byName.stream().findFirst();
      }
      if (found.isEmpty()) {
        System.err.println("labscan-controller revoke: no host with id or name '" + Text.terminalSafe(host, 80) + "'.");
        return ControllerMain.EXIT_BAD_INPUT;
      }
      HostSummary h = found.get();
      boolean changed = store.revoke(h.hostId(), reason.strip(), clock.instant()).join();
      if (changed) {
        io.labscan.controller.audit.AuditLog.forCli(store).cli(io.labscan.controller.audit.Actions.HOST_REVOKE, h.hostId(), h.hostname() + "; reason: " + reason.strip());
      }
      System.out.println((changed ? "Revoked host " : "Host was already revoked: ") + h.hostId() + " ("
          + Text.terminalSafe(h.hostname(), 80) + ")." + (changed
              ? " A running controller refuses it within a few seconds." : ""));
      return 0;
    }
  }
}
