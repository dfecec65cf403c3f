package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.labscan.controller.TestReports;
import io.labscan.controller.triage.AddressHolding;
import io.labscan.proto.v1.AddressLease;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's answers behind the gap (N2) and gone-then-silent (R10, T7) rules, as triage asks
 * them ({@link SqliteTriageEvidence#holdersOf}): the holdings around a gap in a host's reports, and
 * the silence a host fell into soon after it reported an address gone, with the lease end that
 * bounds how long that host stays a candidate. Run on SQLite here and on PostgreSQL by {@link
 * HoldingGapAndSilenceStoreOnPostgresTest} (the queries read {@code reports} and {@code
 * host_addresses} through both dialects).
 */
class HoldingGapAndSilenceStoreTest {
  private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");
  private static final Duration GRACE = Duration.ofHours(2);

  @TempDir Path dir;

  /** Opens the store under test; the PostgreSQL twin overrides it. */
  Storage open(Path file) {
    return Storage.open(file);
  }

  @Test
  void aHostThatReportedTheAddressGoneAndFellSilentMinutesLaterHasThatSilenceOnItsEndedHolding() {
    String linda = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"))) {
      ingest(store, TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"));
      ingest(store, TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(20 * 60), 2, "10.20.3.99"));
      ingest(store, TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(23 * 60), 3, "10.20.3.99"));

      AddressHolding h = only(store, T0.plusSeconds(40 * 60));

      assertThat(h.until()).contains(T0.plusSeconds(20 * 60));
      assertThat(h.silentSoonAfter()).contains(T0.plusSeconds(23 * 60));
      assertThat(h.reportedGoneThenSilentAt(T0.plusSeconds(40 * 60))).isTrue();
      assertThat(h.goneSilentUntil(GRACE)).contains(T0.plusSeconds(23 * 60).plus(GRACE));
    }
  }

  @Test
  void aHostThatReportedTheAddressGoneAndKeepsReportingHasNoSilence() {
    String linda = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"))) {
      ingest(store, TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"));
      ingest(store, TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(20 * 60), 2, "10.20.3.99"));
      ingest(store, TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(35 * 60), 3, "10.20.3.99"));
      ingest(store, TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(50 * 60), 4, "10.20.3.99"));

      AddressHolding h = only(store, T0.plusSeconds(40 * 60));

      assertThat(h.silentSoonAfter()).isEmpty();
      assertThat(h.reportedGoneThenSilentAt(T0.plusSeconds(40 * 60))).isFalse();
    }
  }

  @Test
  void theLeaseEndALaptopReportedBeforeItReportedTheAddressGoneBoundsItsCandidacyInsteadOfTheGrace() {
    String laptop = TestReports.newHostId();
    Instant leaseEnd = T0.plus(Duration.ofHours(8));
    try (Storage store = open(dir.resolve("c.db"))) {
      ingest(store, withLease(TestReports.fullScan(laptop, "lab-laptop-3", T0, 1, "10.20.3.17"), leaseEnd));
      ingest(store, TestReports.fullScan(laptop, "lab-laptop-3", T0.plusSeconds(20 * 60), 2, "192.168.1.23"));
      ingest(store, TestReports.fullScan(laptop, "lab-laptop-3", T0.plusSeconds(23 * 60), 3, "192.168.1.23"));

      AddressHolding h = only(store, T0.plus(Duration.ofHours(5)));

      assertThat(h.leaseEnd()).contains(leaseEnd);
      assertThat(h.goneSilentUntil(GRACE)).contains(leaseEnd);
    }
  }

  @Test
  void aHoldingEndedByAReportLongerAgoThanAnyHorizonIsNotAskedForASilence() {
    String laptop = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"))) {
      ingest(store, TestReports.fullScan(laptop, "lab-laptop-3", T0, 1, "10.20.3.17"));
      ingest(store, TestReports.fullScan(laptop, "lab-laptop-3", T0.plusSeconds(20 * 60), 2, "192.168.1.23"));
      ingest(store, TestReports.fullScan(laptop, "lab-laptop-3", T0.plusSeconds(23 * 60), 3, "192.168.1.23"));

      AddressHolding h = only(store, T0.plus(Duration.ofDays(3)));

      assertThat(h.until()).contains(T0.plusSeconds(20 * 60));
      assertThat(h.silentSoonAfter()).isEmpty();
    }
  }

  @Test
  void aShortGapInAHostsReportsGivesTwoHoldingsAroundIt() {
    String linda = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"))) {
      ingest(store, TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"));
      ingest(store, TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(5 * 60), 2));
      ingest(store, TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(12 * 60), 3, "10.20.3.17"));

      List<AddressHolding> holdings = new SqliteTriageEvidence(store.database(), "k", GRACE)
          .holdersOf("10.20.3.17", T0.plusSeconds(8 * 60));

      assertThat(holdings).hasSize(2);
      assertThat(holdings.get(0).until()).contains(T0.plusSeconds(5 * 60));
      assertThat(holdings.get(0).silentSoonAfter()).isEmpty();
      assertThat(holdings.get(1).firstReported()).isEqualTo(T0.plusSeconds(12 * 60));
      assertThat(holdings.get(1).assumedAt(T0.plusSeconds(8 * 60))).isTrue();
    }
  }

  private static void ingest(Storage store, Report r) {
    Instant at = Instant.ofEpochMilli(Timestamps.toMillis(r.getCreated()));
    store.ingest(r, at, "t").join();
  }

  private static AddressHolding only(Storage store, Instant at) {
    List<AddressHolding> holdings = new SqliteTriageEvidence(store.database(), "k", GRACE).holdersOf("10.20.3.17", at);
    assertThat(holdings).hasSize(1);
    return holdings.get(0);
  }

  private static Report withLease(Report r, Instant leaseEnd) {
    Report.Builder b = r.toBuilder();
    b.getInventoryBuilder().getInterfacesBuilder(0).addLeases(AddressLease.newBuilder()
        .setIp("10.20.3.17").setLeaseEnd(Timestamps.fromMillis(leaseEnd.toEpochMilli())));
    return b.build();
  }
}
