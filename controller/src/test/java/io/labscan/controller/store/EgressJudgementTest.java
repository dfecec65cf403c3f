package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.labscan.controller.TestReports;
import io.labscan.controller.triage.EgressHit;
import io.labscan.controller.verdict.HostEvidence;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whether a host's SMTP egress is allowed is the controller's judgement from the policy it
 * holds (process allow-list, mail-server role), never the agent's own {@code allowed} flag.
 */
class EgressJudgementTest {
  @TempDir Path dir;

  /** The storage under test: a SQLite file here; PostgreSQL in {@link EgressJudgementOnPostgresTest}. */
  Storage open(Path file) {
    return Storage.open(file);
  }
  private static final Instant T0 = Instant.parse("2026-12-06T17:00:00Z");
  private static final Instant NOW = T0.plusSeconds(3600);

  private static Report withWindow(String hostId, String process, String path, boolean agentSaysAllowed) {
    Report r = TestReports.fullScan(hostId, "lab-pc-07", T0, 1, "10.20.3.17");
    return r.toBuilder().addEgress(SmtpEgressWindow.newBuilder()
        .setWindowStart(Timestamps.fromMillis(T0.toEpochMilli()))
        .setWindowEnd(Timestamps.fromMillis(T0.plusSeconds(60).toEpochMilli()))
        .setPid(4242).setProcessName(process).setProcessPath(path).setConnections(40).setDistinctDestinations(12)
        .addDestinations(EgressDestination.newBuilder().setIp("198.51.100.5").setPort(25).setConnections(40))
        .setAllowed(agentSaysAllowed).setSource("poll")).build();
  }

  /** The fleet's allow-list as `policy --allow-process ENTRY` stores it. */
  private static void allow(Storage store, String entry) {
    store.putSettings(java.util.Map.of(io.labscan.controller.verdict.EgressAllowance.SETTING,
        entry.getBytes(java.nio.charset.StandardCharsets.UTF_8))).join();
  }

  private static List<HostEvidence.Egress> violations(Storage store, String id) {
    return store.evidence(id, NOW, VerdictPolicy.defaults()).orElseThrow().egressViolations();
  }

  @Test
  void wormTrafficItsAgentCallsAllowedIsStillAViolationWhenPolicyDoesNotAllowIt() {
    String id = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"))) {
      store.ingest(withWindow(id, "wink.exe", "C:\\Windows\\System32\\wink.exe", true), T0, "t").join();

      assertThat(violations(store, id)).singleElement().satisfies(w -> assertThat(w.processName()).isEqualTo("wink.exe"));
      assertThat(new SqliteTriageEvidence(store.database(), "k").unallowedEgressBetween(T0, T0.plusSeconds(60)))
          .extracting(EgressHit::hostId).containsExactly(id);
    }
  }

  @Test
  void trafficOfAnAllowedProcessItsAgentCallsNotAllowedIsNoViolation() {
    String id = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"))) {
      allow(store, "/usr/lib/postfix/sbin/smtp");
      store.ingest(withWindow(id, "smtp", "/usr/lib/postfix/sbin/smtp", false), T0, "t").join();

      assertThat(violations(store, id)).isEmpty();
      List<EgressHit> hits = new SqliteTriageEvidence(store.database(), "k").egressNear(List.of(id), T0, T0.plusSeconds(60));
      assertThat(hits).singleElement().satisfies(h -> assertThat(h.allowed()).isTrue());
    }
  }

  @Test
  void aWormNamingItselfLikeAnAllowedPathEntryFromAnotherPathIsAViolation() {
    String id = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"))) {
      allow(store, "/usr/lib/postfix/sbin/smtp");
      store.ingest(withWindow(id, "smtp", "/tmp/.x/smtp", true), T0, "t").join();

      assertThat(violations(store, id)).hasSize(1);
    }
  }

  @Test
  void anAllowListEntryAddedLaterClearsEarlierWindowsToo() {
    String id = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"))) {
      store.ingest(withWindow(id, "smtp", "/usr/lib/postfix/sbin/smtp", true), T0, "t").join();
      assertThat(violations(store, id)).hasSize(1);

      allow(store, "/usr/lib/postfix/sbin/smtp");

      assertThat(violations(store, id)).isEmpty();
      assertThat(store.sweep(NOW, VerdictPolicy.defaults()).apply(id).orElseThrow().egressViolations()).isEmpty();
    }
  }

  @Test
  void aMailServersTrafficIsStoredAsAllowedWhateverItsAgentSays() {
    String id = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"))) {
      store.ingest(withWindow(id, "master", "/usr/lib/postfix/sbin/master", false), T0.minusSeconds(60), "t").join();
      store.setRole(id, "mail-server", true).join();
      store.ingest(withWindow(id, "smtp", "/usr/lib/postfix/sbin/smtp", false).toBuilder().setReportId(
          java.util.UUID.randomUUID().toString()).setSequence(2).build(), T0, "t").join();

      List<EgressHit> hits = new SqliteTriageEvidence(store.database(), "k").egressNear(List.of(id), T0, T0.plusSeconds(60));
      assertThat(hits).filteredOn(h -> h.process().orElse("").equals("smtp")).singleElement()
          .satisfies(h -> assertThat(h.allowed()).isTrue());
    }
  }
}
