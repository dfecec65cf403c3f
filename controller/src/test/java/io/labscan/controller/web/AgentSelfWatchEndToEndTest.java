package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.agent.AgentRuntime;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.selfwatch.SelfUsage;
import io.labscan.agent.selfwatch.SelfUsageMeter;
import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.transport.Enrolment;
import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.account.Role;
import io.labscan.controller.cli.ControllerMain;
import io.labscan.controller.trust.EnrolmentTokens;
import io.labscan.testsupport.MutableClock;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent watching itself, end to end (issue 21): real agent runtimes, enrolled with a real
 * controller and reporting over gRPC with mutual TLS on loopback, send what they measured of
 * themselves with their heartbeats; the controller stores it in its SQLite file and shows it on
 * the host JSON ({@code agentResources}), in the lab figures and in {@code /metrics}, served by
 * the real dashboard over HTTP. Only the meter is scripted ({@link ScriptedMeter}): the sizes a
 * test needs cannot be made to happen in a test JVM, and they must be exact to be asserted.
 */
class AgentSelfWatchEndToEndTest {
  private static final long MIB = 1024 * 1024;
  private static final String LAB = "physics-lab";
  private static final String ADMIN = "it-staff";
  private static final String PASSWORD = "correct horse battery";
  /** Heartbeats come once a minute; a state change brings one forward (SelfWatch.Actions#report). */
  private static final Duration REPORTED = Duration.ofSeconds(60);

  @TempDir Path dir;
  private ControllerRuntime controller;
  private Dashboard dashboard;
  private ApiClient api;
  private final List<AgentRuntime> agents = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    controller = ControllerRuntime.start(new ControllerRuntime.Options(dir.resolve("controller.db"), "127.0.0.1", 0,
        false), Clock.systemUTC());
    controller.controller().accounts().add(ADMIN, Role.ADMIN, PASSWORD, false);
    dashboard = Dashboard.start("127.0.0.1", 0, DashboardOptions.defaults(), controller.controller(),
        message -> {
          throw new TriageRunner.NotAMailMessage("no triage in this test");
        }, List.of(), new PrintStream(OutputStream.nullOutputStream()));
    api = new ApiClient("http://127.0.0.1:" + dashboard.port()).loggedIn(ADMIN, PASSWORD);
  }

  @AfterEach
  void stop() {
    agents.forEach(AgentRuntime::close);
    if (dashboard != null) {
      dashboard.close();
    }
    if (controller != null) {
      controller.close();
    }
  }

  /**
   * The readings an agent takes of itself, scripted: a resident size (49 MiB anonymous + the
   * rest file-backed, like a JVM's), CPU time growing by a set amount each reading, and, when a
   * clock is given, a minute of that clock passing per reading (the budget's five-minute window
   * passes in a second).
   */
  static final class ScriptedMeter implements SelfUsageMeter {
    final AtomicLong rss;
    final AtomicReference<Duration> cpuPerReading = new AtomicReference<>(Duration.ZERO);
    private final MutableClock clock;
    private Duration cpu = Duration.ZERO;

    ScriptedMeter(long rssBytes, MutableClock clock) {
      this.rss = new AtomicLong(rssBytes);
      this.clock = clock;
    }

    @Override
    public synchronized SelfUsage measure() {
      if (clock != null) {
        clock.advance(Duration.ofMinutes(1));
      }
      cpu = cpu.plus(cpuPerReading.get());
      long size = rss.get();
      return new SelfUsage(size, OptionalLong.of(49 * MIB), OptionalLong.of(size - 49 * MIB), cpu, 23);
    }
  }

  /** Enrols a machine of the physics lab and starts its agent, reading itself with {@code meter}. */
  private AgentRuntime agent(String name, ScriptedMeter meter, Clock clock) throws Exception {
    Path state = dir.resolve(name);
    Files.createDirectories(dir.resolve(name + "-root"));
    EnrolmentToken token = new EnrolmentTokens(controller.store(),
        controller.certificateAuthority().orElseThrow().fingerprint()).issue(LAB, Duration.ofHours(1), 1, Instant.now());
    Enrolment.enroll("127.0.0.1:" + controller.enrollPort().orElseThrow(), token, HostIdentity.loadOrCreate(state),
        name, "test", state);
    AgentConfig config = AgentConfig.defaults().withController("127.0.0.1:" + controller.grpcPort(), false)
        .withStateDir(state).withScanRoot(dir.resolve(name + "-root")).withLab(LAB);
    AgentRuntime agent = AgentRuntime.builder(config, clock).selfUsage(meter)
        .selfWatchPeriod(Duration.ofMillis(200)).start();
    agents.add(agent);
    return agent;
  }

  private JsonNode resourcesOf(AgentRuntime agent) throws Exception {
    return api.getJson("/api/v1/hosts/" + agent.hostId()).path("agentResources");
  }

  private JsonNode labFigures() throws Exception {
    for (JsonNode lab : api.getJson("/api/v1/labs")) {
      if (lab.path("lab").asText().equals(LAB)) {
        return lab.path("agentResources");
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  /** The value of one series in the Prometheus text of {@code /metrics}, if it is there. */
  private OptionalDouble metric(String series) throws Exception {
    var r = api.get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    for (String line : r.body().split("\n")) {
      if (line.startsWith(series + " ")) {
        return OptionalDouble.of(Double.parseDouble(line.substring(series.length() + 1).strip()));
      }
    }
    return OptionalDouble.empty();
  }

  @Test
  void whatAnAgentMeasuredOfItselfReachesTheHostPageAndTheMetricsThroughItsHeartbeat() throws Exception {
    AgentRuntime pc = agent("lab-pc-07", new ScriptedMeter(71 * MIB, null), Clock.systemUTC());

    await().atMost(REPORTED).until(() -> resourcesOf(pc).has("rssBytes"));

    JsonNode r = resourcesOf(pc);
    assertThat(r.get("rssBytes").asLong()).isEqualTo(71 * MIB);
    assertThat(r.get("rssAnonBytes").asLong()).isEqualTo(49 * MIB);
    assertThat(r.get("rssFileBytes").asLong()).isEqualTo(22 * MIB);
    assertThat(r.get("threads").asInt()).isEqualTo(23);
    assertThat(r.get("cpuPercentWindow").asDouble()).isZero();
    assertThat(r.get("budgetState").asText()).isEqualTo("WITHIN");
    assertThat(r.get("appliedMemoryBudgetBytes").asLong()).as("the agent's own budget: the default").isEqualTo(96 * MIB);
    assertThat(r.get("appliedCpuBudgetPercent").asDouble()).isEqualTo(2.0);
    assertThat(r.get("overBudget").asBoolean()).isFalse();
    assertThat(metric("labscan_agent_rss_bytes{lab=\"" + LAB + "\",stat=\"max\"}")).hasValue(71.0 * MIB);
    assertThat(metric("labscan_agents_reporting_resources{lab=\"" + LAB + "\"}")).hasValue(1.0);
    assertThat(metric("labscan_agents_over_budget{lab=\"" + LAB + "\"}")).hasValue(0.0);
  }

  @Test
  void anAgentOverItsMemoryBudgetIsFlaggedOnItsHostAndCountedInItsLabsFigures() throws Exception {
    AgentRuntime lean = agent("lab-pc-07", new ScriptedMeter(71 * MIB, null), Clock.systemUTC());
    AgentRuntime leaking = agent("lab-pc-08", new ScriptedMeter(130 * MIB, null), Clock.systemUTC());

    await().atMost(REPORTED).until(() -> resourcesOf(lean).has("rssBytes") && resourcesOf(leaking).has("rssBytes"));

    JsonNode over = resourcesOf(leaking);
    assertThat(over.get("budgetState").asText()).as("the agent's own word").isEqualTo("OVER_MEMORY");
    assertThat(over.get("overBudget").asBoolean()).isTrue();
    assertThat(over.get("flags").get(0).asText()).contains("memory budget").contains("130.0 MiB").contains("96 MiB");
    assertThat(resourcesOf(lean).get("overBudget").asBoolean()).isFalse();
    JsonNode lab = labFigures();
    assertThat(lab.get("agents").asInt()).isEqualTo(2);
    assertThat(lab.get("rssMaxBytes").asLong()).isEqualTo(130 * MIB);
    assertThat(lab.get("rssMedianBytes").asLong()).isBetween(71 * MIB, 130 * MIB);
    assertThat(lab.get("overBudget").asInt()).isEqualTo(1);
    assertThat(metric("labscan_agents_over_budget{lab=\"" + LAB + "\"}")).hasValue(1.0);
    assertThat(metric("labscan_agent_rss_bytes{lab=\"" + LAB + "\",stat=\"max\"}")).hasValue(130.0 * MIB);
  }

  @Test
  void aBudgetSetWithThePolicyCommandReachesTheAgentWhichThenJudgesItselfByIt() throws Exception {
    AgentRuntime pc = agent("lab-pc-07", new ScriptedMeter(71 * MIB, null), Clock.systemUTC());
    await().atMost(REPORTED).until(() -> resourcesOf(pc).path("budgetState").asText().equals("WITHIN"));

    assertThat(ControllerMain.commandLine().execute("policy", "--db", dir.resolve("controller.db").toString(),
        "--agent-memory-budget", "64MiB", "--agent-cpu-budget", "1.5%")).isZero();

    await().atMost(REPORTED).until(() -> pc.policy().getAgentMemoryBudgetBytes() == 64 * MIB);
    assertThat(pc.policy().getAgentCpuBudgetPercent()).isEqualTo(1.5);
    await().atMost(REPORTED).until(() -> resourcesOf(pc).path("budgetState").asText().equals("OVER_MEMORY"));
    JsonNode r = resourcesOf(pc);
    assertThat(r.get("appliedMemoryBudgetBytes").asLong()).isEqualTo(64 * MIB);
    assertThat(r.get("appliedCpuBudgetPercent").asDouble()).isEqualTo(1.5);
    assertThat(r.get("memoryBudgetBytes").asLong()).as("the fleet's").isEqualTo(64 * MIB);
    assertThat(r.get("flags").get(0).asText()).contains("71.0 MiB").contains("64 MiB");
  }

  @Test
  void anAgentOverItsCpuBudgetReportsItsSlowDownAndLaterItsReturnToNormalPace() throws Exception {
    // The agent's clock: noon today, a minute further at each reading (the CPU window is 5 minutes).
    MutableClock agentClock = new MutableClock(LocalDate.now(ZoneOffset.UTC).atTime(12, 0).toInstant(ZoneOffset.UTC));
    ScriptedMeter meter = new ScriptedMeter(71 * MIB, agentClock);
    meter.cpuPerReading.set(Duration.ofSeconds(6)); // 10 % of a core: five times the 2 % budget
    AgentRuntime pc = agent("lab-pc-07", meter, agentClock);

    await().atMost(REPORTED).until(() -> resourcesOf(pc).path("budgetState").asText().equals("CPU_SLOWED"));
    JsonNode slowed = resourcesOf(pc);
    assertThat(slowed.get("cpuPercentWindow").asDouble()).isGreaterThan(2.0);
    assertThat(slowed.get("overBudget").asBoolean()).isTrue();
    assertThat(slowed.get("flags").toString()).containsIgnoringCase("cpu");

    meter.cpuPerReading.set(Duration.ZERO);

    await().atMost(REPORTED).until(() -> resourcesOf(pc).path("budgetState").asText().equals("WITHIN"));
    JsonNode normal = resourcesOf(pc);
    assertThat(normal.get("cpuPercentWindow").asDouble()).isLessThanOrEqualTo(1.0);
    assertThat(normal.get("overBudget").asBoolean()).isFalse();
  }
}
