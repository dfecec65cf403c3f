package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.util.Timestamps;
import io.grpc.Server;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.GrpcChannels;
import io.labscan.controller.grpc.AgentServiceImpl;
import io.labscan.controller.grpc.CommandHub;
import io.labscan.controller.grpc.GrpcServers;
import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.selfwatch.AgentResourceRepository;
import io.labscan.proto.v1.AgentBudgetState;
import io.labscan.proto.v1.AgentResources;
import io.labscan.proto.v1.EnrollRequest;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.HeartbeatResponse;
import io.labscan.testsupport.TestWiring;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's own resource figures travel in its heartbeat over a real gRPC socket, land in the
 * store, and show in the host JSON API (the host page's data) with the fleet's budget and flags.
 */
class AgentResourcesApiTest {
  private static final long MIB = 1024 * 1024;
  @TempDir Path dir;
  DashboardFixture fixture;
  Server grpc;
  ControllerClient agent;
  String hostId = UUID.randomUUID().toString();

  @BeforeEach
  void start() throws Exception {
    fixture = new DashboardFixture(dir);
    PolicyProvider policies = TestWiring.policies(fixture.store, fixture.clock);
    grpc = GrpcServers.plaintext("127.0.0.1", 0, List.of(new AgentServiceImpl(fixture.store, fixture.ingestor,
        policies, new CommandHub(), fixture.clock)));
    agent = new ControllerClient(GrpcChannels.forController("127.0.0.1:" + grpc.getPort(), true));
    agent.enroll(EnrollRequest.newBuilder().setHostId(hostId).setHostname("phys-pc-07").build());
  }

  @AfterEach
  void stop() {
    agent.close();
    grpc.shutdownNow();
    fixture.close();
  }

  private static AgentResources.Builder figures(long rss, double cpuWindow) {
    return AgentResources.newBuilder().setRssBytes(rss).setRssAnonBytes(rss - 22 * MIB).setRssFileBytes(22 * MIB)
        .setCpuPercent(0.4).setCpuPercentWindow(cpuWindow).setThreads(21)
        .setBudgetState(AgentBudgetState.AGENT_BUDGET_STATE_WITHIN).setMemoryBudgetBytes(96 * MIB)
        .setCpuBudgetPercent(2).setMeasured(Timestamps.fromMillis(System.currentTimeMillis()));
  }

  private HeartbeatResponse beat(AgentResources.Builder r) {
    return agent.heartbeat(HeartbeatRequest.newBuilder().setHostId(hostId).setResources(r).build());
  }

  private JsonNode hostJson() throws Exception {
    return new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD)
        .getJson("/api/v1/hosts/" + hostId).get("agentResources");
  }

  @Test
  void aHeartbeatsResourceFiguresLandInTheStoreAndTheHostApi() throws Exception {
    HeartbeatResponse response = beat(figures(71 * MIB, 0.35));

    assertThat(response.getResourcesRefused()).isEmpty();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        new AgentResourceRepository(fixture.store).of(hostId).flatMap(e -> e.figures()).isPresent());
    JsonNode r = hostJson();
    assertThat(r.get("rssBytes").asLong()).isEqualTo(71 * MIB);
    assertThat(r.get("rssAnonBytes").asLong()).isEqualTo(49 * MIB);
    assertThat(r.get("rssFileBytes").asLong()).isEqualTo(22 * MIB);
    assertThat(r.get("cpuPercentWindow").asDouble()).isEqualTo(0.35);
    assertThat(r.get("threads").asInt()).isEqualTo(21);
    assertThat(r.get("budgetState").asText()).isEqualTo("WITHIN");
    assertThat(r.get("memoryBudgetBytes").asLong()).isEqualTo(96 * MIB);
    assertThat(r.get("overBudget").asBoolean()).isFalse();
    assertThat(r.get("flags")).isEmpty();
  }

  @Test
  void anAgentOverTheFleetsMemoryBudgetIsFlaggedNamingTheNumbers() throws Exception {
    beat(figures(130 * MIB, 0.3).setBudgetState(AgentBudgetState.AGENT_BUDGET_STATE_OVER_MEMORY)
        .setMemoryOverMinutes(3));

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        new AgentResourceRepository(fixture.store).of(hostId).flatMap(e -> e.figures()).isPresent());
    JsonNode r = hostJson();
    assertThat(r.get("overBudget").asBoolean()).isTrue();
    assertThat(r.get("flags").get(0).asText()).contains("memory budget").contains("130.0 MiB").contains("96 MiB")
        .contains("3 min");
  }

  @Test
  void figuresWithANaNCpuShareAreRefusedWithTheReasonAndTheHeartbeatStillCounts() throws Exception {
    beat(figures(70 * MIB, 0.3));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        new AgentResourceRepository(fixture.store).of(hostId).flatMap(e -> e.figures()).isPresent());

    HeartbeatResponse response = beat(figures(70 * MIB, Double.NaN));

    assertThat(response.getResourcesRefused()).isEqualTo("resources.cpu_percent_window is not a finite number (NaN)");
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        !new AgentResourceRepository(fixture.store).of(hostId).orElseThrow().refused().isEmpty());
    JsonNode r = hostJson();
    assertThat(r.get("refused").asText()).contains("cpu_percent_window");
    assertThat(r.get("rssBytes").asLong()).isEqualTo(70 * MIB); // the figures accepted before are kept
  }
}
