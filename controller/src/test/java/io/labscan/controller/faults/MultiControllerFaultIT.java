package io.labscan.controller.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.controller.account.ApiTokens;
import io.labscan.controller.account.Role;
import io.labscan.controller.store.Storage;
import io.labscan.controller.trust.CertificateAuthority;
import io.labscan.controller.trust.EnrolmentTokens;
import io.labscan.proto.v1.Command;
import io.labscan.testsupport.PostgresServer;
import io.labscan.testsupport.PostgresStorage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: "Three controllers on one PostgreSQL, 200 enrolled agents reporting; kill -9 one
 * controller, then another; every acknowledged report stored exactly once, every agent
 * reconnected within 60 s, a 'scan now' issued on controller 1 reaches an agent connected to
 * controller 3, a singleton job continues on a survivor. Also: PostgreSQL restarted under load (controllers answer UNAVAILABLE,
 * agents keep their reports, nothing lost)." While the database is down every report call is
 * answered promptly (no DEADLINE_EXCEEDED), with the trailer {@code labscan-unavailable: database},
 * and the agents keep their controllers: the fleet is spread as before once the database is back.
 *
 * <p>Real parts only: a real PostgreSQL 15 ({@link PostgresServer}), three real controllers
 * ({@code java -jar labscan-controller.jar serve --db postgresql://...}, each a JVM of its own,
 * killed with SIGKILL), and 200 agents in this JVM running the agent's own enrolment, failover
 * client ({@code ControllerClient.failingOver}), spool, report sender and command listener over
 * mutual TLS ({@link LiteAgent}). The controllers share the key material the way
 * docs/SECURITY.md ("Several controllers") says to: controller 1 creates the CA and the server
 * certificate in its {@code --pki-dir} at first start, and the other two get a copy of those four
 * files in a {@code --pki-dir} of their own.
 *
 * <p>Every agent is configured with all three controllers (machine {@code n}'s list written
 * starting at controller {@code n mod 3}). Which controller an agent uses first no longer depends
 * on how the list is written: the agent ranks the controllers by rendezvous hashing of its host id
 * ({@code ControllerTargets}), so the fleet spreads over all three by itself, and the first test
 * checks that each controller has agents.
 *
 * <p>The steps build on each other (one fleet, one database: enrolling 200 agents and starting
 * three controllers is most of the cost), so the tests run in order; the last one checks the
 * property the whole class is about: every report produced, acknowledged or not, is in the
 * database exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiControllerFaultIT {
  private static final int AGENTS = 200;
  private static final int CONTROLLERS = 3;
  /** Issue 20: every agent reconnected within this time of its controller's death. */
  private static final Duration RECONNECT_LIMIT = Duration.ofSeconds(60);
  /** Every 25th machine is infected: its reports carry Klez findings. */
  private static final IntUnaryOperator KLEZ_ON_EVERY_25TH = n -> n % 25 == 0 ? 3 : 0;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A job that runs on one controller at a time (SingletonLocks.VERDICT_SWEEPS), as /metrics names it. */
  private static final String SINGLETON_JOB = "verdict sweeps";
  /** How often every agent reports while PostgreSQL restarts (a scan every 2 s: load, not a flood). */
  private static final Duration LOAD_PERIOD = Duration.ofSeconds(2);

  @TempDir static Path dir;
  private PostgresServer postgres;
  private PostgresServer.TestDatabase database;
  private final List<ControllerProcess> controllers = new ArrayList<>();
  private ScratchDir agentsDir;
  private AgentFleet fleet;
  private String apiToken;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final long started = System.nanoTime();
  /** Agents per controller just before PostgreSQL is stopped (test 3). */
  private Map<String, Long> spreadBeforeOutage = Map.of();
  /** DEADLINE_EXCEEDED report calls before PostgreSQL is stopped (test 3). */
  private long deadlinesBefore;

  @BeforeAll
  void threeControllersOnOnePostgresqlAndTwoHundredAgents() throws Exception {
    postgres = PostgresServer.start();
    database = postgres.createDatabase();
    Path passwordFile = dir.resolve("db.pw");
    Files.writeString(passwordFile, database.password() + "\n");
    Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
    String url = "postgresql://" + database.user() + "@" + database.host() + ":" + database.port() + "/"
        + database.name() + "?sslmode=disable";
    for (int i = 1; i <= CONTROLLERS; i++) {
      Path pki = Files.createDirectories(dir.resolve("controller-" + i).resolve("pki"));
      controllers.add(ControllerProcess.onPostgres(url, passwordFile, pki,
          ControllerProcess.logFor("MultiControllerFaultIT-controller-" + i)));
    }
    // Controller 1 migrates the database and creates the CA and server certificate; the others get
    // a copy of the folder, as docs/SECURITY.md ("Several controllers") says to distribute it.
    Path firstPki = dir.resolve("controller-1").resolve("pki");
    controllers.get(0).start(); // with its web UI: the scan now is asked for there
    for (int i = 2; i <= CONTROLLERS; i++) {
      Path pki = dir.resolve("controller-" + i).resolve("pki");
      for (String file : List.of("ca.crt", "ca.key", "server.crt", "server.key")) {
        Files.copy(firstPki.resolve(file), pki.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    CompletableFuture.allOf(controllers.subList(1, CONTROLLERS).stream()
        .map(c -> CompletableFuture.runAsync(c::startAgentPorts)).toArray(CompletableFuture[]::new)).join();

    // What an administrator does once: an enrolment token for the fleet and an API token.
    EnrolmentToken token;
    try (Storage store = Storage.open(PostgresStorage.url(database), PostgresStorage.credentials(database),
        Clock.systemUTC())) {
      Clock clock = Clock.systemUTC();
      CertificateAuthority ca = CertificateAuthority.loadOrCreate(firstPki, clock);
      // Twice the uses: an enrolment retried after a lost answer spends a use again (the
      // controller had completed the first one), and a loaded machine loses answers.
      token = new EnrolmentTokens(store, ca.fingerprint()).issue("physics-lab", Duration.ofHours(1), 2 * AGENTS,
          clock.instant());
      apiToken = new ApiTokens(store, clock).create("fault test", Role.ADMIN, Set.of(), Duration.ofHours(2),
          "fault-test").secret();
    }
    List<String> targets = controllers.stream().map(ControllerProcess::agentTarget).toList();
    agentsDir = ScratchDir.inMemory("labscan-agents");
    long enrolling = System.nanoTime();
    fleet = AgentFleet.enrolFailingOver(AGENTS, agentsDir.path(), token, controllers.get(0).enrolTarget(),
        n -> rotated(targets, n % CONTROLLERS));
    System.out.printf("%d agents enrolled in %d ms%n", AGENTS, millisSince(enrolling));
    fleet.startHeartbeats(Duration.ofSeconds(3));
  }

  @AfterAll
  void stopEverything() throws Exception {
    try {
      if (fleet != null) {
        fleet.close();
      }
      if (agentsDir != null) {
        agentsDir.close();
      }
    } finally {
      controllers.forEach(ControllerProcess::close);
      if (postgres != null) {
        postgres.close();
      }
      System.out.printf("MultiControllerFaultIT took %d s%n", millisSince(started) / 1000);
    }
  }

  @Test
  @Order(1)
  void theFleetReportsThroughAllThreeControllers() {
    fleet.reportRound(KLEZ_ON_EVERY_25TH);
    fleet.awaitDrained(Duration.ofSeconds(90));

    Map<String, Long> perController = agentsPerController();
    System.out.println("agents per controller: " + perController);
    for (ControllerProcess c : controllers) {
      assertThat(perController.getOrDefault(c.agentTarget(), 0L)).as("agents reporting to " + c.agentTarget())
          .isPositive();
    }
  }

  @Test
  @Order(2)
  void aScanNowIssuedOnControllerOneReachesTheAgentsConnectedToControllerThree() throws Exception {
    ControllerProcess third = controllers.get(2);
    List<LiteAgent> onThird = fleet.agents().stream().filter(a -> a.controller().equals(third.agentTarget()))
        .toList();
    assertThat(onThird).as("agents connected to controller 3").isNotEmpty();

    long issued = System.nanoTime();
    HttpResponse<String> created = http.send(HttpRequest.newBuilder(
            URI.create(controllers.get(0).httpBase() + "/api/v1/campaigns"))
        .header("Authorization", "Bearer " + apiToken)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"fault test: scan now\"}"))
        .timeout(Duration.ofSeconds(30))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as("POST /api/v1/campaigns on controller 1: " + created.body()).isEqualTo(201);
    String campaignId = JSON.readTree(created.body()).path("campaignId").asText();

    await("the scan-now command on every agent of controller 3").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> onThird.stream().allMatch(a -> scanNowsOf(a, campaignId) >= 1));
    System.out.printf("scan now from controller 1 reached all %d agents on controller 3 in %d ms%n", onThird.size(),
        millisSince(issued));
    await("the scan-now command on every agent").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> fleet.agents().stream().allMatch(a -> scanNowsOf(a, campaignId) >= 1));
    assertThat(fleet.agents().stream().filter(a -> scanNowsOf(a, campaignId) > 1).map(LiteAgent::number).toList())
        .as("agents that got the command more than once").isEmpty();
  }

  @Test
  @Order(3)
  void whilePostgresqlRestartsUnderLoadTheControllersAnswerUnavailableAndTheAgentsKeepTheirReports()
      throws Exception {
    // Load: every agent reports every LOAD_PERIOD, before, during and after the outage.
    ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
    load.scheduleWithFixedDelay(() -> fleet.reportRound(KLEZ_ON_EVERY_25TH), 0, LOAD_PERIOD.toMillis(),
        TimeUnit.MILLISECONDS);
    try {
      long acksBefore = fleet.ledger().acks();
      await("reports streaming in").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
          .until(() -> fleet.ledger().acks() >= acksBefore + AGENTS / 2);
      spreadBeforeOutage = agentsPerController();
      deadlinesBefore = fleet.ledger().refusals(Status.Code.DEADLINE_EXCEEDED);
      long unavailableBefore = fleet.ledger().refusals(Status.Code.UNAVAILABLE);
      long databaseRefusalsBefore = fleet.ledger().databaseRefusals();
      long stopping = System.nanoTime();
      postgres.stop();
      System.out.printf("PostgreSQL stopped in %d ms%n", millisSince(stopping));

      await("controllers answering UNAVAILABLE").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> fleet.ledger().refusals(Status.Code.UNAVAILABLE) > unavailableBefore + AGENTS / 2);
      assertThat(fleet.ledger().databaseRefusals()).as("refusals saying 'labscan-unavailable: database'")
          .isGreaterThan(databaseRefusalsBefore);
      long spooledWhileDown = fleet.spooled();
      assertThat(spooledWhileDown).as("reports waiting in the agents' spools while the database is down")
          .isPositive();
      for (ControllerProcess c : controllers) {
        assertThat(c.isRunning()).as(c.agentTarget() + " still running without its database").isTrue();
      }

      long restarting = System.nanoTime();
      postgres.restart();
      System.out.printf("PostgreSQL back after %d ms; %d reports were spooled while it was down%n",
          millisSince(restarting), spooledWhileDown);
    } finally {
      load.shutdown();
      assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).as("the load stopped").isTrue();
    }
    fleet.awaitDrained(Duration.ofSeconds(120));
    DeliveryLedger ledger = fleet.ledger();
    System.out.println("after the database restart: " + ledger);
    // The writer fails fast while the database is down (WriteQueue's circuit, a short connection
    // timeout): every report call is answered, UNAVAILABLE, well inside the agent's 30 s deadline.
    System.out.printf("report calls that hit the 30 s deadline while the database was down: %d; "
        + "refused with 'labscan-unavailable: database': %d%n",
        ledger.refusals(Status.Code.DEADLINE_EXCEEDED) - deadlinesBefore, ledger.databaseRefusals());
    assertThat(ledger.refusals(Status.Code.DEADLINE_EXCEEDED) - deadlinesBefore)
        .as("report calls without an answer within the agent's deadline (DEADLINE_EXCEEDED)").isZero();
    assertThat(ledger.refusalDescriptions()).as("refusals other than UNAVAILABLE (INTERNAL, UNKNOWN...)")
        .allMatch(d -> d.startsWith("UNAVAILABLE") || d.startsWith("DEADLINE_EXCEEDED")); // deadlines: just above
    // The controllers refused because their shared database was down, and said so: the agents kept
    // their controllers (no hopping), so the fleet is spread as it was before the outage.
    Map<String, Long> spreadAfter = agentsPerController();
    System.out.println("agents per controller before the outage: " + spreadBeforeOutage + ", after: " + spreadAfter);
    for (ControllerProcess c : controllers) {
      assertThat(spreadAfter.getOrDefault(c.agentTarget(), 0L)).as("agents on " + c.agentTarget()
          + " after the database restart (at least 25 %)").isGreaterThanOrEqualTo(AGENTS / 4);
    }
    try (Connection db = database.connect()) {
      assertThat(StoredReports.read(db).duplicateReportIds()).isEmpty();
    }
  }

  @Test
  @Order(4)
  void exactlyOneControllerRunsTheVerdictSweeps() {
    await("one holder of '" + SINGLETON_JOB + "'").atMost(RECONNECT_LIMIT).pollInterval(Duration.ofMillis(500))
        .until(() -> holders(SINGLETON_JOB).size() == 1);
    System.out.println("'" + SINGLETON_JOB + "' runs on " + holders(SINGLETON_JOB));
  }

  @Test
  @Order(5)
  void killingTwoControllersOneAfterTheOtherLosesNothingAndEveryAgentReportsToTheSurvivorWithinAMinute()
      throws Exception {
    for (int kill = 1; kill <= 2; kill++) {
      // The victim is the controller running the once-only job: a survivor must take it over.
      List<ControllerProcess> holding = holders(SINGLETON_JOB);
      assertThat(holding).as("controllers holding '" + SINGLETON_JOB + "'").hasSize(1);
      ControllerProcess victim = holding.get(0);
      DeliveryLedger ledger = fleet.ledger();
      long acksBefore = ledger.acks();
      CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> fleet.reportRound(KLEZ_ON_EVERY_25TH));
      await("reports streaming in").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
          .until(() -> ledger.acks() >= acksBefore + AGENTS / 2);
      long inFlight = fleet.spooled();
      long killed = System.nanoTime();
      assertThat(victim.kill()).as("exit status of a SIGKILLed controller").isEqualTo(ControllerProcess.KILLED);
      producing.join();
      // Every agent has something to deliver after the kill: delivering it proves it reconnected.
      fleet.reportRound(KLEZ_ON_EVERY_25TH);
      await("every agent delivering to a survivor").atMost(RECONNECT_LIMIT).pollInterval(Duration.ofMillis(100))
          .until(() -> fleet.spooled() == 0
              && fleet.agents().stream().noneMatch(a -> a.controller().equals(victim.agentTarget())));
      System.out.printf("killed %s with %d reports in flight: every agent delivered to a survivor %d ms later; "
          + "agents per controller now %s%n", victim.agentTarget(), inFlight, millisSince(killed),
          agentsPerController());
      await("a survivor running '" + SINGLETON_JOB + "'").atMost(RECONNECT_LIMIT).pollInterval(Duration.ofMillis(250))
          .until(() -> holders(SINGLETON_JOB).size() == 1);
      System.out.printf("'%s' taken over by %s %d ms after the kill%n", SINGLETON_JOB,
          holders(SINGLETON_JOB).get(0).agentTarget(), millisSince(killed));
    }
    ControllerProcess survivor = controllers.stream().filter(ControllerProcess::isRunning).findFirst().orElseThrow();
    fleet.reportRound(KLEZ_ON_EVERY_25TH);
    fleet.awaitDrained(Duration.ofSeconds(60));
    // The last survivor is killed too: what was acknowledged must be in the database already.
    assertThat(survivor.kill()).isEqualTo(ControllerProcess.KILLED);

    DeliveryLedger ledger = fleet.ledger();
    System.out.println("done: " + ledger);
    try (Connection db = database.connect()) {
      ExactlyOnce.verify(StoredReports.read(db), ledger, AGENTS);
    }
  }

  /**
   * The running controllers whose {@code /metrics} say they hold {@code job}'s lock now
   * ({@code labscan_singleton_job_held{job="..."} 1}); a controller that does not answer holds nothing.
   */
  private List<ControllerProcess> holders(String job) {
    String series = "labscan_singleton_job_held{job=\"" + job + "\"}";
    List<ControllerProcess> out = new ArrayList<>();
    for (ControllerProcess c : controllers) {
      if (!c.isRunning()) {
        continue;
      }
      try {
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(c.httpBase() + "/metrics"))
            .header("Authorization", "Bearer " + apiToken).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (metrics.statusCode() == 200 && metrics.body().lines()
            .anyMatch(l -> l.startsWith(series + " ") && Double.parseDouble(l.substring(series.length()).strip()) == 1)) {
          out.add(c);
        }
      } catch (java.io.IOException e) {
        // Not answering (its web UI still starting, or too busy): not a holder we can see.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  private Map<String, Long> agentsPerController() {
    return fleet.agents().stream().collect(Collectors.groupingBy(LiteAgent::controller, LinkedHashMap::new,
        Collectors.counting()));
  }

  private static long scanNowsOf(LiteAgent agent, String campaignId) {
    return agent.commands().stream().filter(Command::hasScanNow)
        .filter(c -> c.getScanNow().getCampaignId().equals(campaignId)).count();
  }

  private static List<String> rotated(List<String> list, int by) {
    List<String> out = new ArrayList<>(list.subList(by, list.size()));
    out.addAll(list.subList(0, by));
    return List.copyOf(out);
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
