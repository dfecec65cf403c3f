package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.labscan.controller.TestReports;
import io.labscan.controller.triage.AddressHolding;
import io.labscan.controller.triage.EgressHit;
import io.labscan.controller.triage.HostState;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who held an address when, as triage asks it of the store. */
class SqliteTriageEvidenceTest {
  @TempDir Path dir;
  private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");

  @Test
  void theCurrentHolderHoldsTheAddressFromItsFirstReportOn() {
    String id = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(id, "lab-pc-07", T0, 1, "10.20.3.17"), T0, "t").join();
      List<AddressHolding> holdings = new SqliteTriageEvidence(store.database(), "k").holdersOf("10.20.3.17", T0.plusSeconds(60));
      assertThat(holdings).singleElement().satisfies(h -> {
        assertThat(h.hostId()).isEqualTo(id);
        assertThat(h.until()).contains(T0.plus(java.time.Duration.ofHours(2)));
        assertThat(h.silentAfter()).contains(T0);
        assertThat(h.covers(T0.plusSeconds(60))).isTrue();
        assertThat(h.covers(T0.minusSeconds(60))).isTrue();
      });
    }
  }

  @Test
  void aHoldingKeepsItsFirstReportSoTheBackFilledStretchBeforeItIsOnlyAssumed() {
    String id = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(id, "lab-pc-12", T0, 1, "10.20.3.12"), T0, "t").join();
      List<AddressHolding> holdings = new SqliteTriageEvidence(store.database(), "k")
          .holdersOf("10.20.3.12", T0.minus(Duration.ofHours(5)));
      assertThat(holdings).singleElement().satisfies(h -> {
        assertThat(h.since()).isEqualTo(T0.minus(SqliteTriageEvidence.HOLD_BACKFILL));
        assertThat(h.firstReported()).isEqualTo(T0);
        assertThat(h.assumedAt(T0.minus(Duration.ofHours(5)))).isTrue();
        assertThat(h.assumedAt(T0.plusSeconds(60))).isFalse();
      });
    }
  }

  @Test
  void aReportedBootTimeBoundsTheBackFilledStartOfAHolding() {
    String id = TestReports.newHostId();
    Instant boot = T0.minus(Duration.ofMinutes(4));
    Report scan = TestReports.fullScan(id, "lab-pc-12", T0, 1, "10.20.3.12");
    scan = scan.toBuilder().setInventory(scan.getInventory().toBuilder()
        .setBootTime(Timestamps.fromMillis(boot.toEpochMilli()))).build();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(scan, T0, "t").join();
      List<AddressHolding> holdings = new SqliteTriageEvidence(store.database(), "k")
          .holdersOf("10.20.3.12", T0.minus(Duration.ofHours(1)));
      assertThat(holdings).singleElement().satisfies(h -> {
        assertThat(h.since()).isEqualTo(boot);
        assertThat(h.covers(T0.minus(Duration.ofHours(1)))).isFalse();
        assertThat(h.covers(boot.plusSeconds(1))).isTrue();
      });
    }
  }

  @Test
  void aRenumberedHostStopsHoldingAtTheFirstReportWithoutTheAddressAndTheNextHolderStartsAfterIt() {
    String linda = TestReports.newHostId();
    String harold = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"), T0, "t").join();
      store.ingest(TestReports.fullScan(harold, "lab-pc-12", T0, 1, "10.20.3.18"), T0, "t").join();
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(3600), 2, "10.20.3.99"),
          T0.plusSeconds(3600), "t").join();
      store.ingest(TestReports.fullScan(harold, "lab-pc-12", T0.plusSeconds(4000), 2, "10.20.3.17"),
          T0.plusSeconds(4000), "t").join();

      List<AddressHolding> holdings = new SqliteTriageEvidence(store.database(), "k").holdersOf("10.20.3.17", T0);

      AddressHolding lindas = holdings.stream().filter(h -> h.hostId().equals(linda)).findFirst().orElseThrow();
      AddressHolding harolds = holdings.stream().filter(h -> h.hostId().equals(harold)).findFirst().orElseThrow();
      assertThat(lindas.until()).contains(T0.plusSeconds(3600));
      assertThat(lindas.covers(T0.plusSeconds(1800))).isTrue();
      assertThat(harolds.covers(T0.plusSeconds(1800))).isFalse();
      assertThat(harolds.covers(T0.plusSeconds(4100))).isTrue();
      assertThat(lindas.covers(T0.plusSeconds(4100))).isFalse();
    }
  }

  @Test
  void anotherHostsClaimNeverEndsTheHoldingOfAHostThatKeepsReportingTheAddress() {
    String linda = TestReports.newHostId();
    String liar = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.20"), T0, "t").join();
      store.ingest(TestReports.fullScan(liar, "lab-pc-12", T0.plusSeconds(600), 1, "10.20.3.20"), T0.plusSeconds(600), "t").join();
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(1200), 2, "10.20.3.20"), T0.plusSeconds(1200), "t").join();

      List<AddressHolding> holdings = new SqliteTriageEvidence(store.database(), "k").holdersOf("10.20.3.20", T0.plusSeconds(900));

      assertThat(holdings).filteredOn(h -> h.covers(T0.plusSeconds(900))).extracting(AddressHolding::hostId)
          .containsExactlyInAnyOrder(linda, liar);
      assertThat(holdings).filteredOn(h -> h.hostId().equals(liar)).singleElement()
          .satisfies(h -> assertThat(h.since()).isEqualTo(T0.plusSeconds(600)));
    }
  }

  @Test
  void aSilentHostHoldsItsAddressForTheGracePeriodAfterItsLastReportThenLapses() {
    String linda = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"), T0, "t").join();

      AddressHolding h = new SqliteTriageEvidence(store.database(), "k", java.time.Duration.ofMinutes(30))
          .holdersOf("10.20.3.17", T0).get(0);

      assertThat(h.covers(T0.plusSeconds(29 * 60))).isTrue();
      assertThat(h.covers(T0.plusSeconds(31 * 60))).isFalse();
      assertThat(h.silentAt(T0.plusSeconds(31 * 60))).isTrue();
      assertThat(h.silentAfter()).contains(T0);
    }
  }

  @Test
  void aSilentHostsHoldingEndsWhenAnotherHostFirstClaimsTheAddressAfterItsLastReport() {
    String linda = TestReports.newHostId();
    String harold = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      // Linda's PC reports once and is switched off; DHCP gives the address to Harold's PC 30 minutes later.
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"), T0, "t").join();
      store.ingest(TestReports.fullScan(harold, "lab-pc-12", T0.plusSeconds(1800), 1, "10.20.3.17"),
          T0.plusSeconds(1800), "t").join();

      List<AddressHolding> holdings = new SqliteTriageEvidence(store.database(), "k").holdersOf("10.20.3.17", T0.plusSeconds(3600));

      AddressHolding lindas = holdings.stream().filter(h -> h.hostId().equals(linda)).findFirst().orElseThrow();
      assertThat(lindas.until()).contains(T0.plusSeconds(1800));
      assertThat(lindas.silentAfter()).contains(T0);
      assertThat(holdings).filteredOn(h -> h.covers(T0.plusSeconds(3600))).extracting(AddressHolding::hostId)
          .containsExactly(harold);
      // Before Harold's first report the address was still Linda's: he is never back-filled into her grace.
      assertThat(holdings).filteredOn(h -> h.covers(T0.plusSeconds(600))).extracting(AddressHolding::hostId)
          .containsExactly(linda);
    }
  }

  @Test
  void theTenuresAroundTheAskedTimeAreReadEvenWhenTheAddressHasMoreOlderIntervalsThanTheBound() {
    String linda = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"), T0, "t").join();
      // Years of daily DHCP reuse (or a flood of claims): more ended tenures than one question reads, all older.
      store.write(db -> {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO host_addresses(host_id, ip, first_seen_ms, "
            + "last_seen_ms, is_current, ended_ms) VALUES (?, '10.20.3.17', ?, ?, 0, ?)")) {
          for (int i = 1; i <= SqliteTriageEvidence.MAX_INTERVALS + 5; i++) {
            long start = T0.minus(Duration.ofDays(2)).toEpochMilli() - i * 60_000L;
            ps.setString(1, linda);
            ps.setLong(2, start);
            ps.setLong(3, start + 1_000);
            ps.setLong(4, start + 2_000);
            ps.addBatch();
          }
          ps.executeBatch();
        }
        return null;
      }).join();

      List<AddressHolding> holdings = new SqliteTriageEvidence(store.database(), "k").holdersOf("10.20.3.17", T0.plusSeconds(60));

      assertThat(holdings).hasSize(SqliteTriageEvidence.MAX_INTERVALS);
      assertThat(holdings).filteredOn(h -> h.covers(T0.plusSeconds(60))).extracting(AddressHolding::hostId)
          .containsExactly(linda);
    }
  }

  /** A full scan whose inventory gives the address a DHCP lease ending at {@code leaseEnd}. */
  private static Report withLease(Report r, String ip, Instant leaseEnd) {
    Report.Builder b = r.toBuilder();
    b.getInventoryBuilder().getInterfacesBuilder(0).addLeases(io.labscan.proto.v1.AddressLease.newBuilder()
        .setIp(ip).setLeaseEnd(Timestamps.fromMillis(leaseEnd.toEpochMilli())));
    return b.build();
  }

  @Test
  void aReportedDhcpLeaseEndEndsASilentHostsHoldingBeforeTheGracePeriodWould() {
    String linda = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(withLease(TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"), "10.20.3.17",
          T0.plusSeconds(40 * 60)), T0, "t").join();

      AddressHolding h = new SqliteTriageEvidence(store.database(), "k").holdersOf("10.20.3.17", T0).get(0);

      assertThat(h.until()).contains(T0.plusSeconds(40 * 60));
      assertThat(h.leaseEnd()).contains(T0.plusSeconds(40 * 60));
      assertThat(h.covers(T0.plusSeconds(39 * 60))).isTrue();
      assertThat(h.silentAt(T0.plusSeconds(41 * 60))).isTrue();
    }
  }

  @Test
  void aReportedDhcpLeaseEndHoldsASilentHostsAddressBeyondTheGracePeriodUpToTheBound() {
    String linda = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(withLease(TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"), "10.20.3.17",
          T0.plus(Duration.ofHours(8))), T0, "t").join();

      AddressHolding h = new SqliteTriageEvidence(store.database(), "k").holdersOf("10.20.3.17", T0).get(0);

      assertThat(h.until()).contains(T0.plus(Duration.ofHours(8)));
    }
  }

  @Test
  void aLyingAgentsDistantLeaseEndHoldsTheAddressNoLongerThanTheDocumentedMaximum() {
    String liar = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(withLease(TestReports.fullScan(liar, "lab-pc-66", T0, 1, "10.20.3.66"), "10.20.3.66",
          T0.plus(Duration.ofDays(300))), T0, "t").join();

      AddressHolding h = new SqliteTriageEvidence(store.database(), "k").holdersOf("10.20.3.66", T0).get(0);

      assertThat(h.until()).contains(T0.plus(io.labscan.controller.triage.TriageOptions.MAX_LEASE_HOLD));
    }
  }

  @Test
  void aLeaseEndBeforeTheHostsLastReportOfTheAddressNeverEndsTheHoldingBeforeThatReport() {
    String linda = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"), T0, "t").join();
      store.ingest(withLease(TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(3600), 2, "10.20.3.17"),
          "10.20.3.17", T0.minusSeconds(3600)), T0.plusSeconds(3600), "t").join();

      AddressHolding h = new SqliteTriageEvidence(store.database(), "k").holdersOf("10.20.3.17", T0).get(0);

      assertThat(h.covers(T0.plusSeconds(3600))).isTrue();
      assertThat(h.until()).contains(T0.plusSeconds(3600).plusMillis(1));
    }
  }

  @Test
  void theNewestReportsLeaseEndReplacesAnOlderOneAndALateSpooledReportDoesNot() {
    String linda = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(withLease(TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"), "10.20.3.17",
          T0.plusSeconds(1800)), T0, "t").join();
      store.ingest(withLease(TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(1200), 3, "10.20.3.17"),
          "10.20.3.17", T0.plusSeconds(4 * 3600)), T0.plusSeconds(1200), "t").join();
      store.ingest(withLease(TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(600), 2, "10.20.3.17"),
          "10.20.3.17", T0.plusSeconds(900)), T0.plusSeconds(600), "t").join();

      AddressHolding h = new SqliteTriageEvidence(store.database(), "k").holdersOf("10.20.3.17", T0).get(0);

      assertThat(h.until()).contains(T0.plusSeconds(4 * 3600));
    }
  }

  @Test
  void aHostThatReportedTheAddressGoneIsNotSilentAboutIt() {
    String linda = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"), T0, "t").join();
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(60), 2, "10.20.3.99"), T0.plusSeconds(60), "t").join();

      AddressHolding h = new SqliteTriageEvidence(store.database(), "k").holdersOf("10.20.3.17", T0).get(0);

      assertThat(h.until()).contains(T0.plusSeconds(60));
      assertThat(h.silentAt(T0.plusSeconds(3 * 3600))).isFalse();
    }
  }

  @Test
  void storedDestinationsGiveTheirIps() {
    assertThat(SqliteTriageEvidence.destinationIps("192.0.2.25:25*3 [2001:db8::25]:587*1"))
        .containsExactly("192.0.2.25", "2001:db8::25");
  }

  @Test
  void overlappingUnallowedWindowsAreFoundWhetherTheyStartedJustBeforeTheRangeOrHoursBefore() {
    String id = TestReports.newHostId();
    Instant from = T0.plusSeconds(7200);
    Instant to = from.plusSeconds(1200);
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.putSettings(java.util.Map.of(io.labscan.controller.verdict.EgressAllowance.SETTING,
          "allowed".getBytes(java.nio.charset.StandardCharsets.UTF_8))).join();
      store.ingest(withEgress(TestReports.fullScan(id, "lab-pc-07", T0, 1, "10.20.3.17"),
          window(from.minusSeconds(30), Duration.ofMinutes(1), "short-before"),
          window(from.minusSeconds(7000), Duration.ofHours(3), "long-before"),
          window(from.minusSeconds(600), Duration.ofMinutes(1), "ended-before"),
          window(to.plusSeconds(1), Duration.ofMinutes(1), "starts-after"),
          window(from.plusSeconds(300), Duration.ofMinutes(1), "inside"),
          window(from.plusSeconds(400), Duration.ofMinutes(1), "allowed").toBuilder().setAllowed(true).build()),
          T0, "t").join();

      List<EgressHit> hits = new SqliteTriageEvidence(store.database(), "k").unallowedEgressBetween(from, to);

      assertThat(hits).map(h -> h.process().orElse("")).containsExactly("long-before", "short-before", "inside");
    }
  }

  @Test
  void egressNearHostsKeepsToThoseHosts() {
    String linda = TestReports.newHostId();
    String harold = TestReports.newHostId();
    Instant from = T0.plusSeconds(7200);
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(withEgress(TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"),
          window(from.minusSeconds(7000), Duration.ofHours(3), "lindas-long")), T0, "t").join();
      store.ingest(withEgress(TestReports.fullScan(harold, "lab-pc-12", T0, 1, "10.20.3.18"),
          window(from.plusSeconds(10), Duration.ofMinutes(1), "harolds")), T0, "t").join();

      List<EgressHit> hits = new SqliteTriageEvidence(store.database(), "k").egressNear(List.of(linda), from,
          from.plusSeconds(600));

      assertThat(hits).singleElement().satisfies(h -> assertThat(h.hostId()).isEqualTo(linda));
    }
  }

  @Test
  void overlapQueryReadsARangeOfUnallowedStartTimesAndTheLongWindowIndexNotEveryEarlierWindow() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      List<String> plan = store.read("plan", db -> {
        List<String> steps = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("EXPLAIN QUERY PLAN " + SqliteTriageEvidence.overlapQuery(SqliteTriageEvidence.UNALLOWED))) {
          for (int i = 1; i <= 5; i++) {
            ps.setLong(i, i);
          }
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              steps.add(rs.getString(4));
            }
          }
        }
        return steps;
      });

      assertThat(plan).anySatisfy(step -> assertThat(step)
          .contains("egress_unallowed_by_time (window_start_ms>? AND window_start_ms<?)"));
      assertThat(plan).anySatisfy(step -> assertThat(step).contains("egress_long_windows"));
    }
  }

  @Test
  void verdictEvidenceReadsTheLatestReportsRowsByReportIdNotByScanningTheTables() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      List<String> plan = store.read("plan", db -> {
        List<String> steps = new ArrayList<>();
        for (String table : List.of("findings", "av_status")) {
          try (PreparedStatement ps = db.prepareStatement(
              "EXPLAIN QUERY PLAN SELECT * FROM " + table + " WHERE report_id = ?")) {
            ps.setString(1, "r");
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                steps.add(rs.getString(4));
              }
            }
          }
        }
        return steps;
      });

      assertThat(plan).containsExactly("SEARCH findings USING INDEX findings_by_report (report_id=?)",
          "SEARCH av_status USING INDEX av_status_by_report (report_id=?)");
    }
  }

  @Test
  void withoutAnOwnerMappingTheOneHostWhereTheUserIsLoggedInOwnsTheAddress() {
    String linda = TestReports.newHostId();
    String harold = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(withUsers(TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"), "linda", " Guest"), T0,
          "t").join();
      store.ingest(withUsers(TestReports.fullScan(harold, "lab-pc-12", T0, 1, "10.20.3.18"), "Harold"), T0, "t")
          .join();

      Optional<HostState> owner = new SqliteTriageEvidence(store.database(), "k").hostOwningAddress("HAROLD@lab.example.edu");

      assertThat(owner).hasValueSatisfying(h -> assertThat(h.hostId()).isEqualTo(harold));
    }
  }

  @Test
  void anAddressOutsideTheOrganisationsMailDomainsIsNeverMatchedToALoggedInUser() {
    String harold = TestReports.newHostId();
    String mx = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(withUsers(TestReports.fullScan(harold, "lab-pc-12", T0, 1, "10.20.3.18"), "harold"), T0, "t").join();
      Report mxScan = TestReports.fullScan(mx, "mx1", T0, 1, "10.20.0.25");
      store.ingest(mxScan.toBuilder().setInventory(mxScan.getInventory().toBuilder().setFqdn("mx1.mail.example.edu"))
          .build(), T0, "t").join();
      store.setRole(mx, io.labscan.controller.policy.PolicyProvider.MAIL_SERVER_ROLE, true).join();
      SqliteTriageEvidence evidence = new SqliteTriageEvidence(store.database(), "k");

      assertThat(evidence.hostOwningAddress("harold@gmail.com")).isEmpty();
      assertThat(evidence.hostOwningAddress("harold@example.edu")).map(HostState::hostId).contains(harold);
      assertThat(evidence.hostOwningAddress("harold@mail.example.edu")).map(HostState::hostId).contains(harold);
    }
  }

  @Test
  void aTwoLabelPublicSuffixIsNeverTheOrganisationsMailDomain() {
    String harold = TestReports.newHostId();
    String mx = TestReports.newHostId();
    String small = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(withUsers(TestReports.fullScan(harold, "lab-pc-12", T0, 1, "10.20.3.18"), "harold"), T0, "t").join();
      Report mxScan = TestReports.fullScan(mx, "mx1", T0, 1, "10.20.0.25");
      store.ingest(mxScan.toBuilder().setInventory(mxScan.getInventory().toBuilder().setFqdn("mx1.example.ac.uk"))
          .build(), T0, "t").join();
      store.setRole(mx, io.labscan.controller.policy.PolicyProvider.MAIL_SERVER_ROLE, true).join();
      // A small office whose mail server carries the registrable name itself: its parent is co.jp.
      Report smallScan = TestReports.fullScan(small, "mail", T0, 1, "10.20.0.26");
      store.ingest(smallScan.toBuilder().setInventory(smallScan.getInventory().toBuilder().setFqdn("example.co.jp"))
          .build(), T0, "t").join();
      store.setRole(small, io.labscan.controller.policy.PolicyProvider.MAIL_SERVER_ROLE, true).join();
      SqliteTriageEvidence evidence = new SqliteTriageEvidence(store.database(), "k");

      assertThat(evidence.hostOwningAddress("harold@ac.uk")).isEmpty();
      assertThat(evidence.hostOwningAddress("harold@other.co.jp")).isEmpty();
      assertThat(evidence.hostOwningAddress("harold@example.ac.uk")).map(HostState::hostId).contains(harold);
      assertThat(evidence.hostOwningAddress("harold@example.co.jp")).map(HostState::hostId).contains(harold);
    }
  }

  @Test
  void everyHostAnOperatorMappedToAnAddressOwnsItNewestMappingFirst() {
    String desktop = TestReports.newHostId();
    String laptop = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(desktop, "harold-desk", T0, 1, "10.20.3.18"), T0, "t").join();
      store.ingest(TestReports.fullScan(laptop, "harold-laptop", T0, 1, "10.20.3.19"), T0, "t").join();
      store.setAddressOwner("harold@lab.example.edu", desktop, "operator", T0).join();
      store.setAddressOwner("harold@lab.example.edu", laptop, "operator", T0.plusSeconds(60)).join();

      assertThat(new SqliteTriageEvidence(store.database(), "k").hostsOwningAddress("harold@lab.example.edu"))
          .extracting(HostState::hostId).containsExactly(laptop, desktop);
    }
  }

  @Test
  void aUserLoggedInOnTwoHostsOwnsNoAddressByLogin() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(withUsers(TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", T0, 1, "10.20.3.17"), "guest"),
          T0, "t").join();
      store.ingest(withUsers(TestReports.fullScan(TestReports.newHostId(), "lab-pc-12", T0, 1, "10.20.3.18"), "guest"),
          T0, "t").join();

      assertThat(new SqliteTriageEvidence(store.database(), "k").hostOwningAddress("guest@lab.example.edu")).isEmpty();
    }
  }

  @Test
  void aUserWhoLoggedOutIsNoLongerFoundOnThatHost() {
    String id = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(withUsers(TestReports.fullScan(id, "lab-pc-07", T0, 1, "10.20.3.17"), "linda"), T0, "t").join();
      store.ingest(withUsers(TestReports.fullScan(id, "lab-pc-07", T0.plusSeconds(60), 2, "10.20.3.17"), "harold"), T0.plusSeconds(60), "t").join();

      assertThat(store.hostsWithLoggedInUser("linda")).isEmpty();
      assertThat(store.hostsWithLoggedInUser("harold")).containsExactly(id);
    }
  }

  @Test
  void aUserStillLoggedInAtTheNextReportIsStillFoundOnThatHost() {
    String id = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(withUsers(TestReports.fullScan(id, "lab-pc-07", T0, 1, "10.20.3.17"), "Linda"), T0, "t").join();
      store.ingest(withUsers(TestReports.fullScan(id, "lab-pc-07", T0.plusSeconds(60), 2, "10.20.3.17"), "Linda"), T0.plusSeconds(60), "t").join();

      assertThat(store.hostsWithLoggedInUser("linda")).containsExactly(id);
    }
  }

  @Test
  void aNameGivenUpCountsAsSharedForThirtyDaysByTheInjectedClock() {
    // The clock leftover of red-team R9: "lately" is the composition root's clock, so a test (or a
    // replay) sets it; a name lab-pc-12 gave up at T0+1h is shared a day later, not a month later.
    String renamed = TestReports.newHostId();
    String other = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(renamed, "lab-pc-12", T0, 1, "10.20.3.17"), T0, "t").join();
      store.ingest(TestReports.fullScan(renamed, "lab-pc-07", T0.plusSeconds(3600), 2, "10.20.3.17"),
          T0.plusSeconds(3600), "t").join();
      store.ingest(TestReports.fullScan(other, "lab-pc-12", T0.plusSeconds(7200), 1, "10.20.3.12"),
          T0.plusSeconds(7200), "t").join();

      java.time.Clock dayAfter = java.time.Clock.fixed(T0.plus(Duration.ofDays(1)), java.time.ZoneOffset.UTC);
      java.time.Clock monthAfter = java.time.Clock.fixed(T0.plus(Duration.ofDays(31)), java.time.ZoneOffset.UTC);

      assertThat(store.triageEvidence("k", Duration.ofHours(2), dayAfter).sharedHostnameKeys()).contains("lab-pc-12");
      assertThat(store.triageEvidence("k", Duration.ofHours(2), monthAfter).sharedHostnameKeys())
          .doesNotContain("lab-pc-12");
    }
  }

  private static Report withUsers(Report report, String... users) {
    return report.toBuilder().setInventory(report.getInventory().toBuilder().addAllLoggedInUsers(List.of(users)))
        .build();
  }

  private static Report withEgress(Report report, SmtpEgressWindow... windows) {
    return report.toBuilder().addAllEgress(List.of(windows)).build();
  }

  private static SmtpEgressWindow window(Instant start, Duration length, String process) {
    return SmtpEgressWindow.newBuilder()
        .setWindowStart(Timestamps.fromMillis(start.toEpochMilli()))
        .setWindowEnd(Timestamps.fromMillis(start.plus(length).toEpochMilli()))
        .setPid(4242).setProcessName(process).setUser("linda").setConnections(3).setDistinctDestinations(1)
        .addDestinations(EgressDestination.newBuilder().setIp("10.20.0.25").setPort(25).setConnections(3))
        .setFirstSeen(Timestamps.fromMillis(start.toEpochMilli()))
        .setLastSeen(Timestamps.fromMillis(start.plus(length).toEpochMilli()))
        .setSource("poll")
        .build();
  }
}
