package io.labscan.controller.report;

import io.labscan.controller.report.ComplianceReport.Infection;
import io.labscan.controller.report.ComplianceReport.MissedScans;
import io.labscan.controller.report.ComplianceReport.NonCompliantHost;
import io.labscan.controller.report.ComplianceReport.StaleAntivirus;
import io.labscan.controller.text.Text;
import java.util.List;
import java.util.Locale;

/**
 * The plain-text summary of a report, the body of the scheduled e-mail (the full report is the
 * attached CSV). Host-reported text is escaped for a terminal ({@link Text#terminal}) and cut,
 * and each list shows its first {@link #LIST_LINES} entries, so a mail stays readable whatever
 * the fleet reported.
 */
public final class ReportText {
  static final int LIST_LINES = 20;
  private static final int MAX_CELL = 120;

  private ReportText() {}

  public static String render(ComplianceReport r) {
    StringBuilder sb = new StringBuilder();
    sb.append("LabScan compliance report: ").append(cell(r.scopeName())).append('\n');
    sb.append("Period: ").append(r.range().from()).append(" to ").append(r.range().to().minusDays(1))
        .append(" (").append(r.range().days()).append(r.range().days() == 1 ? " day" : " days").append(", UTC)\n");
    sb.append("Made: ").append(r.generatedAt()).append("\n\n");
    sb.append("Compliance: ").append(r.averagePercent().isPresent()
        ? String.format(Locale.ROOT, "%.1f%% on average over the days with data", r.averagePercent().getAsDouble())
        : "no daily data in this period").append('\n');
    long withData = r.days().stream().filter(ComplianceReport.Day::hasData).count();
    sb.append("Days with data: ").append(withData).append(" of ").append(r.days().size()).append('\n');
    sb.append("Hosts now: ").append(r.hosts()).append(", compliant ").append(r.compliantNow()).append("\n\n");

    sb.append("Out of compliance now (").append(r.outOfCompliance().total()).append(")\n");
    list(sb, r.outOfCompliance().rows(), r.outOfCompliance().total(),
        (NonCompliantHost h) -> cell(h.hostname()) + " [" + cell(h.lab()) + "]: " + cell(String.join("; ", h.reasons())));
    sb.append("\nStale antivirus now (").append(r.staleAntivirus().total()).append(")\n");
    list(sb, r.staleAntivirus().rows(), r.staleAntivirus().total(),
        (StaleAntivirus s) -> cell(s.hostname()) + " [" + cell(s.lab()) + "]: " + cell(s.products()));
    sb.append("\nMissed scans (").append(r.missedScans().total()).append(")\n");
    list(sb, r.missedScans().rows(), r.missedScans().total(),
        (MissedScans m) -> cell(m.hostname()) + " [" + cell(m.lab()) + "]: " + m.daysWithoutFullScan() + " of "
            + m.daysExpected() + " days without a complete full scan" + (m.overdueNow() ? ", overdue now" : ""));
    sb.append("\nInfections found or cleared (").append(r.infections().total()).append(")\n");
    list(sb, r.infections().rows(), r.infections().total(),
        (Infection i) -> cell(i.hostname()) + " [" + cell(i.lab()) + "]: found " + i.found()
            + i.cleared().map(c -> ", cleared " + c).orElse(", not cleared"));
    sb.append("\nThe attached CSV holds the whole report.\n");
    return sb.toString();
  }

  private static <T> void list(StringBuilder sb, List<T> rows, int total, java.util.function.Function<T, String> line) {
    if (rows.isEmpty()) {
      sb.append("  none\n");
      return;
    }
    rows.stream().limit(LIST_LINES).forEach(x -> sb.append("  - ").append(line.apply(x)).append('\n'));
    if (total > LIST_LINES) {
      sb.append("  … and ").append(total - LIST_LINES).append(" more in the CSV\n");
    }
  }

  private static String cell(String text) {
    String t = Text.terminal(text);
    return t.length() > MAX_CELL ? t.substring(0, MAX_CELL) + "…" : t;
  }
}
