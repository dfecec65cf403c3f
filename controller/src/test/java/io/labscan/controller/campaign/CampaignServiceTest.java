package io.labscan.controller.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.labscan.controller.TestReports;
import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.CheckOutcome;
import io.labscan.proto.v1.CheckResult;
import io.labscan.proto.v1.Command;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CampaignServiceTest {
  @TempDir Path dir;

  /** The storage under test: a SQLite file here; PostgreSQL in {@link CampaignServiceOnPostgresTest}. */
  Storage open(Path file) {
    return Storage.open(file);
  }
  Storage store;
  CampaignService campaigns;
  final Set<String> online = ConcurrentHashMap.newKeySet();
  final List<Map.Entry<String, Command>> sent = new CopyOnWriteArrayList<>();
  final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  final Map<String, List<String>> labs = new ConcurrentHashMap<>();
  final String pc1 = TestReports.newHostId();
  final String pc2 = TestReports.newHostId();
  final String chem = TestReports.newHostId();

  @BeforeEach
  void start() {
    store = open(dir.resolve("c.db"));
    Instant earlier = Instant.now().minus(Duration.ofHours(2));
    store.ingest(TestReports.fullScan(pc1, "phys-pc-01", earlier, 1, "10.20.3.11"), earlier, "test").join();
    store.ingest(TestReports.fullScan(pc2, "phys-pc-02", earlier, 1, "10.20.3.12"), earlier, "test").join();
    store.ingest(TestReports.fullScan(chem, "chem-pc-07", earlier, 1, "10.30.1.7"), earlier, "test").join();
    labs.put("physics-lab", List.of(pc1, pc2));
    labs.put("chemistry", List.of(chem));
    AgentCommands agents = new AgentCommands() {
      @Override
      public boolean send(String hostId, Command command) {
        if (!online.contains(hostId)) {
          return false;
        }
        sent.add(Map.entry(hostId, command));
        return true;
      }

      @Override
      public void onConnect(Consumer<String> hostConnected) {
        listeners.add(hostConnected);
      }

      @Override
      public Set<String> connected() {
        return Set.copyOf(online);
      }
    };
    campaigns = new CampaignService(store, agents, lab -> lab.map(l -> labs.getOrDefault(l, List.of()))
        .orElseGet(() -> labs.values().stream().flatMap(List::stream).toList()), Clock.systemUTC()).start();
  }

  @AfterEach
  void stop() {
    campaigns.close();
    store.close();
  }

  private void connect(String hostId) {
    online.add(hostId);
    listeners.forEach(l -> l.accept(hostId));
    campaigns.flush();
  }

  private Report fullScanNow(String hostId, String hostname, long sequence, CheckOutcome artifacts) {
    Report base = TestReports.fullScan(hostId, hostname, Instant.now(), sequence, "10.20.3.11");
    return base.toBuilder().setScan(base.getScan().toBuilder().setTrigger("controller")
        .addChecks(CheckResult.newBuilder().setCheck("artifacts").setOutcome(artifacts)
            .setMessage(artifacts == CheckOutcome.CHECK_OUTCOME_FAILED ? "disk read error" : "")))
        .build();
  }

  @Test
  void scanNowSendsAFullScanCommandToEveryConnectedHostOfTheLab() {
    online.add(pc1);
    online.add(chem);
    Campaign c = campaigns.create("Scan physics now", Optional.of("physics-lab"), Optional.empty(), "UTC", "it-staff");

    assertThat(sent).singleElement().satisfies(e -> {
      assertThat(e.getKey()).isEqualTo(pc1);
      assertThat(e.getValue().getScanNow().getKind()).isEqualTo(ScanKind.SCAN_KIND_FULL);
      assertThat(e.getValue().getScanNow().getCampaignId()).isEqualTo(c.campaignId());
      assertThat(e.getValue().getCommandId()).isNotEmpty();
    });
    RunStatus run = campaigns.runs(c.campaignId(), 1).get(0);
    assertThat(run.firedBy()).isEqualTo("it-staff");
    assertThat(run.counts()).containsEntry(TargetState.PENDING, 1).containsEntry(TargetState.OFFLINE, 1);
  }

  @Test
  void anOfflineHostGetsTheCommandWhenItReconnects() {
    Campaign c = campaigns.create("Scan physics now", Optional.of("physics-lab"), Optional.empty(), "UTC", "it-staff");
    assertThat(sent).isEmpty();

    connect(pc2);

    assertThat(sent).singleElement().satisfies(e -> assertThat(e.getKey()).isEqualTo(pc2));
    RunStatus.Target target = campaigns.runs(c.campaignId(), 1).get(0).targets().stream()
        .filter(t -> t.hostId().equals(pc2)).findFirst().orElseThrow();
    assertThat(target.state()).isEqualTo(TargetState.PENDING);
    assertThat(target.delivered()).isPresent();
    assertThat(target.commandId()).isEqualTo(sent.get(0).getValue().getCommandId());
  }

  @Test
  void aRunRecordedByAnotherProcessReachesTheConnectedHostsWithinSeconds() {
    online.add(pc1);
    Campaign c;
    try (CampaignService commandLine = new CampaignService(store, AgentCommands.none(),
        lab -> labs.getOrDefault(lab.orElseThrow(), List.of()), Clock.systemUTC())) {
      c = commandLine.create("scan now: physics-lab (command line)", Optional.of("physics-lab"), Optional.empty(),
          "UTC", "command line");
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> !sent.isEmpty());

    assertThat(sent).singleElement().satisfies(e -> {
      assertThat(e.getKey()).isEqualTo(pc1);
      assertThat(e.getValue().getScanNow().getCampaignId()).isEqualTo(c.campaignId());
    });
    assertThat(campaigns.runs(c.campaignId(), 1).get(0).counts())
        .containsEntry(TargetState.PENDING, 1).containsEntry(TargetState.OFFLINE, 1);
  }

  @Test
  void aSweepNeverSendsADeliveredCommandAgain() {
    online.add(pc1);
    campaigns.create("Scan physics now", Optional.of("physics-lab"), Optional.empty(), "UTC", "it-staff");

    assertThat(campaigns.deliverToConnected()).isZero();
    assertThat(sent).hasSize(1);
  }

  @Test
  void aReconnectingHostGetsOnlyTheNewestRunOfACampaign() {
    Campaign c = campaigns.create("Scan physics now", Optional.of("physics-lab"), Optional.empty(), "UTC", "it-staff");
    campaigns.fire(c.campaignId(), "it-staff");

    connect(pc1);

    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).getValue().getCommandId())
        .isEqualTo(campaigns.runs(c.campaignId(), 1).get(0).targets().stream()
            .filter(t -> t.hostId().equals(pc1)).findFirst().orElseThrow().commandId());
  }

  @Test
  void aFullScanAfterTheRunFiredCompletesTheHost() {
    online.add(pc1);
    online.add(pc2);
    Campaign c = campaigns.create("Scan physics now", Optional.of("physics-lab"), Optional.empty(), "UTC", "it-staff");
    store.ingest(fullScanNow(pc1, "phys-pc-01", 2, CheckOutcome.CHECK_OUTCOME_OK), Instant.now(), "test").join();
    store.ingest(fullScanNow(pc2, "phys-pc-02", 2, CheckOutcome.CHECK_OUTCOME_FAILED), Instant.now(), "test").join();

    Map<String, RunStatus.Target> byHost = new java.util.HashMap<>();
    campaigns.runs(c.campaignId(), 1).get(0).targets().forEach(t -> byHost.put(t.hostId(), t));
    assertThat(byHost.get(pc1).state()).isEqualTo(TargetState.COMPLETED);
    assertThat(byHost.get(pc2).state()).isEqualTo(TargetState.FAILED);
    assertThat(byHost.get(pc2).detail()).contains("failed checks: artifacts");
  }

  @Test
  void aScanBeforeTheRunFiredDoesNotCount() {
    online.add(chem);
    Campaign c = campaigns.create("Scan chemistry", Optional.of("chemistry"), Optional.empty(), "UTC", "it-staff");
    assertThat(campaigns.runs(c.campaignId(), 1).get(0).targets()).singleElement()
        .satisfies(t -> assertThat(t.state()).isEqualTo(TargetState.PENDING));
  }

  @Test
  void aDeliveredCommandWithoutAScanWithinTheDeadlineFailed() {
    Instant delivered = Instant.parse("2026-11-27T01:00:00Z");
    CampaignRepository.TargetRow row = new CampaignRepository.TargetRow(pc1, "phys-pc-01", "cmd",
        Optional.of(delivered), Optional.empty(), "");
    RunStatus.Target t = CampaignService.target(row, delivered.plus(CampaignService.SCAN_DEADLINE).plusSeconds(1));
    assertThat(t.state()).isEqualTo(TargetState.FAILED);
    assertThat(t.detail()).contains("no full scan within 6 h");
  }

  @Test
  void aNightlyCampaignIsScheduledForOneOClockAndDoesNotFireNow() {
    online.add(pc1);
    Campaign c = campaigns.create("Nightly physics", Optional.of("physics-lab"), Optional.of("0 0 1 * * ?"), "UTC",
        "it-staff");
    ZonedDateTime next = campaigns.nextFire(c.campaignId()).orElseThrow().atZone(ZoneOffset.UTC);
    assertThat(next.getHour()).isEqualTo(1);
    assertThat(next.getMinute()).isZero();
    assertThat(sent).isEmpty();
    assertThat(campaigns.runs(c.campaignId(), 1)).isEmpty();
  }

  @Test
  void campaignsSurviveARestart() {
    Campaign c = campaigns.create("Nightly all", Optional.empty(), Optional.of("0 0 1 * * ?"), "Europe/Berlin",
        "it-staff");
    campaigns.close();
    campaigns = new CampaignService(store, new AgentCommands() {
      @Override
      public boolean send(String hostId, Command command) {
        return false;
      }

      @Override
      public void onConnect(Consumer<String> hostConnected) {}

      @Override
      public Set<String> connected() {
        return Set.of();
      }
    }, lab -> List.of(), Clock.systemUTC()).start();
    assertThat(campaigns.list()).singleElement().satisfies(loaded -> {
      assertThat(loaded.name()).isEqualTo("Nightly all");
      assertThat(loaded.zone().getId()).isEqualTo("Europe/Berlin");
    });
    assertThat(campaigns.nextFire(c.campaignId())).isPresent();
  }

  @Test
  void aBadCronExpressionIsRefusedWithAnExample() {
    assertThatThrownBy(() -> campaigns.create("x", Optional.empty(), Optional.of("every night"), "UTC", "it-staff"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 0 1 * * ?");
    assertThat(campaigns.list()).isEmpty();
  }

  @Test
  void deletingACampaignUnschedulesIt() {
    Campaign c = campaigns.create("Nightly", Optional.empty(), Optional.of("0 0 1 * * ?"), "UTC", "it-staff");
    assertThat(campaigns.delete(c.campaignId())).isTrue();
    assertThat(campaigns.nextFire(c.campaignId())).isEmpty();
    assertThat(campaigns.list()).isEmpty();
  }


  /** A controller whose clock says {@code now}, started on the same database (a restart). */
  private CampaignService controllerAt(Instant now) {
    return new CampaignService(store, AgentCommands.none(), lab -> labs.getOrDefault(lab.orElseThrow(), List.of()),
        Clock.fixed(now, ZoneOffset.UTC));
  }

  private Campaign nightlyAt0100(Instant created) {
    try (CampaignService before = controllerAt(created)) {
      return before.create("Nightly physics", Optional.of("physics-lab"), Optional.of("0 0 1 * * ?"), "UTC",
          "it-staff");
    }
  }

  @Test
  void aNightlyRunMissedWhileTheControllerWasDownFiresOnceAtStart() {
    Campaign c = nightlyAt0100(Instant.parse("2026-11-26T17:00:00Z"));

    try (CampaignService restarted = controllerAt(Instant.parse("2026-11-27T08:30:00Z")).start()) {
      assertThat(restarted.runs(c.campaignId(), 5)).singleElement().satisfies(run -> {
        assertThat(run.firedBy()).isEqualTo("schedule (catch-up of 2026-11-27T01:00:00Z)");
        assertThat(run.targets()).hasSize(2);
      });
    }
  }

  @Test
  void aRestartAfterTheMissedRunWasCaughtUpFiresNothingMore() {
    Campaign c = nightlyAt0100(Instant.parse("2026-11-26T17:00:00Z"));
    controllerAt(Instant.parse("2026-11-27T08:30:00Z")).start().close();

    try (CampaignService again = controllerAt(Instant.parse("2026-11-27T09:00:00Z")).start()) {
      assertThat(again.runs(c.campaignId(), 5)).hasSize(1);
    }
  }

  @Test
  void aWeeklyRunDueLongerAgoThanTheCatchUpWindowIsLeftToTheNextWeek() {
    Campaign c;
    try (CampaignService before = controllerAt(Instant.parse("2026-11-13T17:00:00Z"))) {
      c = before.create("Weekly physics", Optional.of("physics-lab"), Optional.of("0 0 1 ? * MON"), "UTC", "it-staff");
    }

    // Monday 23 Nov 01:00 was missed, but that is more than a day before Wednesday 25 Nov.
    try (CampaignService restarted = controllerAt(Instant.parse("2026-11-25T09:00:00Z")).start()) {
      assertThat(restarted.runs(c.campaignId(), 5)).isEmpty();
    }
  }

  @Test
  void noRunIsCaughtUpBeforeTheFirstDueTimeAfterCreation() {
    Campaign c = nightlyAt0100(Instant.parse("2026-11-27T01:30:00Z"));

    try (CampaignService restarted = controllerAt(Instant.parse("2026-11-27T09:00:00Z")).start()) {
      assertThat(restarted.runs(c.campaignId(), 5)).isEmpty();
    }
  }

  @Test
  void theLatestDueTimeIsFoundInTheCampaignsZone() {
    assertThat(CampaignService.latestDue("0 0 1 * * ?", java.time.ZoneId.of("Europe/Berlin"),
        Instant.parse("2026-11-26T12:00:00Z"), Instant.parse("2026-11-27T12:00:00Z")))
        .contains(Instant.parse("2026-11-27T00:00:00Z"));
  }
}
