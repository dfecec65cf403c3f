package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.controller.triage.AddressHolding;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's answer to "did the host fall silent soon after it reported the address gone?"
 * (issue 15, red-team round 6, R10; {@link AddressHolding#silentSoonAfter}), read from the host's
 * own reports.
 */
class SilenceAfterAddressChangeTest {
  @TempDir Path dir;
  private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");
  private static final Instant GONE = T0.plus(Duration.ofMinutes(20));
  private static final Instant LAST = T0.plus(Duration.ofMinutes(23));

  @Test
  void aHostThatNeverReportedAgainAfterTheChangeIsSilentFromItsLastReport() {
    AddressHolding h = holdingAt(T0.plus(Duration.ofMinutes(40)), List.of());

    assertThat(h.until()).contains(GONE);
    assertThat(h.silentSoonAfter()).contains(LAST);
    assertThat(h.reportedGoneThenSilentAt(T0.plus(Duration.ofMinutes(40)))).isTrue();
  }

  @Test
  void aHostThatReportedAgainWithinTheGraceWasNotSilent() {
    AddressHolding h = holdingAt(T0.plus(Duration.ofMinutes(40)), List.of(T0.plus(Duration.ofMinutes(70))));

    assertThat(h.silentSoonAfter()).isEmpty();
  }

  @Test
  void mailAfterTheHostCameBackIsNotInTheSilence() {
    Instant back = T0.plus(Duration.ofHours(5));

    assertThat(holdingAt(T0.plus(Duration.ofHours(4)), List.of(back)).silentSoonAfter()).contains(LAST);
    assertThat(holdingAt(back.plusSeconds(60), List.of(back)).silentSoonAfter()).isEmpty();
  }

  /** lab-pc-07 held 10.20.3.17, reported 10.20.3.99 instead at GONE and LAST, then at {@code later}. */
  private AddressHolding holdingAt(Instant at, List<Instant> later) {
    String id = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve(id + ".db"))) {
      long seq = 1;
      store.ingest(TestReports.fullScan(id, "lab-pc-07", T0, seq++, "10.20.3.17"), T0, "t").join();
      store.ingest(TestReports.fullScan(id, "lab-pc-07", GONE, seq++, "10.20.3.99"), GONE, "t").join();
      store.ingest(TestReports.fullScan(id, "lab-pc-07", LAST, seq++, "10.20.3.99"), LAST, "t").join();
      for (Instant t : later) {
        store.ingest(TestReports.fullScan(id, "lab-pc-07", t, seq++, "10.20.3.99"), t, "t").join();
      }
      List<AddressHolding> holdings = new SqliteTriageEvidence(store.database(), "k").holdersOf("10.20.3.17", at);
      assertThat(holdings).hasSize(1);
      return holdings.get(0);
    }
  }
}
