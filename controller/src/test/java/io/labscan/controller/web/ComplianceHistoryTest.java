package io.labscan.controller.web;

import io.labscan.controller.fleet.ComplianceHistory;
import io.labscan.controller.fleet.Fleet;
import io.labscan.controller.fleet.LabRules;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.Assessment;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.testsupport.MutableClock;
import io.labscan.testsupport.TestWiring;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComplianceHistoryTest {
  @TempDir Path dir;

  @Test
  void daysBeforeSnapshotsAreEstimatedFromTheVerdictHistoryAndSnapshotsWinLater() {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-20T09:00:00Z"));
    try (Storage store = Storage.open(dir.resolve("h.db"))) {
      FleetReports.Host a = new FleetReports.Host("phys-pc-01");
      FleetReports.Host b = new FleetReports.Host("phys-pc-02");
      store.ingest(a.fullScan(clock.instant(), Duration.ZERO), clock.instant(), "test").join();
      store.ingest(b.fullScan(clock.instant(), Duration.ZERO), clock.instant(), "test").join();
      // 20 Nov: both clean; 22 Nov: b infected; 24 Nov: b clean again.
      store.saveAssessment(a.hostId(), new Assessment(Verdict.CLEAN, List.of(new Reason("clean", "", ""))), clock.instant());
      store.saveAssessment(b.hostId(), new Assessment(Verdict.CLEAN, List.of(new Reason("clean", "", ""))), clock.instant());
      store.saveAssessment(b.hostId(), new Assessment(Verdict.INFECTED, List.of(new Reason("artifact", "", ""))),
          Instant.parse("2026-11-22T13:00:00Z"));
      store.saveAssessment(b.hostId(), new Assessment(Verdict.CLEAN, List.of(new Reason("clean", "", ""))),
          Instant.parse("2026-11-24T07:00:00Z"));

      clock.advance(Duration.ofDays(5));
      Fleet fleet = TestWiring.fleet(store, new LabRules(store, clock), VerdictPolicy.defaults(), clock);
      ComplianceHistory history = new ComplianceHistory(fleet);
      Map<String, List<ComplianceHistory.Point>> trend = history.trend(7);

      List<ComplianceHistory.Point> physics = trend.get("physics-lab");
      assertThat(physics).extracting(p -> p.day().toString()).containsExactly("2026-11-20", "2026-11-21",
          "2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25");
      assertThat(physics).extracting(ComplianceHistory.Point::compliant).containsExactly(2, 2, 1, 1, 2, 0);
      assertThat(physics.get(0).source()).isEqualTo(ComplianceHistory.Source.VERDICT_HISTORY);
      assertThat(physics.get(5).source()).as("today, live: scans are 5 days old").isEqualTo(ComplianceHistory.Source.LIVE);

      history.snapshot();
      clock.advance(Duration.ofDays(1));
      ComplianceHistory.Point yesterday = history.trend(2).get("physics-lab").get(0);
      assertThat(yesterday.day()).isEqualTo(LocalDate.parse("2026-11-25"));
      assertThat(yesterday.source()).isEqualTo(ComplianceHistory.Source.SNAPSHOT);
      assertThat(yesterday.hosts()).isEqualTo(2);
    }
  }
}
