package io.labscan.controller.report;

import io.labscan.controller.report.ComplianceReport.Day;
import io.labscan.controller.report.ComplianceReport.Infection;
import io.labscan.controller.report.ComplianceReport.LabSeries;
import io.labscan.controller.report.ComplianceReport.MissedScans;
import io.labscan.controller.report.ComplianceReport.NonCompliantHost;
import io.labscan.controller.report.ComplianceReport.Rows;
import io.labscan.controller.report.ComplianceReport.StaleAntivirus;
import io.labscan.controller.text.Text;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * A {@link ComplianceReport} as one CSV table (RFC 4180, CRLF line ends) with a {@code section}
 * column, so a spreadsheet can filter it and a script can read it with any CSV parser:
 * {@code compliance} (one row per day for the whole scope, then per lab), {@code out-of-compliance},
 * {@code stale-antivirus}, {@code missed-scans}, {@code infection}, and {@code note} rows for lists
 * that were cut at the row limit.
 *
 * <p>Every text cell goes through {@link Text#csvCell}: host names and antivirus products are
 * written by whatever runs on the endpoint, so a cell starting with {@code = + - @} (or tab/CR)
 * gets a leading apostrophe and a spreadsheet never evaluates it as a formula; quotes, commas
 * and line breaks are quoted; control characters are escaped. Numbers and times are written
 * by LabScan and go out as they are.
 */
public final class ReportCsv {
  public static final String HEADER =
      "section,day,lab,hostId,hostname,value,total,percent,state,detail,at,until";

  private ReportCsv() {}

  public static String render(ComplianceReport report) {
    StringBuilder sb = new StringBuilder(HEADER).append("\r\n");
    for (Day d : report.days()) {
      day(sb, d, report.scopeName());
    }
    if (report.lab().isEmpty()) { // one lab's series is its scope's rows already
      for (LabSeries series : report.perLab()) {
        for (Day d : series.days()) {
          day(sb, d, series.lab());
        }
      }
    }
    for (NonCompliantHost h : report.outOfCompliance().rows()) {
      row(sb, "out-of-compliance", "", h.lab(), h.hostId(), h.hostname(), "", "", "", h.verdict(),
          String.join("; ", h.reasons()), "", "");
    }
    note(sb, "out-of-compliance", report.outOfCompliance());
    for (StaleAntivirus s : report.staleAntivirus().rows()) {
      row(sb, "stale-antivirus", "", s.lab(), s.hostId(), s.hostname(), "", "", "", s.state(), s.products(), "", "");
    }
    note(sb, "stale-antivirus", report.staleAntivirus());
    for (MissedScans m : report.missedScans().rows()) {
      row(sb, "missed-scans", "", m.lab(), m.hostId(), m.hostname(), Integer.toString(m.daysWithoutFullScan()),
          Integer.toString(m.daysExpected()), "", m.overdueNow() ? "overdue" : "",
          m.daysWithoutFullScan() + " of " + m.daysExpected() + " days without a complete full scan",
          time(m.lastFullScan()), "");
    }
    note(sb, "missed-scans", report.missedScans());
    for (Infection i : report.infections().rows()) {
      row(sb, "infection", "", i.lab(), i.hostId(), i.hostname(), "", "", "",
          i.cleared().isPresent() ? "cleared" : "open", i.reasons(), i.found().toString(), time(i.cleared()));
    }
    note(sb, "infection", report.infections());
    return sb.toString();
  }

  private static void day(StringBuilder sb, Day d, String lab) {
    row(sb, "compliance", d.day().toString(), lab, "", "", d.hasData() ? Integer.toString(d.compliant()) : "",
        d.hasData() ? Integer.toString(d.hosts()) : "",
        d.hasData() && d.hosts() > 0 ? String.format(Locale.ROOT, "%.1f", d.percent()) : "", d.source(), "", "", "");
  }

  private static void note(StringBuilder sb, String section, Rows<?> rows) {
    if (rows.truncated()) {
      row(sb, "note", "", "", "", "", Integer.toString(rows.rows().size()), Integer.toString(rows.total()), "",
          "truncated", section + ": the first " + rows.rows().size() + " of " + rows.total() + " rows", "", "");
    }
  }

  private static String time(Optional<Instant> t) {
    return t.map(Instant::toString).orElse("");
  }

  private static void row(StringBuilder sb, String... cells) {
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(Text.csvCell(cells[i]));
    }
    sb.append("\r\n");
  }
}
