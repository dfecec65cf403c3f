package io.labscan.controller.cli;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.Controller;
import io.labscan.controller.account.Principal;
import io.labscan.controller.account.Role;
import io.labscan.controller.audit.Actions;
import io.labscan.controller.audit.AuditLog;
import io.labscan.controller.report.ComplianceReport;
import io.labscan.controller.report.ComplianceReports;
import io.labscan.controller.report.DateRange;
import io.labscan.controller.report.ReportCsv;
import io.labscan.controller.report.ReportText;
import io.labscan.controller.store.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code labscan-controller report}: the compliance report of the web UI's Reports page
 * (docs/dashboard.md), as text or CSV, for whoever may read the database (every lab). Audited
 * as a CLI read ({@code report.read}).
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Prints the compliance report of a lab (or every lab) for the UTC days [--from, --to):",
        "compliance per day, hosts out of compliance and why, stale antivirus, missed scans, infections."})
final class ReportCommand implements Callable<Integer> {
  @Mixin DatabaseOptions db;

  @Option(names = "--lab", paramLabel = "LAB", description = "One lab (default: every lab).")
  String lab;

  @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First day (default: 30 days before --to).")
  String from;

  @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "The day after the last (default: tomorrow).")
  String to;

  @Option(names = "--format", defaultValue = "text", paramLabel = "text|csv",
      description = "Output format (default: ${DEFAULT-VALUE}).")
  String format;

  @Override
  public Integer call() {
    String f = format.strip().toLowerCase(Locale.ROOT);
    if (!f.equals("text") && !f.equals("csv")) {
      System.err.println("labscan-controller report: --format must be text or csv, not " + format);
      return ControllerMain.EXIT_BAD_INPUT;
    }
    var opened = db.open("report", DatabaseSelection.Absent.REFUSE);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    Clock clock = Clock.systemUTC();
    try (Storage store = opened.get(); Controller controller = Controller.over(store, clock)) {
      ComplianceReports reports = controller.reports();
      DateRange range;
      try {
        range = DateRange.parse(from, to, reports.today());
      } catch (IllegalArgumentException e) {
        System.err.println("labscan-controller report: --" + e.getMessage());
        return ControllerMain.EXIT_BAD_INPUT;
      }
      Optional<String> scope = lab == null || lab.isEmpty() ? Optional.empty() : Optional.of(lab);
      ComplianceReport report;
      try {
        report = reports.build(Principal.user(System.getProperty("user.name", "cli"), Role.ADMIN, Set.of()), scope,
            range);
      } catch (ComplianceReports.UnknownLab e) {
        System.err.println("labscan-controller report: " + requireNonNull(e.getMessage(), "UnknownLab's message").replace(" (the labs are listed by GET "
            + "/api/v1/labs)", ""));
        return ControllerMain.EXIT_BAD_INPUT;
      }
      AuditLog.forCli(store).cli(Actions.REPORT_READ, scope.orElse(""), f + ", " + report.scopeName() + " " + range);
      System.out.print(f.equals("csv") ? ReportCsv.render(report) : ReportText.render(report));
      return 0;
    }
  }
}
