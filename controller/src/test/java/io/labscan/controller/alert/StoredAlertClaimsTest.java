package io.labscan.controller.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import io.labscan.testsupport.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alert claims on a real SQLite file: the first claim of an alert wins until the window has passed. */
class StoredAlertClaimsTest {
  static final Instant AT = Instant.parse("2026-12-07T09:00:00Z");
  @TempDir Path dir;
  final MutableClock clock = new MutableClock(AT);

  static Alert infected(String hostId, Instant at, String why) {
    return new Alert(hostId, "lab-pc-07", Verdict.INFECTED, at, List.of(new Reason("artifact", why, "scan")));
  }

  @Test
  void theSameAlertSeenByTwoControllersIsClaimedByTheFirstOnly() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      StoredAlertClaims a = new StoredAlertClaims(store, "controller-a", clock);
      StoredAlertClaims b = new StoredAlertClaims(store, "controller-b", clock);

      // Each controller saw the change at its own moment, with its own first reason.
      assertThat(a.claim(infected("h-07", AT, "WinkQZRT.exe found"))).isTrue();
      assertThat(b.claim(infected("h-07", AT.plusMillis(300), "Klez mail seen"))).isFalse();
      assertThat(b.claim(infected("h-12", AT, "WinkQZRT.exe found"))).as("another host").isTrue();
      assertThat(b.claim(new Alert("h-07", "lab-pc-07", Verdict.SUSPECTED, AT, List.of()))).as("another verdict")
          .isTrue();
    }
  }

  @Test
  void theSameAlertAfterTheWindowIsNewsAndIsSentAgain() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      StoredAlertClaims a = new StoredAlertClaims(store, "controller-a", clock);
      StoredAlertClaims b = new StoredAlertClaims(store, "controller-b", clock);
      assertThat(a.claim(infected("h-07", AT, "WinkQZRT.exe found"))).isTrue();

      clock.advance(StoredAlertClaims.WINDOW.plus(Duration.ofSeconds(1)));

      assertThat(b.claim(infected("h-07", clock.instant(), "WinkQZRT.exe found"))).isTrue();
      assertThat(a.claim(infected("h-07", clock.instant(), "WinkQZRT.exe found"))).isFalse();
    }
  }

  @Test
  void addressConflictsAreTheSameAlertOnlyForTheSameConflict() {
    Alert one = new Alert(Alert.Kind.ADDRESS_CONFLICT, "h-07", "lab-pc-07", Verdict.SUSPECTED, AT, List.of(
        new Reason("address-conflict", "10.20.3.17 is claimed by lab-pc-07 (h-07) and lab-pc-08 (h-08) since "
            + "2026-12-07T08:00:00Z: conflicting address claims; both remain triage candidates", "host h-08")));
    Alert other = new Alert(Alert.Kind.ADDRESS_CONFLICT, "h-07", "lab-pc-07", Verdict.SUSPECTED, AT, List.of(
        new Reason("address-conflict", "10.20.3.17 is claimed by lab-pc-07 (h-07) and lab-pc-09 (h-09) since "
            + "2026-12-07T08:30:00Z: conflicting address claims; both remain triage candidates", "host h-09")));

    assertThat(StoredAlertClaims.key(one)).isEqualTo(StoredAlertClaims.key(new Alert(one.kind(), one.hostId(),
        one.hostname(), one.verdict(), AT.plusSeconds(40), one.reasons())));
    assertThat(StoredAlertClaims.key(one)).isNotEqualTo(StoredAlertClaims.key(other));
    assertThat(StoredAlertClaims.key(one)).startsWith("address-conflict:").hasSize("address-conflict:".length() + 64);
  }
}
