package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.controller.triage.AddressHolding;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who held an address when, as triage asks it of the store. */
class SqliteTriageEvidenceTest {
  @TempDir Path dir;
  private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");

  @Test
  void theCurrentHolderHoldsTheAddressFromItsFirstReportOn() {
    String id = TestReports.newHostId();
    try (SqliteStore store = SqliteStore.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(id, "lab-pc-07", T0, 1, "10.20.3.17"), T0, "t").join();
      List<AddressHolding> holdings = new SqliteTriageEvidence(store, "k").holdersOf("10.20.3.17", T0.plusSeconds(60));
      assertThat(holdings).singleElement().satisfies(h -> {
        assertThat(h.hostId()).isEqualTo(id);
        assertThat(h.until()).isEmpty();
        assertThat(h.covers(T0.plusSeconds(60))).isTrue();
        assertThat(h.covers(T0.minusSeconds(60))).isTrue();
      });
    }
  }

  @Test
  void aRenumberedHostStopsHoldingAtTheFirstReportWithoutTheAddressAndTheNextHolderStartsAfterIt() {
    String linda = TestReports.newHostId();
    String harold = TestReports.newHostId();
    try (SqliteStore store = SqliteStore.open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0, 1, "10.20.3.17"), T0, "t").join();
      store.ingest(TestReports.fullScan(harold, "lab-pc-12", T0, 1, "10.20.3.18"), T0, "t").join();
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", T0.plusSeconds(3600), 2, "10.20.3.99"), T0, "t").join();
      store.ingest(TestReports.fullScan(harold, "lab-pc-12", T0.plusSeconds(4000), 2, "10.20.3.17"), T0, "t").join();

      List<AddressHolding> holdings = new SqliteTriageEvidence(store, "k").holdersOf("10.20.3.17", T0);

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
  void storedDestinationsGiveTheirIps() {
    assertThat(SqliteTriageEvidence.destinationIps("192.0.2.25:25*3 [2001:db8::25]:587*1"))
        .containsExactly("192.0.2.25", "2001:db8::25");
  }
}
