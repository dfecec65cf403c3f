package io.labscan.controller.report;

import io.labscan.controller.fleet.ComplianceHistory;
import io.labscan.controller.fleet.Fleet;
import io.labscan.controller.fleet.LabRules;
import io.labscan.controller.ingest.InvalidReportException;
import io.labscan.controller.ingest.ReportIngestor;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictService;
import io.labscan.controller.web.FleetReports;
import io.labscan.proto.v1.Report;
import io.labscan.testsupport.MutableClock;
import io.labscan.testsupport.TestWiring;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;

/**
 * A realistic week of two labs, played through the real ingest path on a real SQLite file with
 * a clock the test moves: every weekday morning each PC reports its nightly full scan at 07:00
 * and the hourly compliance snapshot is taken at 07:30.
 *
 * <ul>
 *   <li>physics-lab: phys-pc-01 (clean all week), phys-pc-02 (skips its scan on Wednesday 4 Nov);
 *   <li>chemistry: chem-pc-07 (Klez found on Tuesday 3 Nov, clean again from Thursday 5 Nov),
 *       chem-pc-08 (antivirus definitions stale all week).
 * </ul>
 * The week is Monday 2 Nov to Sunday 8 Nov 2026; {@link #clock} stops on Monday 9 Nov, 07:30.
 */
final class LabWeek implements AutoCloseable {
  static final LocalDate MONDAY = LocalDate.parse("2026-11-02");
  static final String PHYSICS = "physics-lab";
  static final String CHEMISTRY = "chemistry";

  final MutableClock clock = new MutableClock(Instant.parse("2026-11-02T07:00:00Z"));
  final Storage store;
  final VerdictService verdicts;
  final ReportIngestor ingestor;
  final Fleet fleet;
  final FleetReports.Host phys1 = new FleetReports.Host("phys-pc-01").ip("10.20.3.11");
  final FleetReports.Host phys2 = new FleetReports.Host("phys-pc-02").ip("10.20.3.12");
  final FleetReports.Host chem7 = new FleetReports.Host("chem-pc-07").lab(CHEMISTRY).ip("10.30.1.7")
      .infected("WINDOWS/SYSTEM32/WinkQRST.exe");
  final FleetReports.Host chem8 = new FleetReports.Host("chem-pc-08").lab(CHEMISTRY).ip("10.30.1.8")
      .staleDefinitions();

  LabWeek(Path file) {
    store = Storage.open(file);
    verdicts = new VerdictService(store, VerdictPolicy.defaults(), clock);
    ingestor = new ReportIngestor(store, verdicts, clock);
    fleet = TestWiring.fleet(store, new LabRules(store, clock), VerdictPolicy.defaults(), clock);
  }

  /** Plays Monday to Sunday; the clock ends on the next Monday at 07:30 (after that day's reports). */
  LabWeek play() {
    ComplianceHistory history = new ComplianceHistory(fleet);
    for (int day = 0; day <= 7; day++) {
      clock.advance(Duration.between(clock.instant(),
          MONDAY.plusDays(day).atTime(7, 0).toInstant(java.time.ZoneOffset.UTC)));
      ingest(phys1.fullScan(clock.instant(), Duration.ZERO));
      if (day != 2) {
        ingest(phys2.fullScan(clock.instant(), Duration.ZERO));
      }
      Report chem = chem7.fullScan(clock.instant(), Duration.ZERO);
      ingest(day == 1 || day == 2 ? chem : chem.toBuilder().clearFindings().build());
      ingest(chem8.fullScan(clock.instant(), Duration.ZERO));
      verdicts.flush();
      clock.advance(Duration.ofMinutes(30));
      history.snapshot();
    }
    return this;
  }

  private void ingest(Report r) {
    try {
      ingestor.ingest(r, "test").join();
    } catch (InvalidReportException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Override
  public void close() {
    verdicts.close();
    store.close();
  }
}
