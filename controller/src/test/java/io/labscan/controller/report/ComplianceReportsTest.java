package io.labscan.controller.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.account.Principal;
import io.labscan.controller.account.Role;
import io.labscan.controller.report.ComplianceReport.Day;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compliance report over a realistic week of two labs ({@link LabWeek}). */
class ComplianceReportsTest {
  static final Principal ADMIN = Principal.user("it-staff", Role.ADMIN, Set.of());
  static final Principal PHYSICS_MANAGER = Principal.user("physics-manager", Role.LAB_MANAGER,
      Set.of(LabWeek.PHYSICS));
  static final DateRange WEEK = new DateRange(LabWeek.MONDAY, LabWeek.MONDAY.plusDays(7));

  @TempDir Path dir;
  LabWeek week;
  ComplianceReports reports;

  @BeforeEach
  void play() {
    week = new LabWeek(dir.resolve("controller.db")).play();
    reports = new ComplianceReports(week.fleet);
  }

  @AfterEach
  void close() {
    week.close();
  }

  @Test
  void theDailyShareComesFromEachDaysSnapshotPerLabAndInTotal() {
    ComplianceReport chemistry = reports.build(ADMIN, Optional.of(LabWeek.CHEMISTRY), WEEK);
    // chem-pc-08's definitions are stale all week; chem-pc-07 is infected Tuesday and Wednesday.
    assertThat(chemistry.days()).extracting(Day::compliant).containsExactly(1, 0, 0, 1, 1, 1, 1);
    assertThat(chemistry.days()).extracting(Day::hosts).containsOnly(2);
    assertThat(chemistry.days()).extracting(Day::source).containsOnly("snapshot");
    assertThat(chemistry.days().get(0).percent()).isEqualTo(50.0);

    ComplianceReport all = reports.build(ADMIN, Optional.empty(), WEEK);
    assertThat(all.labs()).containsExactly(LabWeek.CHEMISTRY, LabWeek.PHYSICS);
    // Wednesday: phys-pc-02 skipped its scan and was not seen within the hour of the snapshot.
    assertThat(all.days()).extracting(Day::compliant).containsExactly(3, 2, 1, 3, 3, 3, 3);
    assertThat(all.days()).extracting(Day::hosts).containsOnly(4);
    assertThat(all.perLab()).extracting(ComplianceReport.LabSeries::lab)
        .containsExactly(LabWeek.CHEMISTRY, LabWeek.PHYSICS);
  }

  @Test
  void daysWithoutASnapshotSayNoneAndTodayIsLive() {
    DateRange range = new DateRange(LabWeek.MONDAY.minusDays(2), LabWeek.MONDAY.plusDays(8));
    ComplianceReport r = reports.build(ADMIN, Optional.of(LabWeek.PHYSICS), range);
    assertThat(r.days()).hasSize(10);
    assertThat(r.days().get(0).source()).isEqualTo("none");
    assertThat(r.days().get(0).hasData()).isFalse();
    assertThat(r.days().get(9).source()).isEqualTo("live");
    assertThat(r.days().get(9).compliant()).isEqualTo(2);
  }

  @Test
  void anInfectionFoundAndClearedInTheRangeIsListedWithBothTimesAndItsReason() {
    ComplianceReport r = reports.build(ADMIN, Optional.of(LabWeek.CHEMISTRY), WEEK);
    assertThat(r.infections().rows()).singleElement().satisfies(i -> {
      assertThat(i.hostname()).isEqualTo("chem-pc-07");
      assertThat(i.found()).isEqualTo(Instant.parse("2026-11-03T07:00:00Z"));
      assertThat(i.cleared()).contains(Instant.parse("2026-11-05T07:00:00Z"));
      assertThat(i.reasons()).contains("WinkQRST.exe");
    });
    // A range that ends before the cleaning shows it still open; one after it shows nothing.
    ComplianceReport tuesday = reports.build(ADMIN, Optional.of(LabWeek.CHEMISTRY),
        new DateRange(LabWeek.MONDAY.plusDays(1), LabWeek.MONDAY.plusDays(2)));
    assertThat(tuesday.infections().rows()).singleElement().satisfies(i -> assertThat(i.cleared()).isEmpty());
    ComplianceReport weekend = reports.build(ADMIN, Optional.of(LabWeek.CHEMISTRY),
        new DateRange(LabWeek.MONDAY.plusDays(5), LabWeek.MONDAY.plusDays(7)));
    assertThat(weekend.infections().rows()).isEmpty();
  }

  @Test
  void aSkippedNightlyScanCountsAsAMissedDay() {
    ComplianceReport r = reports.build(ADMIN, Optional.of(LabWeek.PHYSICS), WEEK);
    assertThat(r.missedScans().rows()).singleElement().satisfies(m -> {
      assertThat(m.hostname()).isEqualTo("phys-pc-02");
      assertThat(m.daysWithoutFullScan()).isEqualTo(1);
      assertThat(m.daysExpected()).isEqualTo(7);
      assertThat(m.overdueNow()).isFalse();
    });
  }

  @Test
  void hostsOutOfComplianceNowCarryTheDashboardsWordsAndStaleAntivirusIsListed() {
    ComplianceReport r = reports.build(ADMIN, Optional.empty(), WEEK);
    assertThat(r.outOfCompliance().rows()).singleElement().satisfies(h -> {
      assertThat(h.hostname()).isEqualTo("chem-pc-08");
      assertThat(h.reasons()).containsExactly("antivirus definitions not FRESH", "verdict is not CLEAN");
    });
    assertThat(r.staleAntivirus().rows()).singleElement().satisfies(s -> {
      assertThat(s.hostname()).isEqualTo("chem-pc-08");
      assertThat(s.state()).isEqualTo("STALE");
      assertThat(s.products()).contains("ClamAV STALE", "9 days ago");
    });
    assertThat(r.hosts()).isEqualTo(4);
    assertThat(r.compliantNow()).isEqualTo(3);
  }

  @Test
  void aLabManagerGetsOnlyTheirLabsAndAnotherLabIsAnsweredLikeAnUnknownOne() {
    ComplianceReport own = reports.build(PHYSICS_MANAGER, Optional.empty(), WEEK);
    assertThat(own.labs()).containsExactly(LabWeek.PHYSICS);
    assertThat(own.days()).extracting(Day::hosts).containsOnly(2);
    assertThat(own.infections().rows()).isEmpty();
    assertThat(own.staleAntivirus().rows()).isEmpty();

    assertThatThrownBy(() -> reports.build(PHYSICS_MANAGER, Optional.of(LabWeek.CHEMISTRY), WEEK))
        .isInstanceOf(ComplianceReports.UnknownLab.class)
        .hasMessage("no lab named 'chemistry' (the labs are listed by GET /api/v1/labs)");
    assertThatThrownBy(() -> reports.build(ADMIN, Optional.of("biology"), WEEK))
        .isInstanceOf(ComplianceReports.UnknownLab.class)
        .hasMessage("no lab named 'biology' (the labs are listed by GET /api/v1/labs)");
  }
}
