package io.labscan.controller.cli;

import io.labscan.controller.text.Text;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code labscan-controller owner}: whose machine an e-mail address belongs to. */
@Command(name = "owner", mixinStandardHelpOptions = true,
    description = {
      "Records that the person with EMAIL uses HOST, so triage can name the claimed sender's machine",
      "(\"Harold's machine lab-pc-12 is CLEAN; the From: address is forged\")."
    })
final class OwnerCommand implements Callable<Integer> {
  /** Where the command reads the time (the system clock; tests may set another). */
  Clock clock = Clock.systemUTC();

  @Mixin DatabaseOptions db;

  @Parameters(index = "0", paramLabel = "EMAIL", description = "The person's e-mail address.")
  String email;

  @Parameters(index = "1", paramLabel = "HOST", description = "Host id, or a unique hostname.")
  String host;

  @Override
  public Integer call() {
    String address = email.trim().toLowerCase(Locale.ROOT);
    if (!address.matches("[^@\\s<>]+@[^@\\s<>]+")) {
      System.err.println("labscan-controller owner: '" + Text.terminalSafe(email, 100) + "' is not an e-mail address.");
      return ControllerMain.EXIT_BAD_INPUT;
    }
    var opened = db.open("owner", DatabaseSelection.Absent.REFUSE);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    try (Storage store = opened.get()) {
      // Hostnames are the endpoints' claims: an ambiguous one is refused, listing the ids.
      Optional<HostSummary> found = HostLookup.find(store, "owner", host, clock.instant());
      if (found.isEmpty()) {
        return ControllerMain.EXIT_BAD_INPUT;
      }
      store.setAddressOwner(address, found.get().hostId(), "operator", clock.instant()).join();
      System.out.println(address + " -> " + Text.terminalSafe(found.get().hostname(), 80) + " (" + found.get().hostId() + ")");
      return 0;
    }
  }
}
