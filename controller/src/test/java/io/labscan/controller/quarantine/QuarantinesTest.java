package io.labscan.controller.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.Assessment;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import io.labscan.proto.v1.BlockedSmtpAttempt;
import io.labscan.proto.v1.QuarantineEnforcement;
import io.labscan.proto.v1.QuarantineStatus;
import io.labscan.testsupport.TestWiring;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quarantine orders, the automatic rules and what agents report, on a real SQLite file. */
class QuarantinesTest {

  /** The storage under test: a SQLite file here; PostgreSQL in {@link QuarantinesOnPostgresTest}. */
  Storage open(Path file) {
    return Storage.open(file);
  }
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
  private static final Reason ARTIFACT = new Reason("artifact", "Infection artifact: klez.file at WINKABCD.EXE", "report r1");
  private static final Reason EGRESS = new Reason("smtp-egress", "Outbound SMTP by winkabcd", "report r2");
  private static final Reason COMPLAINT = new Reason("complaint", "Complaint c1 traced here", "complaint c1");

  @TempDir Path dir;
  private Storage store;
  private String pc07;

  @BeforeEach
  void open() {
    store = open(dir.resolve("labscan.db"));
    pc07 = TestReports.newHostId();
    store.ingest(TestReports.fullScan(pc07, "lab-pc-07", T0, 1, "10.20.3.17"), T0, "test").join();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private Quarantines at(Instant t) {
    return new Quarantines(store, Clock.fixed(t, ZoneOffset.UTC));
  }

  private void verdict(Verdict v, Instant at, Reason... reasons) {
    store.saveAssessment(pc07, new Assessment(v, List.of(reasons)), at);
  }

  @Test
  void aQuarantineIsRecordedWithWhoWhenAndWhyAndBumpsThePolicyVersion() {
    long before = TestWiring.policies(store, Clock.systemUTC()).current().getVersion();

    Quarantines.Change c = at(T0).quarantine(pc07, "linda (web)", "worm mail to Janet");

    assertThat(c.changed()).isTrue();
    assertThat(c.record()).extracting(QuarantineRecord::quarantined, QuarantineRecord::by, QuarantineRecord::reason,
        QuarantineRecord::at).containsExactly(true, "linda (web)", "worm mail to Janet", T0);
    var policy = TestWiring.policies(store, Clock.systemUTC()).policyFor(pc07);
    assertThat(policy.getVersion()).isGreaterThan(before);
    assertThat(policy.getQuarantine().getQuarantined()).isTrue();
    assertThat(policy.getQuarantine().getRevision()).isEqualTo(c.record().revision());
    assertThat(policy.getQuarantine().getBy()).isEqualTo("linda (web)");
  }

  @Test
  void everyQuarantineAndReleaseIsInTheAuditLog() {
    at(T0).quarantine(pc07, "linda (web)", "worm mail to Janet");
    at(T0.plusSeconds(60)).release(pc07, "linda (web)", "reimaged");

    var log = new io.labscan.controller.audit.AuditLog(store, Clock.systemUTC());
    org.awaitility.Awaitility.await().untilAsserted(() -> assertThat(
        log.find(io.labscan.controller.audit.AuditQuery.all(10)))
        .extracting(e -> e.action() + " " + e.target() + " " + e.detail())
        .contains("host.quarantine " + pc07 + " worm mail to Janet", "host.release " + pc07 + " reimaged"));
  }

  @Test
  void quarantiningAQuarantinedHostChangesNothing() {
    Quarantines q = at(T0);
    QuarantineRecord first = q.quarantine(pc07, "linda (web)", "").record();

    Quarantines.Change again = q.quarantine(pc07, "harold (web)", "");

    assertThat(again.changed()).isFalse();
    assertThat(again.record()).isEqualTo(first);
  }

  @Test
  void aReleaseGetsAHigherRevisionAndTheHistoryKeepsBoth() {
    QuarantineRecord q = at(T0).quarantine(pc07, "linda (web)", "worm").record();

    QuarantineRecord r = at(T0.plusSeconds(60)).release(pc07, "linda (web)", "reimaged").record();

    assertThat(r.revision()).isGreaterThan(q.revision());
    assertThat(at(T0).history(pc07)).extracting(QuarantineRecord::quarantined).containsExactly(true, false);
    assertThat(TestWiring.policies(store, Clock.systemUTC()).policyFor(pc07).getQuarantine().getQuarantined()).isFalse();
  }

  @Test
  void aHostThatWasNeverQuarantinedGetsNoOrderInItsPolicy() {
    assertThat(TestWiring.policies(store, Clock.systemUTC()).policyFor(pc07).hasQuarantine()).isFalse();
  }

  @Test
  void relaysAndMailServersAreTheDestinationsAQuarantinedHostMayStillReach() {
    String relay = TestReports.newHostId();
    store.ingest(TestReports.fullScan(relay, "relay", T0, 1, "10.20.3.2"), T0, "test").join();
    TestWiring.policies(store, Clock.systemUTC()).setMailServer(relay, true);
    Quarantines.setRelays(store, List.of("192.0.2.25"));

    at(T0).quarantine(pc07, "linda (web)", "");

    assertThat(TestWiring.policies(store, Clock.systemUTC()).policyFor(pc07).getQuarantine().getAllowedDestinationsList())
        .containsExactly("192.0.2.25", "10.20.3.2");
  }

  @Test
  void autoQuarantineIsOffByDefault() {
    verdict(Verdict.INFECTED, T0, ARTIFACT, EGRESS, COMPLAINT);

    assertThat(at(T0).sweep()).isEmpty();
    assertThat(at(T0).isQuarantined(pc07)).isFalse();
  }

  @Test
  void withAutoQuarantineOnAHostInfectedWithTwoKindsOfEvidenceIsQuarantined() {
    Quarantines.setAutoQuarantine(store, true);
    verdict(Verdict.INFECTED, T0, ARTIFACT, EGRESS);

    List<QuarantineRecord> changes = at(T0.plusSeconds(5)).sweep();

    assertThat(changes).singleElement().satisfies(r -> {
      assertThat(r.by()).isEqualTo(Quarantines.AUTO_BY);
      assertThat(r.reason()).isEqualTo("INFECTED with confidence high (artifact, smtp-egress)");
    });
  }

  @Test
  void oneKindOfEvidenceAloneNeverQuarantinesAutomatically() {
    Quarantines.setAutoQuarantine(store, true);
    verdict(Verdict.INFECTED, T0, ARTIFACT, new Reason("weak-sign", "Sign of infection", "report r3"));

    assertThat(at(T0.plusSeconds(5)).sweep()).isEmpty();
  }

  @Test
  void anAdminsReleaseStandsUntilTheVerdictChangesAgain() {
    Quarantines.setAutoQuarantine(store, true);
    verdict(Verdict.INFECTED, T0, ARTIFACT, EGRESS);
    at(T0.plusSeconds(5)).sweep();
    at(T0.plusSeconds(60)).release(pc07, "linda (web)", "false alarm, checked by hand");

    assertThat(at(T0.plusSeconds(65)).sweep()).isEmpty();
    assertThat(at(T0).isQuarantined(pc07)).isFalse();
  }

  @Test
  void aQuarantinedHostWhoseVerdictTurnsCleanIsReleased() {
    verdict(Verdict.INFECTED, T0, ARTIFACT, EGRESS);
    at(T0.plusSeconds(5)).quarantine(pc07, "linda (web)", "worm");
    verdict(Verdict.CLEAN, T0.plus(Duration.ofHours(3)));

    List<QuarantineRecord> changes = at(T0.plus(Duration.ofHours(3)).plusSeconds(5)).sweep();

    assertThat(changes).singleElement().satisfies(r -> {
      assertThat(r.quarantined()).isFalse();
      assertThat(r.by()).isEqualTo(Quarantines.CLEAN_BY);
    });
  }

  @Test
  void aHostAlreadyCleanWhenAnAdminQuarantinedItIsNotReleasedByThatOldVerdict() {
    verdict(Verdict.CLEAN, T0);
    at(T0.plusSeconds(60)).quarantine(pc07, "linda (web)", "complaint without evidence yet");

    assertThat(at(T0.plusSeconds(65)).sweep()).isEmpty();
    assertThat(at(T0).isQuarantined(pc07)).isTrue();
  }

  @Test
  void aHostsFirstVerdictBeingCleanDoesNotReleaseItsQuarantine() {
    at(T0).quarantine(pc07, "linda (web)", "complaint, no scan yet");
    verdict(Verdict.CLEAN, T0.plusSeconds(60));

    assertThat(at(T0.plusSeconds(65)).sweep()).isEmpty();
    assertThat(at(T0).isQuarantined(pc07)).isTrue();
  }

  @Test
  void refusedAttemptsReportedByTheAgentAddUpPerDestinationAndUser() {
    Quarantines q = at(T0);
    QuarantineStatus status = QuarantineStatus.newBuilder().setRevision(1).setQuarantined(true)
        .setEnforcement(QuarantineEnforcement.QUARANTINE_ENFORCEMENT_ENFORCED)
        .setDetail("nftables table inet labscan_quarantine")
        .addBlocked(BlockedSmtpAttempt.newBuilder().setIp("192.0.2.77").setPort(25).setUser("linda").setAttempts(3))
        .build();

    q.recordStatus(pc07, status, T0);
    q.recordStatus(pc07, status, T0.plusSeconds(10));

    assertThat(q.blocked(pc07, 10)).singleElement().satisfies(b -> {
      assertThat(b.attempts()).isEqualTo(6);
      assertThat(b.first()).isEqualTo(T0);
      assertThat(b.last()).isEqualTo(T0.plusSeconds(10));
    });
    assertThat(q.agentState(pc07)).get().satisfies(a -> {
      assertThat(a.enforcement()).isEqualTo("ENFORCED");
      assertThat(a.revision()).isEqualTo(1);
    });
  }
}
