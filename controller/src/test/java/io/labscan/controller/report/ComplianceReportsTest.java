package io.labscan.controller.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.account.Principal;
import io.labscan.controller.account.Role;
import io.labscan.controller.report.ComplianceReport.Day;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

  /** Writes verdict changes of {@code hostId} straight into the history, as years of a busy controller would. */
  private void history(String hostId, List<Object[]> rows) {
    week.store.write(db -> {
      try (java.sql.PreparedStatement ps = db.prepareStatement(
          "INSERT INTO verdict_history(host_id, verdict, at_ms, reasons) VALUES (?,?,?,?)")) {
        for (Object[] r : rows) {
          ps.setString(1, hostId);
          ps.setString(2, (String) r[0]);
          ps.setLong(3, ((Instant) r[1]).toEpochMilli());
          ps.setString(4, "[{\"code\":\"x\",\"text\":\"" + r[2] + "\",\"evidence\":\"\"}]");
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    }).join();
  }

  /** {@code count} one-minute infections of phys-pc-01, one a minute from the start of the week. */
  private Instant flapping(int count) {
    Instant start = WEEK.from().atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Instant t = start.plus(java.time.Duration.ofMinutes(i));
      rows.add(new Object[] {"INFECTED", t, "Klez.H in WinkQRST.exe, round " + i});
      rows.add(new Object[] {"CLEAN", t.plusSeconds(30), "cleaned"});
    }
    history(week.phys1.hostId(), rows);
    return start;
  }

  @Test
  void aRangeWithMoreInfectionsThanTheRowLimitListsTheFirstOnesAndSaysHowManyThereWere() {
    int episodes = ComplianceReports.MAX_ROWS + 1_500;
    Instant start = flapping(episodes);

    ComplianceReport r = reports.build(ADMIN, Optional.of(LabWeek.PHYSICS), WEEK);

    assertThat(r.infections().rows()).hasSize(ComplianceReports.MAX_ROWS);
    assertThat(r.infections().total()).isEqualTo(episodes);
    assertThat(r.infections().truncated()).isTrue();
    assertThat(r.infections().rows().get(0).found()).isEqualTo(start);
    assertThat(r.infections().rows().get(ComplianceReports.MAX_ROWS - 1).found())
        .isEqualTo(start.plus(java.time.Duration.ofMinutes(ComplianceReports.MAX_ROWS - 1)));
    assertThat(ReportCsv.render(r)).contains("infection: the first 5000 of 6500 rows");
  }

  @Test
  void readingTheInfectionsHoldsAtMostTheRowsKeptHoweverManyTheStoreHas() {
    Instant start = flapping(2_000);
    java.util.Comparator<ReportRepository.Episode> byTime = java.util.Comparator.comparing(ReportRepository.Episode::found);

    ReportRepository.Episodes read = new ReportRepository(week.store)
        .infections(List.of(week.phys1.hostId(), week.phys2.hostId()), WEEK, 10, byTime);

    assertThat(read.total()).isEqualTo(2_000);
    assertThat(read.first()).hasSize(10);
    assertThat(read.first()).extracting(ReportRepository.Episode::found)
        .containsExactly(java.util.stream.IntStream.range(0, 10)
            .mapToObj(i -> start.plus(java.time.Duration.ofMinutes(i))).toArray(Instant[]::new));
  }

  @Test
  void anInfectionOpenWhenTheRangeStartsIsFoundFromTheStateBeforeItAmongYearsOfOtherHistory() {
    Instant start = WEEK.from().atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    List<Object[]> rows = new ArrayList<>();
    // Two years of flapping before the range: CLEAN, SUSPECTED, UNKNOWN... and an episode cleared long ago.
    Instant t = start.minus(java.time.Duration.ofDays(730));
    for (int i = 0; i < 6000; i++) {
      rows.add(new Object[] {i % 3 == 0 ? "CLEAN" : i % 3 == 1 ? "SUSPECTED" : "UNKNOWN", t, "flap " + i});
      t = t.plus(java.time.Duration.ofMinutes(150));
    }
    rows.add(new Object[] {"INFECTED", start.minus(java.time.Duration.ofDays(20)), "old episode"});
    rows.add(new Object[] {"CLEAN", start.minus(java.time.Duration.ofDays(19)), "cleaned"});
    // The episode the report must show: INFECTED ten days before the range, still not CLEAN at its start.
    rows.add(new Object[] {"INFECTED", start.minus(java.time.Duration.ofDays(10)), "Klez.H in WinkQRST.exe"});
    rows.add(new Object[] {"SUSPECTED", start.minus(java.time.Duration.ofDays(9)), "quieter"});
    rows.add(new Object[] {"INFECTED", start.minus(java.time.Duration.ofDays(8)), "again"});
    rows.add(new Object[] {"CLEAN", start.plus(java.time.Duration.ofHours(3)), "cleaned in the range"});
    // And plenty after the range.
    t = WEEK.to().atStartOfDay(java.time.ZoneOffset.UTC).toInstant().plus(java.time.Duration.ofDays(1));
    for (int i = 0; i < 3000; i++) {
      rows.add(new Object[] {i % 2 == 0 ? "INFECTED" : "CLEAN", t, "later " + i});
      t = t.plus(java.time.Duration.ofMinutes(30));
    }
    history(week.phys1.hostId(), rows);

    ComplianceReport r = reports.build(ADMIN, Optional.of(LabWeek.PHYSICS), WEEK);

    assertThat(r.infections().rows()).singleElement().satisfies(i -> {
      assertThat(i.hostname()).isEqualTo("phys-pc-01");
      assertThat(i.found()).isEqualTo(start.minus(java.time.Duration.ofDays(10)));
      assertThat(i.cleared()).contains(start.plus(java.time.Duration.ofHours(3)));
      assertThat(i.reasons()).isEqualTo("Klez.H in WinkQRST.exe");
    });
  }

  @Test
  void theInfectionQueriesSeekTheVerdictIndexAndNeverScanAHostsWholeHistory() {
    for (String sql : List.of(ReportRepository.LAST_CLEAN_BEFORE, ReportRepository.FIRST_INFECTED_BETWEEN,
        ReportRepository.CHANGES_IN_RANGE)) {
      List<String> plan = week.store.read(db -> {
        List<String> steps = new ArrayList<>();
        try (java.sql.PreparedStatement ps = db.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
          for (int i = 1; i <= ps.getParameterMetaData().getParameterCount(); i++) {
            ps.setLong(i, i);
          }
          try (java.sql.ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              steps.add(rs.getString(4));
            }
          }
        }
        return steps;
      });
      assertThat(plan).as(sql).noneMatch(step -> step.startsWith("SCAN"))
          .anySatisfy(step -> assertThat(step).startsWith("SEARCH verdict_history USING")
              .containsPattern("\\(host_id=\\? AND .*at_ms<\\?\\)"));
    }
    String lastClean = week.store.read(db -> {
      try (java.sql.PreparedStatement ps = db.prepareStatement("EXPLAIN QUERY PLAN " + ReportRepository.LAST_CLEAN_BEFORE);
          java.sql.ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(4);
      }
    });
    assertThat(lastClean).contains("verdict_history_by_host_verdict (host_id=? AND verdict=? AND at_ms<?)");
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
