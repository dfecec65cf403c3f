package io.labscan.controller.cli;

import io.labscan.controller.fleet.HostsFormat;
import io.labscan.controller.Controller;
import io.labscan.controller.fleet.HostsFormat;
import io.labscan.controller.store.Storage;
import java.time.Clock;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labscan-controller hosts}: the host table. */
@Command(name = "hosts", mixinStandardHelpOptions = true, description = "Lists the hosts the controller knows.")
final class HostsCommand implements Callable<Integer> {
  @Mixin DatabaseOptions db;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|json|csv",
      description = "Output format (default: ${DEFAULT-VALUE}).")
  HostsFormat.Format format;

  @Override
  public Integer call() {
    var opened = db.open("hosts", DatabaseSelection.Absent.REFUSE);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    try (Storage store = opened.get()) {
      // The effective lab as stored (the Hosts page and its export show the same one).
      System.out.print(HostsFormat.render(Controller.over(store, Clock.systemUTC()).labRules()
          .withEffectiveLabs(store.hosts()), format));
    }
    return 0;
  }
}
