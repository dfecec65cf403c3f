package io.labscan.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.Timestamps;
import io.grpc.stub.StreamObserver;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.GrpcChannels;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.TestReports;
import io.labscan.controller.cli.ControllerMain;
import io.labscan.controller.quarantine.Quarantines;
import io.labscan.proto.v1.BlockedSmtpAttempt;
import io.labscan.proto.v1.Command;
import io.labscan.proto.v1.EnrollRequest;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.QuarantineEnforcement;
import io.labscan.proto.v1.QuarantineStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quarantine ordered on the command line reaches a connected agent over real gRPC (a command on
 * its stream and its policy), an agent that reconnects gets it from its heartbeat, and what the
 * agent reports back is stored. The agent side is a bare client here: a real AgentRuntime would
 * install its nftables table in this machine's own namespace.
 */
class QuarantineDeliveryTest {
  @TempDir Path dir;
  private ControllerRuntime controller;
  private ControllerClient agent;
  private final String hostId = TestReports.newHostId();
  private final List<Command> received = new CopyOnWriteArrayList<>();
  private AutoCloseable stream;

  @BeforeEach
  void start() {
    controller = ControllerRuntime.start(
        new ControllerRuntime.Options(dir.resolve("c.db"), "127.0.0.1", 0, true), Clock.systemUTC());
    agent = new ControllerClient(GrpcChannels.plaintext("127.0.0.1:" + controller.grpcPort()));
    agent.enroll(EnrollRequest.newBuilder().setHostId(hostId).setHostname("lab-pc-07").setAgentVersion("test").build());
    stream = agent.commands(hostId, new StreamObserver<>() {
      @Override
      public void onNext(Command c) {
        received.add(c);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> controller.commands().connectedHosts().contains(hostId));
  }

  @AfterEach
  void stop() throws Exception {
    stream.close();
    agent.close();
    controller.close();
  }

  private int cli(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = args[0];
    all[1] = "--db";
    all[2] = dir.resolve("c.db").toString();
    System.arraycopy(args, 1, all, 3, args.length - 1);
    return ControllerMain.commandLine().execute(all);
  }

  @Test
  void aQuarantineReachesTheConnectedAgentAsACommandAndInItsPolicy() {
    assertThat(cli("quarantine", "--reason", "worm mail", "lab-pc-07")).isZero();

    await().atMost(Duration.ofSeconds(15)).until(() -> received.stream().anyMatch(Command::hasQuarantine)
        && received.stream().anyMatch(c -> c.hasPolicyUpdate() && c.getPolicyUpdate().getPolicy().hasQuarantine()));
    Command order = received.stream().filter(Command::hasQuarantine).findFirst().orElseThrow();
    assertThat(order.getQuarantine().getQuarantined()).isTrue();
    assertThat(order.getQuarantine().getReason()).isEqualTo("worm mail");
    assertThat(received.indexOf(order)).as("the order comes before the policy that carries it")
        .isLessThan(received.indexOf(received.stream().filter(Command::hasPolicyUpdate).findFirst().orElseThrow()));
  }

  @Test
  void anAgentThatMissedTheCommandGetsTheOrderWithItsHeartbeat() {
    cli("quarantine", "lab-pc-07");
    await().atMost(Duration.ofSeconds(15)).until(() -> received.stream().anyMatch(Command::hasQuarantine));

    var reply = agent.heartbeat(HeartbeatRequest.newBuilder().setHostId(hostId).setPolicyVersion(0)
        .setSent(Timestamps.fromMillis(System.currentTimeMillis())).build());

    assertThat(reply.getPolicy().getQuarantine().getQuarantined()).isTrue();
  }

  @Test
  void aReleaseIsPushedWithAHigherRevision() {
    cli("quarantine", "lab-pc-07");
    await().atMost(Duration.ofSeconds(15)).until(() -> received.stream().anyMatch(Command::hasQuarantine));

    cli("release", "lab-pc-07");

    await().atMost(Duration.ofSeconds(15)).until(() -> received.stream()
        .anyMatch(c -> c.hasQuarantine() && !c.getQuarantine().getQuarantined()));
    List<Long> revisions = received.stream().filter(Command::hasQuarantine)
        .map(c -> c.getQuarantine().getRevision()).toList();
    assertThat(revisions).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void theAgentsQuarantineStatusAndRefusedAttemptsAreStored() {
    cli("quarantine", "lab-pc-07");
    QuarantineStatus status = QuarantineStatus.newBuilder().setRevision(1).setQuarantined(true)
        .setEnforcement(QuarantineEnforcement.QUARANTINE_ENFORCEMENT_ENFORCED)
        .setDetail("nftables table inet labscan_quarantine")
        .addBlocked(BlockedSmtpAttempt.newBuilder().setIp("192.0.2.77").setPort(25).setUser("root").setAttempts(5))
        .build();

    agent.report(TestReports.fullScan(hostId, "lab-pc-07", Instant.now(), 1, "10.20.3.17").toBuilder()
        .setQuarantine(status).build());

    Quarantines q = new Quarantines(controller.store(), Clock.systemUTC());
    await().atMost(Duration.ofSeconds(10)).until(() -> q.agentState(hostId).isPresent());
    assertThat(q.agentState(hostId).get().enforcement()).isEqualTo("ENFORCED");
    assertThat(q.blocked(hostId, 10)).singleElement().satisfies(b -> {
      assertThat(b.ip()).isEqualTo("192.0.2.77");
      assertThat(b.attempts()).isEqualTo(5);
    });
  }
}
