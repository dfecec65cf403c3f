package io.labscan.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.agent.AgentRuntime;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.inventory.AddressWatch;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.store.ReportEntry;
import io.labscan.proto.v1.ScanKind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A renumbered host tells the controller at once: triage asks who held an address when, and a
 * clean host that sends no mail would otherwise report its new address only at its next scan.
 */
class AddressChangeReportTest {
  @TempDir Path dir;
  private final AtomicReference<Set<String>> addresses = new AtomicReference<>(Set.of("10.20.3.7"));
  private ControllerRuntime controller;
  private AgentRuntime agent;

  @BeforeEach
  void start() {
    controller = ControllerRuntime.start(
        new ControllerRuntime.Options(dir.resolve("c.db"), "127.0.0.1", 0, true), Clock.systemUTC());
    agent = AgentRuntime.builder(AgentConfig.defaults()
        .withController("127.0.0.1:" + controller.grpcPort(), true)
        .withStateDir(dir.resolve("agent"))
        .withScanRoot(dir.resolve("root")), Clock.systemUTC())
        .addresses(new AddressWatch(addresses::get, Duration.ofMillis(200)))
        .start();
  }

  @AfterEach
  void stop() {
    agent.close();
    controller.close();
  }

  private long inventoryReports() {
    return controller.store().reports(agent.hostId(), 50).stream()
        .map(ReportEntry::scanKind).filter(ScanKind.SCAN_KIND_EGRESS.name()::equals).count();
  }

  @Test
  void anAgentReportsItsInventoryWhenItStartsWithoutWaitingForAScan() {
    await().atMost(Duration.ofSeconds(20)).until(() -> inventoryReports() == 1);

    assertThat(controller.store().host(agent.hostId())).hasValueSatisfying(h -> {
      assertThat(h.lastFullScan()).isEmpty();
      assertThat(h.osFamily()).isNotEmpty();
    });
  }

  @Test
  void anAgentReportsItsInventoryAgainWhenItsAddressesChange() {
    await().atMost(Duration.ofSeconds(20)).until(() -> inventoryReports() == 1);

    addresses.set(Set.of("10.20.3.71"));

    await().atMost(Duration.ofSeconds(20)).until(() -> inventoryReports() == 2);
  }

  @Test
  void anAgentWhoseAddressesChangedOpensItsCommandStreamAgain() {
    java.util.concurrent.atomic.AtomicInteger streams = new java.util.concurrent.atomic.AtomicInteger();
    controller.commands().addListener(hostId -> streams.incrementAndGet());
    await().atMost(Duration.ofSeconds(20)).until(() -> controller.commands().connectedHosts().contains(agent.hostId()));
    await().atMost(Duration.ofSeconds(20)).until(() -> inventoryReports() == 1);
    int before = streams.get();

    addresses.set(Set.of("10.20.3.71"));

    await().atMost(Duration.ofSeconds(20)).until(() -> streams.get() > before);
    assertThat(controller.commands().connectedHosts()).contains(agent.hostId());
  }

  @Test
  void unchangedAddressesSendNoFurtherReports() {
    await().atMost(Duration.ofSeconds(20)).until(() -> inventoryReports() == 1);

    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> inventoryReports() == 1);
  }
}
