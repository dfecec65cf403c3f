package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.agent.AgentRuntime;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.config.AgentConfig;
import io.labscan.controller.Controller;
import io.labscan.controller.ControllerConfig;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.account.Role;
import io.labscan.controller.store.Storage;
import io.labscan.testsupport.PostgresStorage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code serve --db postgresql://...} builds, on a real PostgreSQL server: the composition
 * root over PostgreSQL storage, the agent side with real gRPC on a loopback socket, the
 * background jobs and the web server. A real agent reports; the JSON API shows its host.
 */
class ServeOnPostgresTest {
  @TempDir Path dir;
  private Controller controller;
  private ControllerRuntime runtime;
  private Dashboard http;
  private AgentRuntime agent;

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    if (http != null) {
      http.close();
    }
    if (runtime != null) {
      runtime.close();
    }
    if (controller != null) {
      controller.close();
    }
  }

  @Test
  void anAgentsReportsReachTheHostsApiThroughAControllerOnPostgresql() throws Exception {
    Storage storage = PostgresStorage.open(dir.resolve("fleet"));
    assertThat(storage.dialect().name()).isEqualTo("PostgreSQL");
    controller = Controller.open(ControllerConfig.builder(dir.resolve("state")).clock(Clock.systemUTC()).build(),
        storage);
    runtime = ControllerRuntime.start(controller, new ControllerRuntime.Options(dir.resolve("state"), "127.0.0.1", 0,
        true, OptionalInt.empty(), List.of(), io.labscan.controller.grpc.RateLimiter.Rate.reportDefault(),
        64L * 1024 * 1024, Optional.of(dir.resolve("pki"))));
    controller.startBackgroundJobs();
    controller.accounts().add("it-staff", Role.ADMIN, "correct horse battery", false);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    http = Dashboard.start("127.0.0.1", 0, DashboardOptions.defaults(), controller,
        new EngineTriageRunner(controller.complaints()), List.of(), new PrintStream(console, true, StandardCharsets.UTF_8));

    agent = AgentRuntime.start(AgentConfig.defaults()
        .withController("127.0.0.1:" + runtime.grpcPort(), true)
        .withStateDir(dir.resolve("agent-state"))
        .withLab("physics-lab")
        .withScanRoot(dir.resolve("agent-state")), Clock.systemUTC());
    agent.scanNow(ScanPlan.full("test")).orElseThrow().join();
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.awaitDelivered(Duration.ofSeconds(1)));

    ApiClient api = new ApiClient("http://127.0.0.1:" + http.port()).loggedIn("it-staff", "correct horse battery");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode hosts = api.getJson("/api/v1/hosts");
      JsonNode list = hosts.isArray() ? hosts : hosts.path("hosts");
      assertThat(list).hasSize(1);
      assertThat(list.get(0).path("hostId").asText()).isEqualTo(agent.hostId());
      assertThat(list.get(0).path("lab").asText()).isEqualTo("physics-lab");
    });
    assertThat(storage.reportCount()).as("the inventory and the full scan's reports, stored once").isBetween(1L, 2L);
  }
}
