package io.labscan.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.fleet.LabRule;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.Pruner;
import io.labscan.controller.store.Storage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerTest {
  @TempDir Path dir;

  @Test
  void backgroundJobsRunWithoutAnyWebServer() {
    ControllerConfig config = ControllerConfig.builder(dir.resolve("controller.db"))
        .retention(Pruner.Retention.defaults()).build();
    try (Controller controller = Controller.open(config)) {
      controller.startBackgroundJobs();

      assertThat(controller.jobs().names()).containsExactly("change feed", "compliance snapshot", "daily prune",
          "false MTA address claims");
      assertThat(controller.changes().listenerNames()).contains("policy cache", "campaign deliveries");
      assertThat(controller.alerts().sinks()).isEmpty();
    }
  }

  @Test
  void startingTheBackgroundJobsTwiceRegistersThemOnce() {
    try (Controller controller = Controller.open(ControllerConfig.builder(dir.resolve("controller.db")).build())) {
      controller.startBackgroundJobs();
      controller.startBackgroundJobs();

      assertThat(controller.jobs().names()).containsExactly("change feed", "compliance snapshot",
          "false MTA address claims");
    }
  }

  @Test
  void aCommitByAnotherProcessReachesTheChangeListenersOnce() {
    Path db = dir.resolve("controller.db");
    try (Controller controller = Controller.open(ControllerConfig.builder(db).build());
        Storage otherProcess = Storage.open(db)) {
      AtomicInteger heard = new AtomicInteger();
      controller.changes().listen("test", heard::incrementAndGet);

      otherProcess.putSettings(Map.of("note", "revoked".getBytes(StandardCharsets.UTF_8))).join();

      assertThat(controller.changes().poll()).isTrue();
      assertThat(controller.changes().poll()).isFalse();
      assertThat(heard).hasValue(1);
    }
  }

  @Test
  void aReportArrivingStoresItsHostsEffectiveLab() throws Exception {
    try (Controller controller = Controller.open(ControllerConfig.builder(dir.resolve("controller.db")).build())) {
      LabRule rule = controller.labRules().add("chemistry", LabRule.Kind.HOSTNAME, "chem-*");
      String hostId = TestReports.newHostId();

      controller.ingestor().ingest(TestReports.fullScan(hostId, "chem-pc-12", Instant.now(), 1, "10.20.3.17"),
          "test").join();
      controller.flushLabs();

      assertThat(controller.store().host(hostId).orElseThrow().effectiveLab())
          .contains(new HostSummary.EffectiveLab("chemistry", "rule", rule.ruleId()));
    }
  }

  @Test
  void aServiceIsMadeOnceAndSharedByEveryAdapter() {
    try (Controller controller = Controller.open(ControllerConfig.builder(dir.resolve("controller.db")).build())) {
      assertThat(controller.fleet()).isSameAs(controller.fleet());
      assertThat(controller.campaigns()).isSameAs(controller.campaigns());
      assertThat(controller.fleet().labRules()).isSameAs(controller.labRules());
    }
  }

  @Test
  void aControllerOverAnOpenStoreLeavesTheStoreOpen() {
    try (Storage store = Storage.open(dir.resolve("controller.db"))) {
      try (Controller controller = Controller.over(store, java.time.Clock.systemUTC())) {
        controller.verdicts();
      }

      assertThat(store.hosts()).isEmpty();
    }
  }

  @Test
  void aConfigurationWithoutADatabaseOrClockIsRefusedNamingTheArgument() {
    assertThatThrownBy(() -> ControllerConfig.builder(null)).hasMessage("database");
    assertThatThrownBy(() -> ControllerConfig.builder(dir.resolve("c.db")).clock(null)).hasMessage("clock");
    assertThatThrownBy(() -> ControllerConfig.builder(dir.resolve("c.db")).alertWebhook(null))
        .hasMessage("alertWebhook");
  }
}
