package io.labscan.controller.cli;

import io.labscan.controller.store.Pruner;
import io.labscan.controller.store.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labscan-controller prune}: deletes evidence older than the retention settings. */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = {
      "Deletes raw reports, findings and history older than the retention settings (serve does this once a",
      "day by itself). Never deletes what current verdicts rest on: each host's newest report, its latest full",
      "scan with its findings, and its latest antivirus status. Safe while serve runs: rows go in small",
      "batches between the reports being stored."
    })
final class PruneCommand implements Callable<Integer> {
  @Mixin DatabaseOptions db;

  @Option(names = "--dry-run", description = "Only count what would be deleted.")
  boolean dryRun;

  @Mixin RetentionOptions retention;

  @Override
  public Integer call() {
    Pruner.Retention settings;
    try {
      settings = retention.retention();
    } catch (IllegalArgumentException e) {
      System.err.println("labscan-controller prune: " + e.getMessage());
      return ControllerMain.EXIT_BAD_INPUT;
    }
    var opened = db.open("prune", DatabaseSelection.Absent.REFUSE);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    try (Storage store = opened.get()) {
      if (!dryRun) {
        store.requireWritable();
      }
      Pruner.Result result = new Pruner(store, settings, Clock.systemUTC(),
          java.util.List.of(new io.labscan.controller.complaint.ComplaintRetention())).prune(dryRun);
      System.out.printf("%s %d rows (reports older than %d days, findings older than %d, history older than %d, "
          + "complaints older than %d):%n", dryRun ? "Would delete" : "Deleted", result.total(), settings.reportDays(),
          settings.findingDays(), settings.historyDays(), settings.complaintDays());
      for (Map.Entry<String, Long> e : result.rows().entrySet()) {
        System.out.printf("  %-18s %d%n", e.getKey(), e.getValue());
      }
      return 0;
    }
  }
}
