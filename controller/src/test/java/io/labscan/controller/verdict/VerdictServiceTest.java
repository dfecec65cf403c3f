package io.labscan.controller.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.labscan.controller.TestReports;
import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.CheckOutcome;
import io.labscan.proto.v1.CheckResult;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.RuleKind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verdicts computed from stored evidence, with history. */
class VerdictServiceTest {
  @TempDir Path dir;

  /** The storage under test: a SQLite file here; PostgreSQL in {@link VerdictServiceOnPostgresTest}. */
  Storage open(Path file) {
    return Storage.open(file);
  }
  private static final Instant T0 = Instant.parse("2026-11-27T02:00:00Z");

  private static Clock at(AtomicReference<Instant> now) {
    return new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now.get();
      }
    };
  }

  private static Report withAv(Report r, AvState state) {
    return r.toBuilder().addAv(AvStatus.newBuilder().setProvider("clamav").setProduct("ClamAV").setState(state)).build();
  }

  private static Report infectedScan(String id, Instant at, long sequence) {
    return withAv(TestReports.fullScan(id, "lab-pc-07", at, sequence, "10.20.3.17"), AvState.AV_STATE_FRESH)
        .toBuilder().addFindings(ArtifactFinding.newBuilder().setRuleId("klez.system.wink-exe")
            .setRuleKind(RuleKind.RULE_KIND_FILE_NAME).setPath("WINDOWS/SYSTEM32/WINKABCD.EXE")).build();
  }

  /** A clean full scan in which the artifacts check ran out of time, as the agent's Scanner reports it. */
  private static Report timedOutCleanScan(String id, Instant at, long sequence) {
    Report r = withAv(TestReports.fullScan(id, "lab-pc-07", at, sequence, "10.20.3.17"), AvState.AV_STATE_FRESH);
    return r.toBuilder().setScan(r.getScan().toBuilder()
        .addChecks(CheckResult.newBuilder().setCheck("artifacts").setOutcome(CheckOutcome.CHECK_OUTCOME_FAILED)
            .setMessage("timed out"))
        .putSkipped("timeout:artifacts", 1)).build();
  }

  @Test
  void aFullScanWhoseCheckTimedOutDoesNotClearAnEarlierScansInfection() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    String id = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"));
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), at(now))) {
      store.ingest(infectedScan(id, T0, 1), T0, "t").join();
      now.set(T0.plus(Duration.ofHours(2)));
      store.ingest(timedOutCleanScan(id, now.get(), 2), now.get(), "t").join();

      Assessment a = verdicts.recompute(id).orElseThrow();
      assertThat(a.verdict()).isEqualTo(Verdict.INFECTED);
      assertThat(a.reasons()).extracting(Reason::code).contains(VerdictRules.INCOMPLETE_SCAN);
      assertThat(a.reasons()).filteredOn(r -> r.code().equals(VerdictRules.INCOMPLETE_SCAN)).first()
          .satisfies(r -> assertThat(r.text()).contains("artifacts").contains(now.get().toString()));
      assertThat(a.reasons()).filteredOn(r -> r.code().equals("scan-overdue") || r.code().equals("no-full-scan"))
          .isEmpty();
      // The batched sweep reads the same evidence.
      assertThat(store.sweep(now.get(), VerdictPolicy.defaults()).evidenceOf(List.of(id)).get(id)
          .incompleteScans()).hasSize(1);
    }
  }

  @Test
  void aFullScanWithAFailedCheckStillAddsItsOwnFindings() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    String id = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"));
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), at(now))) {
      store.ingest(withAv(TestReports.fullScan(id, "lab-pc-07", T0, 1, "10.20.3.17"), AvState.AV_STATE_FRESH),
          T0, "t").join();
      now.set(T0.plus(Duration.ofHours(2)));
      Report infectedButIncomplete = infectedScan(id, now.get(), 2);
      infectedButIncomplete = infectedButIncomplete.toBuilder().setScan(infectedButIncomplete.getScan().toBuilder()
          .addChecks(CheckResult.newBuilder().setCheck("mailboxes").setOutcome(CheckOutcome.CHECK_OUTCOME_FAILED)
              .setMessage("Permission denied"))).build();
      store.ingest(infectedButIncomplete, now.get(), "t").join();

      assertThat(verdicts.recompute(id).orElseThrow().verdict()).isEqualTo(Verdict.INFECTED);
    }
  }

  @Test
  void anIncompleteFullScanDoesNotCountAsTheFullScanComplianceAsks() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    String id = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"));
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), at(now))) {
      store.ingest(withAv(TestReports.fullScan(id, "lab-pc-07", T0, 1, "10.20.3.17"), AvState.AV_STATE_FRESH),
          T0, "t").join();
      now.set(T0.plus(Duration.ofHours(30)));
      store.ingest(timedOutCleanScan(id, now.get(), 2), now.get(), "t").join();

      Assessment a = verdicts.recompute(id).orElseThrow();
      assertThat(a.verdict()).isEqualTo(Verdict.UNKNOWN);
      assertThat(a.reasons()).extracting(Reason::code).contains("scan-overdue", VerdictRules.INCOMPLETE_SCAN);
    }
  }

  @Test
  void aHostBecomesInfectedWhenAnArtifactIsReportedAndCleanAfterACleanScan() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    String id = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"));
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), at(now))) {
      Report infected = withAv(TestReports.fullScan(id, "lab-pc-07", T0, 1, "10.20.3.17"), AvState.AV_STATE_FRESH)
          .toBuilder().addFindings(ArtifactFinding.newBuilder().setRuleId("klez.system.wink-exe")
              .setRuleKind(RuleKind.RULE_KIND_FILE_NAME).setPath("WINDOWS/SYSTEM32/WINKABCD.EXE")).build();
      store.ingest(infected, T0, "t").join();
      assertThat(verdicts.recompute(id).orElseThrow().verdict()).isEqualTo(Verdict.INFECTED);

      now.set(T0.plus(Duration.ofHours(24)));
      store.ingest(withAv(TestReports.fullScan(id, "lab-pc-07", now.get(), 2, "10.20.3.17"), AvState.AV_STATE_FRESH),
          now.get(), "t").join();
      assertThat(verdicts.recompute(id).orElseThrow().verdict()).isEqualTo(Verdict.CLEAN);

      assertThat(store.history(id)).extracting(VerdictRepository.VerdictRecord::verdict)
          .containsExactly(Verdict.INFECTED, Verdict.CLEAN);
      assertThat(store.history(id).get(0).reasons().get(0).text()).contains("WINKABCD.EXE");
      assertThat(store.verdict(id).orElseThrow().since()).isEqualTo(now.get());
    }
  }

  @Test
  void aRepeatedVerdictDoesNotGrowTheHistory() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    String id = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"));
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), at(now))) {
      store.ingest(withAv(TestReports.fullScan(id, "pc", T0, 1, "10.0.0.1"), AvState.AV_STATE_STALE), T0, "t").join();
      verdicts.recompute(id);
      now.set(T0.plusSeconds(60));
      verdicts.recompute(id);
      assertThat(store.history(id)).singleElement().satisfies(v -> assertThat(v.verdict()).isEqualTo(Verdict.AT_RISK));
      assertThat(store.verdict(id).orElseThrow().since()).isEqualTo(T0);
    }
  }

  @Test
  void timePassingTurnsASilentHostUnknown() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    String id = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"));
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), at(now))) {
      store.ingest(withAv(TestReports.fullScan(id, "pc", T0, 1, "10.0.0.1"), AvState.AV_STATE_FRESH), T0, "t").join();
      assertThat(verdicts.recompute(id).orElseThrow().verdict()).isEqualTo(Verdict.CLEAN);
      now.set(T0.plus(Duration.ofHours(2)));
      verdicts.recomputeAll();
      assertThat(store.verdict(id).orElseThrow().verdict()).isEqualTo(Verdict.UNKNOWN);
    }
  }

  /** One minute of SMTP egress by {@code process} from {@code start}: {@code connections} connections to {@code ip}:25. */
  private static io.labscan.proto.v1.SmtpEgressWindow smtp(Instant start, String process, String ip, int connections) {
    return io.labscan.proto.v1.SmtpEgressWindow.newBuilder()
        .setWindowStart(com.google.protobuf.util.Timestamps.fromMillis(start.toEpochMilli()))
        .setWindowEnd(com.google.protobuf.util.Timestamps.fromMillis(start.plusSeconds(60).toEpochMilli()))
        .setPid(4242).setProcessName(process).setConnections(connections).setDistinctDestinations(1)
        .setAllowed(false).setSource("poll")
        .addDestinations(io.labscan.proto.v1.EgressDestination.newBuilder().setIp(ip).setPort(25)
            .setConnections(connections))
        .build();
  }

  /**
   * Issue 15, red-team round 8, T4: the same-connection rival search filters by the MTA's address
   * before its row limit, so a third agent flooding egress windows in the same minutes (to
   * elsewhere) cannot push the rival out of the read and make the host's match "unique".
   */
  @Test
  void aThirdAgentFloodingEgressWindowsCannotMakeTheSameConnectionRivalVanish() {
    Instant mail = T0.plus(Duration.ofHours(2));
    AtomicReference<Instant> now = new AtomicReference<>(mail.plus(Duration.ofMinutes(30)));
    String linda = TestReports.newHostId();
    String harold = TestReports.newHostId();
    String flooder = TestReports.newHostId();
    String mx = "192.0.2.25";
    try (Storage store = open(dir.resolve("c.db"));
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), at(now))) {
      store.ingest(withAv(TestReports.fullScan(linda, "lab-pc-07", mail.plusSeconds(300), 1, "192.168.1.17"),
          AvState.AV_STATE_FRESH).toBuilder().addEgress(smtp(mail.minusSeconds(20), "winkabcd.exe", mx, 1)).build(),
          mail.plusSeconds(300), "t").join();
      store.ingest(withAv(TestReports.fullScan(harold, "lab-pc-12", mail.plusSeconds(300), 1, "192.168.1.12"),
          AvState.AV_STATE_FRESH).toBuilder().addEgress(smtp(mail.plusSeconds(40), "updater.exe", mx, 1)).build(),
          mail.plusSeconds(300), "t").join();
      // 20,050 one-minute windows to another server, all starting before the rival's.
      Report.Builder flood = withAv(TestReports.fullScan(flooder, "lab-pc-66", mail.plusSeconds(300), 1,
          "192.168.1.66"), AvState.AV_STATE_FRESH).toBuilder();
      for (int i = 0; i < 20_050; i++) {
        flood.addEgress(smtp(mail.minusSeconds(540).plusMillis(i), "flood.exe", "198.51.100.99", 1));
      }
      store.ingest(flood.build(), mail.plusSeconds(300), "t").join();
      new io.labscan.controller.store.ComplaintTraces(store.database()).replace("<KLEZ.0009@PC17>", "msg-sha256:09",
          List.of(new io.labscan.controller.store.ComplaintTraces.NewTrace(linda, 0.7, "203.0.113.200",
              Optional.of(mail), "the same connection", List.of(mx))), mail.plusSeconds(600), "cli");

      Assessment a = verdicts.recompute(linda).orElseThrow();

      assertThat(a.reasons()).extracting(Reason::code).contains(VerdictRules.SAME_CONNECTION_TIE)
          .doesNotContain(VerdictRules.SAME_CONNECTION);
      assertThat(a.reasons()).filteredOn(r -> r.code().equals(VerdictRules.SAME_CONNECTION_TIE)).first()
          .satisfies(r -> assertThat(r.text()).contains(harold).doesNotContain(flooder));
    }
  }

  @Test
  void aComplaintTraceFeedsTheVerdict() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    String id = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"));
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), at(now))) {
      store.ingest(withAv(TestReports.fullScan(id, "pc", T0, 1, "10.0.0.1"), AvState.AV_STATE_FRESH), T0, "t").join();
      store.recordComplaintTrace("complaint-1", id, 0.9, T0, "10.0.0.1", java.util.Optional.of(T0), "top candidate")
          .join();
      assertThat(verdicts.recompute(id).orElseThrow().verdict()).isEqualTo(Verdict.SUSPECTED);
    }
  }

  @Test
  void aSweepLargerThanOneBatchSavesEveryHostAndAnnouncesEachChangeOnce() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    int hosts = VerdictService.SWEEP_BATCH + 7;
    java.util.List<String> announced = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Storage store = open(dir.resolve("c.db"));
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), at(now))) {
      verdicts.addListener((hostId, hostname, assessment, at) -> announced.add(hostId + "=" + assessment.verdict()));
      for (int i = 0; i < hosts; i++) {
        store.ingest(withAv(TestReports.fullScan(TestReports.newHostId(), "pc-" + i, T0, 1, "10.0.0.1"),
            AvState.AV_STATE_FRESH), T0, "t");
      }
      store.ingest(withAv(TestReports.fullScan(TestReports.newHostId(), "last", T0, 1, "10.0.0.2"),
          AvState.AV_STATE_FRESH), T0, "t").join();

      assertThat(verdicts.recomputeAll()).isEqualTo(hosts + 1);

      assertThat(store.verdicts()).hasSize(hosts + 1).allSatisfy(v -> assertThat(v.verdict()).isEqualTo(Verdict.CLEAN));
      assertThat(announced).hasSize(hosts + 1).doesNotHaveDuplicates();
      now.set(T0.plusSeconds(60));
      verdicts.recomputeAll();
      assertThat(announced).hasSize(hosts + 1); // nothing changed: nothing announced again
    }
  }
  @Test
  void aSweepOverSeveralBatchesWritesExactlyTheVerdictsThatChangedAndTheirHistory() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    int hosts = 2 * VerdictService.SWEEP_BATCH + 3;
    List<String> announced = new CopyOnWriteArrayList<>();
    try (Storage store = open(dir.resolve("c.db"));
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), at(now))) {
      verdicts.addListener((hostId, hostname, assessment, at) -> announced.add(hostId));
      List<String> ids = new java.util.ArrayList<>();
      java.util.concurrent.CompletableFuture<?> last = null;
      for (int i = 0; i < hosts; i++) {
        String id = TestReports.newHostId();
        ids.add(id);
        last = store.ingest(withAv(TestReports.fullScan(id, "pc-" + i, T0, 1, "10.0.0.1"), AvState.AV_STATE_FRESH),
            T0, "t");
      }
      last.join();
      verdicts.recomputeAll();
      announced.clear();
      // The sweep goes through the hosts in id order: the first host, the first of the second
      // batch and the last host change; their neighbours across batch boundaries do not.
      java.util.Collections.sort(ids);
      List<String> staled = List.of(ids.get(0), ids.get(VerdictService.SWEEP_BATCH), ids.get(hosts - 1));
      now.set(T0.plusSeconds(60));
      for (String id : staled) {
        store.ingest(withAv(TestReports.fullScan(id, "pc", now.get(), 2, "10.0.0.1"), AvState.AV_STATE_STALE),
            now.get(), "t").join();
      }

      assertThat(verdicts.recomputeAll()).isEqualTo(hosts);

      assertThat(announced).containsExactlyInAnyOrderElementsOf(staled);
      for (String id : ids) {
        boolean changed = staled.contains(id);
        assertThat(store.history(id)).extracting(VerdictRepository.VerdictRecord::verdict)
            .containsExactlyElementsOf(changed ? List.of(Verdict.CLEAN, Verdict.AT_RISK) : List.of(Verdict.CLEAN));
        assertThat(store.verdict(id).orElseThrow().since()).isEqualTo(changed ? now.get() : T0);
      }
    }
  }

  @Test
  void whenABatchsEvidenceCannotBeReadAtOnceEachHostIsReadOnItsOwn() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    SweepFailingRepository repository = new SweepFailingRepository(List.of("host-a", "host-unreadable", "host-c"));
    try (VerdictService verdicts = new VerdictService(repository, VerdictPolicy.defaults(), at(now))) {
      assertThat(verdicts.recomputeAll()).isEqualTo(3);
      assertThat(repository.saved).containsExactly("host-a", "host-c");
    }
  }

  @Test
  void evidenceArrivingManyTimesForOneHostIsLookedAtOnce() {
    CountingRepository repository = new CountingRepository();
    try (VerdictService verdicts = new VerdictService(repository, VerdictPolicy.defaults(), Clock.systemUTC(),
        Duration.ofHours(1))) {
      for (int i = 0; i < 5; i++) {
        verdicts.evidenceArrived("host-a");
      }
      verdicts.evidenceArrived("host-b");

      verdicts.flush();

      assertThat(repository.evidenceAsked).containsExactlyInAnyOrder("host-a", "host-b");
    }
  }

  @Test
  void evidenceWaitsNoLongerThanTheCoalescingInterval() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    String id = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"));
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), at(now),
            Duration.ofMillis(50))) {
      store.ingest(withAv(TestReports.fullScan(id, "pc", T0, 1, "10.0.0.1"), AvState.AV_STATE_FRESH), T0, "t").join();

      verdicts.evidenceArrived(id);

      await().atMost(Duration.ofSeconds(10)).until(() -> store.verdict(id).isPresent());
      assertThat(store.verdict(id).orElseThrow().verdict()).isEqualTo(Verdict.CLEAN);
    }
  }

  @Test
  void evidenceArrivingAfterADrainIsLookedAtAgain() {
    CountingRepository repository = new CountingRepository();
    try (VerdictService verdicts = new VerdictService(repository, VerdictPolicy.defaults(), Clock.systemUTC(),
        Duration.ofHours(1))) {
      verdicts.evidenceArrived("host-a");
      verdicts.flush();

      verdicts.evidenceArrived("host-a");
      verdicts.flush();

      assertThat(repository.evidenceAsked).containsExactly("host-a", "host-a");
    }
  }

  @Test
  void aNegativeCoalescingIntervalIsRefused() {
    assertThatThrownBy(() -> new VerdictService(new CountingRepository(), VerdictPolicy.defaults(),
        Clock.systemUTC(), Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Knows {@code hosts}; its sweep cannot read a batch at once, and one host's evidence cannot
   * be read at all. Records the hosts whose assessment was saved.
   */
  private static final class SweepFailingRepository implements VerdictRepository {
    final List<String> hosts;
    final List<String> saved = new CopyOnWriteArrayList<>();

    SweepFailingRepository(List<String> hosts) {
      this.hosts = hosts;
    }

    @Override
    public List<String> hostIds() {
      return hosts;
    }

    @Override
    public Optional<HostEvidence> evidence(String hostId, Instant now, VerdictPolicy policy) {
      if (hostId.equals("host-unreadable")) {
        throw new IllegalStateException("unreadable evidence");
      }
      return Optional.of(new HostEvidence(hostId, hostId, now, Optional.of(now), List.of(),
          List.of(new HostEvidence.Av("r-1", "clamav", "ClamAV", "FRESH", "")), List.of(), List.of(), false));
    }

    @Override
    public Sweep sweep(Instant now, VerdictPolicy policy) {
      return new Sweep() {
        @Override
        public Optional<HostEvidence> apply(String hostId) {
          return evidence(hostId, now, policy);
        }

        @Override
        public java.util.Map<String, HostEvidence> evidenceOf(List<String> hostIds) {
          throw new IllegalStateException("the batch query failed");
        }
      };
    }

    @Override
    public boolean saveAssessment(String hostId, Assessment assessment, Instant at) {
      saved.add(hostId);
      return true;
    }

    @Override
    public Optional<VerdictRecord> verdict(String hostId) {
      return Optional.empty();
    }

    @Override
    public List<VerdictRecord> verdicts() {
      return List.of();
    }

    @Override
    public List<VerdictRecord> history(String hostId) {
      return List.of();
    }
  }

  /** Knows no host; records which hosts' evidence was asked for. */
  private static final class CountingRepository implements VerdictRepository {
    final List<String> evidenceAsked = new CopyOnWriteArrayList<>();

    @Override
    public List<String> hostIds() {
      return List.of();
    }

    @Override
    public Optional<HostEvidence> evidence(String hostId, Instant now, VerdictPolicy policy) {
      evidenceAsked.add(hostId);
      return Optional.empty();
    }

    @Override
    public boolean saveAssessment(String hostId, Assessment assessment, Instant at) {
      throw new AssertionError("nothing to save for a host without evidence");
    }

    @Override
    public Optional<VerdictRecord> verdict(String hostId) {
      return Optional.empty();
    }

    @Override
    public List<VerdictRecord> verdicts() {
      return List.of();
    }

    @Override
    public List<VerdictRecord> history(String hostId) {
      return List.of();
    }
  }
}
