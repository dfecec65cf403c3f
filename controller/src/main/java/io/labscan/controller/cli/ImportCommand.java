package io.labscan.controller.cli;

import io.labscan.controller.ingest.InvalidReportException;
import io.labscan.controller.ingest.ReportFiles;
import io.labscan.controller.ingest.ReportIngestor;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictService;
import io.labscan.controller.ingest.ReportValidator;
import io.labscan.controller.store.SqliteStore;
import io.labscan.controller.store.Store;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code labscan-controller import}: the air-gap path for report files. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {
      "Imports report files written by 'labscan-agent scan --out'.",
      "Every file is checked before any is stored: one bad file stores nothing (exit code 2).",
      "A report already stored (same report id) is counted as a duplicate, not stored again."
    })
final class ImportCommand implements Callable<Integer> {
  @Option(names = "--db", required = true, paramLabel = "FILE", description = "Controller database (SQLite).")
  Path db;

  @Parameters(arity = "1..*", paramLabel = "REPORT.json", description = "Report files.")
  List<Path> files;

  @Override
  public Integer call() {
    ReportValidator validator = new ReportValidator(Clock.systemUTC());
    List<Report> reports = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Path file : files) {
      try {
        reports.add(ReportFiles.read(file, validator));
      } catch (ReportFiles.InvalidReportFileException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      problems.forEach(p -> System.err.println("labscan-controller import: " + Text.terminalSafe(p, 600)));
      System.err.println("labscan-controller import: nothing imported (" + problems.size() + " of "
          + files.size() + " files refused).");
      return ControllerMain.EXIT_BAD_INPUT;
    }
    int stored = 0;
    int duplicates = 0;
    try (SqliteStore store = SqliteStore.open(db);
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), Clock.systemUTC())) {
      ReportIngestor ingestor = new ReportIngestor(store, verdicts, Clock.systemUTC());
      for (Report report : reports) {
        Store.IngestOutcome outcome;
        try {
          outcome = ingestor.ingest(report, "import").join();
        } catch (InvalidReportException e) {
          throw new IllegalStateException("validated above", e);
        }
        if (outcome == Store.IngestOutcome.STORED) {
          stored++;
        } else {
          duplicates++;
        }
      }
      verdicts.flush();
    }
    System.out.println("Imported " + stored + " report" + (stored == 1 ? "" : "s")
        + (duplicates > 0 ? ", " + duplicates + " already stored" : "") + " into " + db + ".");
    return 0;
  }
}
