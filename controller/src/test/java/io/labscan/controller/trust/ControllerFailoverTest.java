package io.labscan.controller.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.agent.AgentRuntime;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.config.ControllerAddresses;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.ControllerTargets;
import io.labscan.agent.transport.GrpcChannels;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.proto.v1.Command;
import io.labscan.testsupport.FreezableRelay;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.grpc.RateLimiter;
import io.labscan.controller.store.Store;
import io.labscan.proto.v1.Report;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.UUID;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents fail over (issue 20): an agent configured with two controllers reports to its home one
 * (here the first listed; ControllerTargetsOrderTest in the agent module covers the spread), and
 * when that one dies — stopped at once, or hung with its port silently answering nothing — it is
 * reporting to the second within 60 s, command stream included, and the reports its spool held
 * arrive there. Real controllers on loopback over mutual TLS, on one database folder: they share
 * the CA and the server certificate (pki/ beside the database), as several controllers of one
 * fleet do.
 */
class ControllerFailoverTest {
  /** Issue 20: "the agent reconnects to another controller within 60 s when its controller dies". */
  private static final Duration FAILOVER_BOUND = Duration.ofSeconds(60);

  @TempDir Path dir;
  private SecureController first;
  private SecureController second;
  private AgentRuntime agent;
  private FreezableRelay relay;
  private final Set<String> storedByFirst = ConcurrentHashMap.newKeySet();
  private final Set<String> storedBySecond = ConcurrentHashMap.newKeySet();

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (relay != null) {
      relay.close();
    }
    if (second != null) {
      second.close();
    }
    if (first != null) {
      first.close();
    }
  }

  private void startControllers() {
    first = new SecureController(dir);
    second = new SecureController(dir);
    record(first, storedByFirst);
    record(second, storedBySecond);
  }

  private static void record(SecureController controller, Set<String> stored) {
    controller.runtime.ingestor().addListener((report, outcome, latency) -> {
      if (outcome == Store.IngestOutcome.STORED) {
        stored.add(report.getReportId());
      }
    });
  }

  /**
   * An agent on {@code controllers} whose home (ControllerTargets.forHost: each host has its own
   * order) is the first of them as listed: its host id is chosen so, before it enrols.
   */
  private AgentRuntime startAgent(String controllers, ControllerTargets.Resolver resolver) throws Exception {
    Path state = dir.resolve("agent");
    ControllerTargets targets = new ControllerTargets(ControllerAddresses.parse(controllers), resolver);
    String home = targets.expand().get(0).toString();
    Random ids = new Random(20);
    String hostId;
    do {
      hostId = new UUID(ids.nextLong(), ids.nextLong()).toString();
    } while (!targets.forHost(hostId).expand().get(0).toString().equals(home));
    HostIdentity.adopt(state, hostId);
    first.enrol(state, first.token("physics-lab", 1));
    assertThat(HostIdentity.loadOrCreate(state)).as("the host id enrolment kept").isEqualTo(hostId);
    Files.createDirectories(dir.resolve("root"));
    AgentConfig config = AgentConfig.defaults()
        .withController(controllers, false)
        .withStateDir(state)
        .withScanRoot(dir.resolve("root"));
    return AgentRuntime.builder(config, Clock.systemUTC()).resolver(resolver).start();
  }

  private Report scan() {
    return agent.scanNow(ScanPlan.full("test")).orElseThrow().join();
  }

  /** The agent delivers a report to {@code controller} and listens to its command stream. */
  private void awaitReportingTo(SecureController controller, Set<String> stored, Report report) {
    await().atMost(FAILOVER_BOUND).untilAsserted(() -> {
      assertThat(stored).as("reports stored by this controller").contains(report.getReportId());
      assertThat(controller.runtime.commands().connectedHosts()).as("command streams").contains(agent.hostId());
    });
  }

  @Test
  void anAgentReportsToItsHomeControllerOnly() throws Exception {
    startControllers();
    agent = startAgent(first.agentTarget() + "," + second.agentTarget(), ControllerTargets.Resolver.SYSTEM);

    Report report = scan();

    awaitReportingTo(first, storedByFirst, report);
    assertThat(storedBySecond).isEmpty();
    assertThat(second.runtime.commands().connectedHosts()).doesNotContain(agent.hostId());
  }

  @Test
  void whenItsControllerStopsTheAgentMovesToTheNextWithin60sAndItsSpoolIsDeliveredThere() throws Exception {
    startControllers();
    agent = startAgent(first.agentTarget() + "," + second.agentTarget(), ControllerTargets.Resolver.SYSTEM);
    awaitReportingTo(first, storedByFirst, scan());

    first.runtime.stopServingNow();
    Report unacknowledged = scan();

    awaitReportingTo(second, storedBySecond, unacknowledged);
    assertThat(storedByFirst).doesNotContain(unacknowledged.getReportId());
    await().atMost(FAILOVER_BOUND).until(() -> agent.spooledReports() == 0);
    assertThat(agent.controllerInUse()).isEqualTo(second.agentTarget());
  }

  @Test
  void whenItsControllerHangsWithoutClosingTheConnectionTheAgentMovesToTheNextWithin60s() throws Exception {
    startControllers();
    relay = new FreezableRelay(new InetSocketAddress("127.0.0.1", first.runtime.grpcPort()));
    agent = startAgent(relay.target() + "," + second.agentTarget(), ControllerTargets.Resolver.SYSTEM);
    awaitReportingTo(first, storedByFirst, scan());

    relay.freeze();
    Report unacknowledged = scan();

    awaitReportingTo(second, storedBySecond, unacknowledged);
    assertThat(storedByFirst).doesNotContain(unacknowledged.getReportId());
  }

  /**
   * The worst case of the 60 s bound: no call is made that could time out (no heartbeat, no
   * report), only the command stream is open, and the controller hangs without closing it. gRPC's
   * keepalive (40 s + 10 s) alone must notice it.
   */
  @Test
  void aHungControllerIsLeftWithin60sByKeepaliveWhenOnlyTheCommandStreamIsOpen() throws Exception {
    startControllers();
    relay = new FreezableRelay(new InetSocketAddress("127.0.0.1", first.runtime.grpcPort()));
    Path state = dir.resolve("agent");
    first.enrol(state, first.token("physics-lab", 1));
    AgentCredentials credentials = AgentCredentials.load(state).orElseThrow();
    String hostId = HostIdentity.loadOrCreate(state);
    ControllerTargets targets = new ControllerTargets(List.of(relay.target(), second.agentTarget()),
        ControllerTargets.Resolver.SYSTEM);
    try (ControllerClient client = ControllerClient.failingOver(targets, t -> GrpcChannels.mutualTls(t, credentials))) {
      BlockingQueue<Status> ended = new LinkedBlockingQueue<>();
      client.commands(hostId, endsInto(ended));
      await().atMost(FAILOVER_BOUND).until(() -> first.runtime.commands().connectedHosts().contains(hostId));

      relay.freeze();

      await().atMost(FAILOVER_BOUND).until(() -> client.target().equals(second.agentTarget()));
      assertThat(ended.poll(10, TimeUnit.SECONDS)).extracting(Status::getCode).isEqualTo(Status.Code.UNAVAILABLE);
      client.commands(hostId, endsInto(ended));
      await().atMost(FAILOVER_BOUND).until(() -> second.runtime.commands().connectedHosts().contains(hostId));
    }
  }

  private static StreamObserver<Command> endsInto(BlockingQueue<Status> ended) {
    return new StreamObserver<>() {
      @Override
      public void onNext(Command command) {}

      @Override
      public void onError(Throwable t) {
        ended.add(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended.add(Status.OK);
      }
    };
  }

  @Test
  void aNameWithTwoAddressesIsTwoControllersEachVerifiedForThatName() throws Exception {
    String name = "controllers.labscan.test";
    first = new SecureController(dir, options("127.0.0.1", 0, name), Clock.systemUTC());
    int port = first.runtime.grpcPort();
    second = new SecureController(dir, options("127.0.0.2", port, name), Clock.systemUTC());
    record(first, storedByFirst);
    record(second, storedBySecond);
    ControllerTargets.Resolver dns = host -> {
      if (!host.equals(name)) {
        throw new UnknownHostException(host);
      }
      return new InetAddress[] {InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2")};
    };
    agent = startAgent(name + ":" + port, dns);
    awaitReportingTo(first, storedByFirst, scan());

    first.runtime.stopServingNow();
    Report unacknowledged = scan();

    awaitReportingTo(second, storedBySecond, unacknowledged);
    assertThat(agent.controllerInUse()).isEqualTo(name + ":" + port + " (127.0.0.2)");
  }

  private ControllerRuntime.Options options(String bind, int port, String tlsName) {
    return new ControllerRuntime.Options(dir.resolve("controller.db"), bind, port, false, OptionalInt.empty(),
        List.of(tlsName), RateLimiter.Rate.reportDefault());
  }
}
