package io.labscan.controller.cli;

import io.labscan.controller.Controller;
import io.labscan.controller.text.Text;
import io.labscan.controller.ingest.InvalidReportException;
import io.labscan.controller.ingest.ReportFiles;
import io.labscan.controller.ingest.ReportIngestor;
import io.labscan.controller.verdict.VerdictService;
import io.labscan.controller.ingest.ReportValidator;
import io.labscan.controller.store.ReportImport;
import io.labscan.controller.store.Storage;
import io.labscan.controller.store.Store;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code labscan-controller import}: the air-gap path for report files.
 *
 * <p>A report file is whatever the person carrying it says it is: its host id is text anyone can
 * write. A host that enrolled holds a certificate, and its agent speaks for it over mutual TLS;
 * a file must not speak for it too (a worm on a neighbour, or a careless operator, could clear
 * an infected host or frame a clean one). So a report whose host id has a certificate on record
 * (valid or ended) or was revoked is refused — exit 2, naming the file and the host — unless an
 * admin passes {@code --allow-enrolled}. Every imported report keeps its provenance ("imported
 * from FILE by USER at TIME", USER being the OS user running this command), shown with the
 * report on the host page and in {@code host}.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {
      "Imports report files written by 'labscan-agent scan --out'.",
      "Every file is checked before any is stored: one bad file stores nothing (exit code 2).",
      "A report already stored (same report id) is counted as a duplicate, not stored again.",
      "A report for an enrolled host (one holding a certificate) is refused unless --allow-enrolled.",
      "Each imported report records 'imported from FILE by USER at TIME', shown by 'host' and the web UI."
    })
final class ImportCommand implements Callable<Integer> {
  @Mixin DatabaseOptions db;

  @Option(names = "--allow-enrolled",
      description = "Admin only: also import reports for hosts that enrolled (hold a certificate), e.g. a file "
          + "carried from an enrolled machine whose network is down. Without it such a file is refused.")
  boolean allowEnrolled;

  @Parameters(arity = "1..*", paramLabel = "REPORT.json", description = "Report files.")
  List<Path> files;

  @Override
  public Integer call() {
    Clock clock = Clock.systemUTC();
    List<String> problems = new ArrayList<>();
    List<Report> reports = readAll(files, new ReportValidator(clock), problems);
    if (!problems.isEmpty()) {
      return refuse(problems);
    }
    String user = System.getProperty("user.name", "");
    Imported imported;
    var opened = db.open("import", DatabaseSelection.Absent.CREATE);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    try (Storage store = opened.get();
        Controller controller = Controller.over(store, clock)) {
      VerdictService verdicts = controller.verdicts();
      if (!allowEnrolled) {
        for (int i = 0; i < reports.size(); i++) {
          String hostId = reports.get(i).getInventory().getHostId();
          if (store.enrolled(hostId)) {
            problems.add(files.get(i) + ": host " + hostId + " is enrolled (it holds a certificate, and its agent "
                + "reports over mutual TLS): a report file cannot speak for it. If this file really comes from that "
                + "machine, an admin may pass --allow-enrolled.");
          }
        }
        if (!problems.isEmpty()) {
          return refuse(problems);
        }
      }
      List<ReportImport> provenance = new ArrayList<>();
      for (int i = 0; i < reports.size(); i++) {
        Report report = reports.get(i);
        provenance.add(new ReportImport(report.getReportId(), report.getInventory().getHostId(),
            files.get(i).toAbsolutePath().normalize().toString(), user.isBlank() ? "(unknown user)" : user,
            clock.instant()));
      }
      imported = storeAll(reports, provenance, store, verdicts);
      controller.labRules().refreshAll();
      for (ReportImport p : provenance) {
        io.labscan.controller.audit.AuditLog.forCli(store).cli(io.labscan.controller.audit.Actions.IMPORT, p.hostId(),
            "report " + p.reportId() + " from " + p.file() + (allowEnrolled ? " (--allow-enrolled)" : ""));
      }
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
   * The second half for the demo's simulated lab: every report through the ingestor (validation
   * again, store once, verdict recompute), in the order given; then the verdicts are brought up
   * to date.
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

  /**
   * The second half for {@code import}: every report stored with its provenance ("imported from
   * FILE by USER at TIME") in the same write, in the order given; then the verdicts are brought up
   * to date.
   */
  static Imported storeAll(List<Report> reports, List<ReportImport> provenance, Storage store,
      VerdictService verdicts) {
    int stored = 0;
    int duplicates = 0;
    try (Progress progress = Progress.forTerminal("Storing reports")) {
      for (int i = 0; i < reports.size(); i++) {
        Report report = reports.get(i);
        Store.IngestOutcome outcome = store.ingestImported(report, provenance.get(i)).join();
        if (outcome == Store.IngestOutcome.STORED) {
          verdicts.evidenceArrived(report.getInventory().getHostId());
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

  private int refuse(List<String> problems) {
    problems.forEach(p -> System.err.println("labscan-controller import: " + Text.terminalSafe(p, 600)));
    System.err.println("labscan-controller import: nothing imported (" + problems.size() + " of "
        + files.size() + " files refused).");
    return ControllerMain.EXIT_BAD_INPUT;
  }
}
