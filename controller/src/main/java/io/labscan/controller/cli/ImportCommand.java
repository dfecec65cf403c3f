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
    List<String> problems = new ArrayList<>();
    List<Report> reports = readAll(files, new ReportValidator(Clock.systemUTC()), problems);
    if (!problems.isEmpty()) {
      problems.forEach(p -> System.err.println("labscan-controller import: " + p));
      System.err.println("labscan-controller import: nothing imported (" + problems.size() + " of "
          + files.size() + " files refused).");
      return ControllerMain.EXIT_BAD_INPUT;
    }
    Imported imported;
    try (SqliteStore store = SqliteStore.open(db);
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), Clock.systemUTC())) {
      imported = storeAll(reports, new ReportIngestor(store, verdicts, Clock.systemUTC()), verdicts);
    }
    System.out.println("Imported " + imported.stored() + " report" + (imported.stored() == 1 ? "" : "s")
        + (imported.duplicates() > 0 ? ", " + imported.duplicates() + " already stored" : "") + " into " + db + ".");
    return 0;
  }

  /** What an import stored: new reports, and reports already held (same report id). */
  record Imported(int stored, int duplicates) {}

  /**
   * The first half of the import path (shared by {@code import} and the demo's simulated lab):
   * reads and validates every file. A bad file's problem, naming the file, goes to
   * {@code problems}; the caller stores nothing unless it stays empty. Progress shows on a
   * terminal.
   */
  static List<Report> readAll(List<Path> files, ReportValidator validator, List<String> problems) {
    List<Report> reports = new ArrayList<>();
    try (Progress progress = Progress.forTerminal("Checking report files")) {
      for (Path file : files) {
        try {
          reports.add(ReportFiles.read(file, validator));
        } catch (ReportFiles.InvalidReportFileException e) {
          problems.add(e.getMessage());
        }
        progress.step(reports.size() + problems.size(), files.size());
      }
    }
    return reports;
  }

  /**
   * The second half: every report through the ingestor (validation again, store once, verdict
   * recompute), in the order given; then the verdicts are brought up to date.
   */
  static Imported storeAll(List<Report> reports, ReportIngestor ingestor, VerdictService verdicts) {
    int stored = 0;
    int duplicates = 0;
    try (Progress progress = Progress.forTerminal("Storing reports")) {
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
        progress.step(stored + duplicates, reports.size());
      }
    }
    verdicts.flush();
    return new Imported(stored, duplicates);
  }
}
