package io.labscan.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.agent.AgentRuntime;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.config.AgentConfig;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.Command;
import io.labscan.proto.v1.ScanKind;
import io.labscan.proto.v1.ScanNow;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real agent and a real controller talking gRPC over a loopback socket into an SQLite file. */
class AgentReportsOverGrpcTest {
  @TempDir Path dir;
  private ControllerRuntime controller;
  private AgentRuntime agent;

  @BeforeEach
  void startController() {
    controller = ControllerRuntime.start(
        new ControllerRuntime.Options(dir.resolve("controller.db"), "127.0.0.1", 0, true), Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    controller.close();
  }

  /** Full-scan reports stored for the agent (it also sends an inventory report when it starts). */
  private long fullScanReports() {
    return controller.store().reports(agent.hostId(), 50).stream()
        .filter(r -> r.scanKind().equals(ScanKind.SCAN_KIND_FULL.name())).count();
  }

  private AgentRuntime startAgent(Path root) {
    AgentConfig config = AgentConfig.defaults()
        .withController("127.0.0.1:" + controller.grpcPort(), true)
        .withStateDir(dir.resolve("agent-state"))
        .withLab("physics-lab")
        .withScanRoot(root);
    return AgentRuntime.start(config, Clock.systemUTC());
  }

  @Test
  void scanReportLandsInTheControllersSqliteFile() throws Exception {
    agent = startAgent(dir);
    agent.scanNow(ScanPlan.full("test")).orElseThrow().join();

    await().atMost(Duration.ofSeconds(20)).until(() -> fullScanReports() == 1);
    controller.close();
    try (Storage reopened = Storage.open(dir.resolve("controller.db"))) {
      List<HostSummary> hosts = reopened.hosts();
      assertThat(hosts).singleElement().satisfies(h -> {
        assertThat(h.hostId()).isEqualTo(agent.hostId());
        assertThat(h.lab()).isEqualTo("physics-lab");
        assertThat(h.osFamily()).isEqualTo("linux");
        assertThat(h.lastFullScan()).isPresent();
      });
    }
    controller = ControllerRuntime.start(
        new ControllerRuntime.Options(dir.resolve("controller.db"), "127.0.0.1", 0, true), Clock.systemUTC());
  }

  @Test
  void agentReceivesPolicyWithFleetKeyAtEnrolment() {
    agent = startAgent(dir);
    await().atMost(Duration.ofSeconds(20)).until(() -> agent.policy().getVersion() == 1);
    assertThat(agent.policy().getHarvestKey().size()).isEqualTo(32);
    assertThat(agent.policy().getHarvestKeyId()).hasSize(16);
  }

  @Test
  void scanNowPushedOnTheCommandStreamProducesAReport() {
    agent = startAgent(dir);
    await().atMost(Duration.ofSeconds(20))
        .until(() -> controller.commands().connectedHosts().contains(agent.hostId()));

    boolean sent = controller.commands().send(agent.hostId(), Command.newBuilder()
        .setCommandId(UUID.randomUUID().toString())
        .setScanNow(ScanNow.newBuilder().setKind(ScanKind.SCAN_KIND_FULL))
        .build());

    assertThat(sent).isTrue();
    await().atMost(Duration.ofSeconds(20)).until(() -> fullScanReports() == 1);
  }

  @Test
  void reportsSpooledWhileTheControllerIsDownArriveWhenItReturns() throws Exception {
    int port = controller.grpcPort();
    controller.close();
    AgentConfig config = AgentConfig.defaults()
        .withController("127.0.0.1:" + port, true)
        .withStateDir(dir.resolve("agent-state"))
        .withScanRoot(dir);
    agent = AgentRuntime.start(config, Clock.systemUTC());
    agent.scanNow(ScanPlan.full("test")).orElseThrow().join();
    long spooled = agent.spooledReports();
    assertThat(spooled).as("the scan's report, and the inventory report of the start when it was due")
        .isBetween(1L, 2L);

    controller = ControllerRuntime.start(
        new ControllerRuntime.Options(dir.resolve("controller.db"), "127.0.0.1", port, true), Clock.systemUTC());

    assertThat(agent.awaitDelivered(Duration.ofSeconds(30))).isTrue();
    assertThat(controller.store().reportCount()).isGreaterThanOrEqualTo(spooled);
    assertThat(fullScanReports()).isEqualTo(1);
  }
}
