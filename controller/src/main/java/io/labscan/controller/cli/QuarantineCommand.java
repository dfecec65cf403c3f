package io.labscan.controller.cli;

import io.labscan.controller.Controller;
import io.labscan.controller.quarantine.QuarantineRecord;
import io.labscan.controller.quarantine.Quarantines;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.text.Text;
import io.labscan.controller.store.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code labscan-controller quarantine} and {@code release}: blocks a host's outbound SMTP
 * (docs/egress.md, "Quarantine"), or lifts the block.
 */
final class QuarantineCommand {
  private QuarantineCommand() {}

  @Command(name = "quarantine", mixinStandardHelpOptions = true,
      description = {
        "Quarantines a host's outbound mail: its agent refuses new connections to the SMTP ports for every",
        "process policy does not allow (allowed: the relays of 'policy --quarantine-relay', the mail-server",
        "hosts, and system users running an allowed process). Everything else keeps working. A running",
        "controller sends the order within seconds; an offline agent gets it when it reconnects and keeps it",
        "when it loses contact. 'release HOST' lifts it; so does the host's verdict turning CLEAN again."
      })
  static final class Quarantine implements Callable<Integer> {
    /** Where the command reads the time (the system clock; tests may set another). */
    Clock clock = Clock.systemUTC();

    @Mixin DatabaseOptions db;

    @Option(names = "--reason", defaultValue = "", paramLabel = "TEXT", description = "Why, for the record.")
    String reason;

    @Parameters(paramLabel = "HOST", description = "Host id, or a hostname when it is unique.")
    String host;

    @Override
    public Integer call() {
      return run("quarantine", db, host, reason, true, clock);
    }
  }

  @Command(name = "release", mixinStandardHelpOptions = true,
      description = {
        "Releases a quarantined host: its agent removes its SMTP block (docs/egress.md, \"Quarantine\").",
        "A running controller sends the order within seconds."
      })
  static final class Release implements Callable<Integer> {
    /** Where the command reads the time (the system clock; tests may set another). */
    Clock clock = Clock.systemUTC();

    @Mixin DatabaseOptions db;

    @Option(names = "--reason", defaultValue = "", paramLabel = "TEXT", description = "Why, for the record.")
    String reason;

    @Parameters(paramLabel = "HOST", description = "Host id, or a hostname when it is unique.")
    String host;

    @Override
    public Integer call() {
      return run("release", db, host, reason, false, clock);
    }
  }

  private static int run(String command, DatabaseOptions db, String host, String reason, boolean quarantine,
      Clock clock) {
    var opened = db.open(command, DatabaseSelection.Absent.REFUSE);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    try (Storage store = opened.get();
        Controller controller = Controller.over(store, clock)) {
      Optional<HostSummary> found = HostLookup.find(store, command, host, clock.instant());
      if (found.isEmpty()) {
        return ControllerMain.EXIT_BAD_INPUT;
      }
      HostSummary h = found.get();
      Quarantines quarantines = controller.quarantines();
      String by = System.getProperty("user.name", "") + " (command line)";
      Quarantines.Change c = quarantine ? quarantines.quarantine(h.hostId(), by, reason)
          : quarantines.release(h.hostId(), by, reason);
      String name = Text.terminalSafe(h.hostname(), 80) + " (" + h.hostId() + ")";
      if (!c.changed()) {
        System.out.println("Host " + name + (quarantine ? " is already quarantined" : " is not quarantined")
            + (c.record().revision() == 0 ? "." : ": " + Text.terminalSafe(c.record().describe(), 300) + "."));
        return 0;
      }
      QuarantineRecord r = c.record();
      System.out.println("Host " + name + " " + Text.terminalSafe(r.describe(), 300) + " (order " + r.revision()
          + "). A running controller sends it to the agent within seconds.");
      return 0;
    }
  }
}
