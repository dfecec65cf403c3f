package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.labscan.controller.TestReports;
import io.labscan.controller.verdict.HostEvidence;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.RuleKind;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep reads what is shared once, and must still see exactly what a per-host read sees. */
class SweepEvidenceTest {
  @TempDir Path dir;

  /** The storage under test: a SQLite file here; PostgreSQL in {@link SweepEvidenceOnPostgresTest}. */
  Storage open(Path file) {
    return Storage.open(file);
  }
  private static final Instant T0 = Instant.parse("2026-11-27T02:00:00Z");

  @Test
  void sweepEvidenceEqualsPerHostEvidenceForEveryKindOfHost() {
    String clean = TestReports.newHostId();
    String infected = TestReports.newHostId();
    String sender = TestReports.newHostId();
    String complained = TestReports.newHostId();
    String mailServer = TestReports.newHostId();
    VerdictPolicy policy = VerdictPolicy.defaults();
    Instant now = T0.plusSeconds(600);
    try (Storage store = open(dir.resolve("c.db"))) {
      store.ingest(TestReports.fullScan(clean, "clean", T0, 1, "10.0.0.1"), T0, "t").join();
      store.ingest(TestReports.fullScan(infected, "infected", T0, 1, "10.0.0.2").toBuilder()
          .addFindings(ArtifactFinding.newBuilder().setRuleId("klez.system.wink-exe")
              .setRuleKind(RuleKind.RULE_KIND_FILE_NAME).setPath("WINDOWS/SYSTEM32/WINKABCD.EXE"))
          .build(), T0, "t").join();
      store.ingest(withWorm(TestReports.fullScan(sender, "sender", T0, 1, "10.0.0.3")), T0, "t").join();
      store.ingest(TestReports.fullScan(complained, "complained", T0, 1, "10.0.0.4"), T0, "t").join();
      store.recordComplaintTrace("c-1", complained, 0.9, T0, "10.0.0.4", Optional.of(T0), "held the origin").join();
      store.ingest(withWorm(TestReports.fullScan(mailServer, "mx", T0, 1, "10.0.0.5")), T0, "t").join();
      store.setRole(mailServer, "mail-server", true).join();

      var sweep = store.sweep(now, policy);

      for (String id : List.of(clean, infected, sender, complained, mailServer)) {
        assertThat(sweep.apply(id)).isEqualTo(store.evidence(id, now, policy));
      }
      assertThat(sweep.apply(infected).orElseThrow().findings()).hasSize(1);
      assertThat(sweep.apply(sender).orElseThrow().egressViolations()).hasSize(1);
      assertThat(sweep.apply(complained).orElseThrow().complaints()).hasSize(1);
      assertThat(sweep.apply(mailServer).orElseThrow().mailServer()).isTrue();
      assertThat(sweep.apply(TestReports.newHostId())).isEmpty();
    }
  }

  @Test
  void sweepEvidenceSeesTheAddressConflictsAPerHostReadSees() {
    String linda = TestReports.newHostId();
    String liar = TestReports.newHostId();
    String silent = TestReports.newHostId();
    String loner = TestReports.newHostId();
    VerdictPolicy policy = VerdictPolicy.defaults();
    Instant now = T0.plusSeconds(4 * 3600);
    try (Storage store = open(dir.resolve("c.db"))) {
      // A host silent for longer than the holding grace no longer makes a conflict.
      store.ingest(TestReports.fullScan(silent, "silent", T0, 1, "10.0.0.20"), T0, "t").join();
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", now.minusSeconds(900), 1, "10.0.0.20"), now.minusSeconds(900), "t").join();
      store.ingest(TestReports.fullScan(liar, "lab-pc-12", now.minusSeconds(600), 1, "10.0.0.20"), now.minusSeconds(600), "t").join();
      store.ingest(TestReports.fullScan(loner, "lab-pc-13", now.minusSeconds(600), 1, "10.0.0.21"), now.minusSeconds(600), "t").join();

      var sweep = store.sweep(now, policy);

      for (String id : List.of(linda, liar, silent, loner)) {
        assertThat(sweep.apply(id)).isEqualTo(store.evidence(id, now, policy));
      }
      assertThat(sweep.apply(linda).orElseThrow().addressConflicts()).singleElement().satisfies(k -> {
        assertThat(k.otherHostId()).isEqualTo(liar);
        assertThat(k.ip()).isEqualTo("10.0.0.20");
        assertThat(k.since()).isEqualTo(now.minusSeconds(600));
      });
      assertThat(sweep.apply(liar).orElseThrow().addressConflicts()).extracting(HostEvidence.Conflict::otherHostId)
          .containsExactly(linda);
      assertThat(sweep.apply(silent).orElseThrow().addressConflicts()).isEmpty();
      assertThat(sweep.apply(loner).orElseThrow().addressConflicts()).isEmpty();
    }
  }

  @Test
  void batchEvidenceEqualsPerHostEvidenceAndLeavesOutUnknownHosts() {
    String twoAvs = TestReports.newHostId();
    String rescanned = TestReports.newHostId();
    String infected = TestReports.newHostId();
    String sender = TestReports.newHostId();
    String noAv = TestReports.newHostId();
    String unknown = TestReports.newHostId();
    VerdictPolicy policy = VerdictPolicy.defaults();
    Instant now = T0.plusSeconds(600);
    try (Storage store = open(dir.resolve("c.db"))) {
      store.ingest(withAv(TestReports.fullScan(twoAvs, "two-avs", T0, 1, "10.0.0.1"), "clamav", "defender"), T0, "t")
          .join();
      store.ingest(withAv(TestReports.fullScan(rescanned, "rescanned", T0, 1, "10.0.0.2"), "clamav"), T0, "t").join();
      store.ingest(withAv(TestReports.fullScan(rescanned, "rescanned", T0.plusSeconds(60), 2, "10.0.0.2"), "sophos"),
          T0.plusSeconds(60), "t").join();
      store.ingest(withAv(TestReports.fullScan(infected, "infected", T0, 1, "10.0.0.3"), "clamav").toBuilder()
          .addFindings(ArtifactFinding.newBuilder().setRuleId("klez.system.wink-exe")
              .setRuleKind(RuleKind.RULE_KIND_FILE_NAME).setPath("WINDOWS/SYSTEM32/WINKABCD.EXE"))
          .build(), T0, "t").join();
      store.ingest(withWorm(withAv(TestReports.fullScan(sender, "sender", T0, 1, "10.0.0.4"), "clamav")), T0, "t")
          .join();
      store.ingest(TestReports.fullScan(noAv, "no-av", T0, 1, "10.0.0.5"), T0, "t").join();

      var batch = store.sweep(now, policy).evidenceOf(List.of(twoAvs, rescanned, unknown, infected, sender, noAv, twoAvs));

      assertThat(batch).containsOnlyKeys(twoAvs, rescanned, infected, sender, noAv);
      for (String id : List.of(twoAvs, rescanned, infected, sender, noAv)) {
        assertThat(Optional.of(batch.get(id))).isEqualTo(store.evidence(id, now, policy));
      }
      assertThat(batch.get(twoAvs).av()).extracting(HostEvidence.Av::provider).containsExactly("clamav", "defender");
      assertThat(batch.get(rescanned).av()).extracting(HostEvidence.Av::provider).containsExactly("sophos");
      assertThat(batch.get(noAv).av()).isEmpty();
    }
  }

  private static Report withAv(Report report, String... providers) {
    Report.Builder b = report.toBuilder();
    for (String provider : providers) {
      b.addAv(AvStatus.newBuilder().setProvider(provider).setProduct(provider).setState(AvState.AV_STATE_FRESH));
    }
    return b.build();
  }

  private static Report withWorm(Report report) {
    Instant start = T0.minusSeconds(120);
    return report.toBuilder().addEgress(SmtpEgressWindow.newBuilder()
        .setWindowStart(Timestamps.fromMillis(start.toEpochMilli()))
        .setWindowEnd(Timestamps.fromMillis(start.plusSeconds(60).toEpochMilli()))
        .setPid(3112).setProcessName("winkabcd.exe").setUser("linda").setConnections(40).setDistinctDestinations(1)
        .addDestinations(EgressDestination.newBuilder().setIp("10.20.0.25").setPort(25).setConnections(40))
        .setFirstSeen(Timestamps.fromMillis(start.toEpochMilli()))
        .setLastSeen(Timestamps.fromMillis(start.plusSeconds(50).toEpochMilli()))
        .setSource("poll")).build();
  }
}
