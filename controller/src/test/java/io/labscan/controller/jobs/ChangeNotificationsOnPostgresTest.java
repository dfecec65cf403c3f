package io.labscan.controller.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.agent.AgentRuntime;
import io.labscan.agent.config.AgentConfig;
import io.labscan.controller.Controller;
import io.labscan.controller.ControllerConfig;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.campaign.Campaign;
import io.labscan.controller.campaign.RunStatus;
import io.labscan.controller.store.postgres.PostgresChangeListener;
import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two controllers on one real PostgreSQL database (issue 20), each with its own pools, lock
 * session and {@code LISTEN} connection, as two {@code serve} processes would have; a real agent
 * is connected to the second one over real gRPC. A change made through the first reaches the
 * agent at once: the fallback poll of both is set to {@link #FALLBACK} (ten minutes), the agent's
 * heartbeat comes every 60 s (the first one a second after it starts) and every wait here ends
 * after {@link #WAIT}, so only the notification can explain an arrival.
 */
class ChangeNotificationsOnPostgresTest {
  static final Duration FALLBACK = Duration.ofMinutes(10);
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private Controller first;
  private Controller second;
  private ControllerRuntime secondRuntime;
  private AgentRuntime agent;

  @BeforeEach
  void twoControllersAndAnAgentOnTheSecond() throws Exception {
    PostgresStorage.database(dir.resolve("fleet"));
    first = controller("first");
    second = controller("second");
    secondRuntime = ControllerRuntime.start(second, new ControllerRuntime.Options(dir.resolve("second"), "127.0.0.1",
        0, true));
    open.add(0, secondRuntime);
    first.startBackgroundJobs();
    second.startBackgroundJobs();
    Path root = dir.resolve("root");
    Files.createDirectories(root.resolve("home"));
    agent = AgentRuntime.start(AgentConfig.defaults()
        .withController("127.0.0.1:" + secondRuntime.grpcPort(), true)
        .withStateDir(dir.resolve("agent"))
        .withScanRoot(root), Clock.systemUTC());
    open.add(0, agent);
    await().atMost(WAIT).until(() -> second.commands().connectedHosts().contains(agent.hostId())
        && first.store().host(agent.hostId()).isPresent());
    await().atMost(WAIT).until(() -> listener(first).listening() && listener(second).listening());
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private Controller controller(String name) {
    Controller c = Controller.open(ControllerConfig.builder(dir.resolve(name)).clock(Clock.systemUTC())
        .changePoll(FALLBACK).build(), PostgresStorage.open(dir.resolve("fleet")));
    open.add(0, c);
    return c;
  }

  private static PostgresChangeListener listener(Controller c) {
    return c.changeNotifications().orElseThrow();
  }

  @Test
  void aScanNowThroughOneControllerReachesAnAgentOfTheOtherWellWithinTheOldPoll() {
    long wokenBefore = second.changes().wokenPolls();

    Campaign now = first.campaigns().create("scan now: every host", Optional.empty(), Optional.empty(), "UTC",
        "it-staff");

    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> delivered(now).isPresent());
    RunStatus run = first.campaigns().runs(now.campaignId(), 1).get(0);
    Duration latency = Duration.between(run.fired(), delivered(now).orElseThrow());
    System.out.println("scan-now: fired on the first controller, sent to the agent by the second after "
        + latency.toMillis() + " ms (fallback poll " + FALLBACK.toMinutes() + " min)");
    assertThat(second.changes().wokenPolls()).as("the second controller polled because it was woken")
        .isGreaterThan(wokenBefore);
  }

  @Test
  void aPolicyChangeThroughOneControllerReachesAnAgentOfTheOtherWellWithinTheOldPoll() {
    long before = agent.policy().getVersion();
    long started = System.nanoTime();

    long version = first.policies().setMailServer(agent.hostId(), true);

    await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> agent.policy().getVersion() >= version);
    System.out.println("policy: changed through the first controller, the agent on the second has it after "
        + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
    assertThat(version).isGreaterThan(before);
    assertThat(agent.policy().getMailServer()).isTrue();
  }

  @Test
  void aRevocationThroughOneControllerWakesTheOtherAtOnce() {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    second.changes().listen("revocations seen", () -> seen.addAll(second.store().revokedHosts()));

    first.store().revoke(agent.hostId(), "stolen laptop", Instant.now()).join();

    await().atMost(WAIT).until(() -> seen.contains(agent.hostId()));
  }

  @Test
  void aNotificationConnectionEndedByTheServerComesBackAndChangesArriveAtOnceAgain() throws Exception {
    int pid = listenerPid(second);

    try (Connection su = PostgresStorage.server().superuser("postgres");
        PreparedStatement ps = su.prepareStatement("SELECT pg_terminate_backend(?)")) {
      ps.setInt(1, pid);
      ps.execute();
    }

    await().atMost(WAIT).until(() -> listener(second).listening() && listenerPid(second) != pid);
    Campaign now = first.campaigns().create("scan now after the reconnect", Optional.empty(), Optional.empty(), "UTC",
        "it-staff");
    await().atMost(WAIT).until(() -> delivered(now).isPresent());
  }

  @Test
  void aForgedNotificationOnlyMakesTheOtherControllersPoll() throws Exception {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    second.changes().listen("revocations seen", () -> seen.addAll(second.store().revokedHosts()));
    long wokenBefore = second.changes().wokenPolls();

    // Any user of the database may NOTIFY, with any payload: it is a wake-up, never an instruction.
    try (Connection db = PostgresStorage.database(dir.resolve("fleet")).connect();
        Statement st = db.createStatement()) {
      st.execute("NOTIFY " + PostgresChangeListener.CHANNEL + ", 'revoke " + agent.hostId() + "'");
    }

    await().atMost(WAIT).until(() -> second.changes().wokenPolls() > wokenBefore);
    assertThat(second.store().revokedHosts()).isEmpty();
    assertThat(seen).isEmpty();
    assertThat(second.commands().connectedHosts()).contains(agent.hostId());
  }

  private Optional<Instant> delivered(Campaign c) {
    List<RunStatus> runs = first.campaigns().runs(c.campaignId(), 1);
    if (runs.isEmpty()) {
      return Optional.empty();
    }
    return runs.get(0).targets().stream().filter(t -> t.hostId().equals(agent.hostId())).findFirst()
        .flatMap(RunStatus.Target::delivered);
  }

  /** The server process of the controller's notification connection (pg_stat_activity). */
  private static int listenerPid(Controller c) throws Exception {
    try (Connection su = PostgresStorage.server().superuser("postgres");
        PreparedStatement ps = su.prepareStatement(
            "SELECT pid FROM pg_stat_activity WHERE application_name = ? ORDER BY backend_start DESC LIMIT 1")) {
      ps.setString(1, PostgresChangeListener.APPLICATION_NAME + " " + c.singletons().instanceId());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : -1;
      }
    }
  }
}
