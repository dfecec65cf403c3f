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
import java.util.Optional;

/**
 * A {@link ComplianceReport} as one CSV table (RFC 4180, CRLF line ends) with a {@code section}
 * column, so a spreadsheet can filter it and a script can read it with any CSV parser:
 * {@code compliance} (one row per day for the whole scope, then per lab), {@code out-of-compliance},
 * {@code stale-antivirus}, {@code missed-scans}, {@code infection}, and {@code note} rows for lists
 * that were cut at the row limit.
 *
 * <p>Every text cell goes through {@link Text#csvCell}: always quoted (so neither {@code ,} nor
 * the {@code ;} many locales' Excel splits on ever starts a new cell), and host names and
 * antivirus products are written by whatever runs on the endpoint, so a cell starting with
 * {@code = + - @} (or tab/CR) gets a leading apostrophe and a spreadsheet never evaluates it as a
 * formula; control characters are escaped. Counts and percentages LabScan computed go out as
 * unquoted numbers; a number column without data is an empty cell.
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
      row(sb, "out-of-compliance", "", h.lab(), h.hostId(), h.hostname(), NO_NUMBER, NO_NUMBER, NO_NUMBER, h.verdict(),
          String.join("; ", h.reasons()), "", "");
    }
    note(sb, "out-of-compliance", report.outOfCompliance());
    for (StaleAntivirus s : report.staleAntivirus().rows()) {
      row(sb, "stale-antivirus", "", s.lab(), s.hostId(), s.hostname(), NO_NUMBER, NO_NUMBER, NO_NUMBER, s.state(), s.products(), "", "");
    }
    note(sb, "stale-antivirus", report.staleAntivirus());
    for (MissedScans m : report.missedScans().rows()) {
      row(sb, "missed-scans", "", m.lab(), m.hostId(), m.hostname(), m.daysWithoutFullScan(),
          m.daysExpected(), NO_NUMBER, m.overdueNow() ? "overdue" : "",
          m.daysWithoutFullScan() + " of " + m.daysExpected() + " days without a complete full scan",
          time(m.lastFullScan()), "");
    }
    note(sb, "missed-scans", report.missedScans());
    for (Infection i : report.infections().rows()) {
      row(sb, "infection", "", i.lab(), i.hostId(), i.hostname(), NO_NUMBER, NO_NUMBER, NO_NUMBER,
          i.cleared().isPresent() ? "cleared" : "open", i.reasons(), i.found().toString(), time(i.cleared()));
    }
    note(sb, "infection", report.infections());
    return sb.toString();
  }

  private static void day(StringBuilder sb, Day d, String lab) {
    row(sb, "compliance", d.day().toString(), lab, "", "", d.hasData() ? d.compliant() : NO_NUMBER,
        d.hasData() ? d.hosts() : NO_NUMBER,
        d.hasData() && d.hosts() > 0 ? new Percent(d.percent()) : NO_NUMBER, d.source(), "", "", "");
  }

  private static void note(StringBuilder sb, String section, Rows<?> rows) {
    if (rows.truncated()) {
      row(sb, "note", "", "", "", "", rows.rows().size(), rows.total(), NO_NUMBER,
          "truncated", section + ": the first " + rows.rows().size() + " of " + rows.total() + " rows", "", "");
    }
  }

  private static String time(Optional<Instant> t) {
    return t.map(Instant::toString).orElse("");
  }

  /** A share in percent, written with one decimal. */
  private record Percent(double value) {}

  /** An empty cell in a number column: nothing at all (not an empty text), so a sum skips it. */
  private static final Object NO_NUMBER = new Object();

  /**
   * One line: {@link Integer} and {@link Percent} cells are numbers (unquoted), {@link #NO_NUMBER}
   * an empty number cell, everything else text through {@link Text#csvCell} (always quoted).
   */
  private static void row(StringBuilder sb, Object... cells) {
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      Object c = cells[i];
      if (c instanceof Integer n) {
        sb.append(Text.csvNumber(n));
      } else if (c instanceof Percent p) {
        sb.append(Text.csvNumber(p.value(), 1));
      } else if (c != NO_NUMBER) {
        sb.append(Text.csvCell(String.valueOf(c)));
      }
    }
    sb.append("\r\n");
  }
}
