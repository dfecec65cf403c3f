package io.labscan.agent.transport;

import static io.labscan.agent.transport.LoopbackControllers.acknowledge;
import static io.labscan.agent.transport.LoopbackControllers.answer;
import static io.labscan.agent.transport.LoopbackControllers.beat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.labscan.proto.v1.AgentServiceGrpc;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.HeartbeatResponse;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ReportAck;
import io.labscan.proto.v1.ReportRequest;
import io.labscan.testsupport.FreezableRelay;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover as the agent's transport sees it (issue 20), over real sockets with plaintext gRPC
 * servers on loopback: a controller that goes silent (a relay in front of it stops forwarding
 * without closing anything: a hung process, or a host gone with its packets dropped) is left for
 * the next within 60 s, and the spool keeps every report not acknowledged and sends it to the
 * next controller under the same report id (the controllers' database stores a report id once:
 * ReportStoredOnceAcrossControllersTest in the controller module).
 */
class FailoverDeliveryTest {
  /** Issue 20: "the agent reconnects to another controller within 60 s when its controller dies". */
  private static final Duration FAILOVER_BOUND = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final LoopbackControllers controllers = new LoopbackControllers();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    controllers.close();
  }

  /**
   * A controller that answers heartbeats and records every report it receives; a report matching
   * {@code neverAcknowledged} is received (as if stored) but never answered: its acknowledgement is lost.
   */
  private Server controller(List<String> received, Predicate<Report> neverAcknowledged) throws IOException {
    return controllers.start(new AgentServiceGrpc.AgentServiceImplBase() {
      @Override
      public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
        answer(response);
      }

      @Override
      public void report(ReportRequest request, StreamObserver<ReportAck> response) {
        received.add(request.getReport().getReportId());
        if (!neverAcknowledged.test(request.getReport())) {
          acknowledge(request, response);
        }
      }
    });
  }

  private static Report report(Spool spool, String id) {
    return Report.newBuilder().setReportId(id).setSequence(spool.nextSequence()).build();
  }

  @Test
  void aControllerThatGoesSilentWithoutClosingTheConnectionIsLeftForTheNextWithin60s() throws Exception {
    Server first = controller(new CopyOnWriteArrayList<>(), r -> false);
    String second = LoopbackControllers.target(controller(new CopyOnWriteArrayList<>(), r -> false));
    FreezableRelay relay = new FreezableRelay(new InetSocketAddress("127.0.0.1", first.getPort()));
    closing.add(relay);
    ControllerClient client = controllers.client(relay.target(), second);
    client.heartbeat(beat());
    assertThat(client.target()).isEqualTo(relay.target());

    relay.freeze();

    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    await().atMost(FAILOVER_BOUND).untilAsserted(() -> {
      assertThat(client.target()).isEqualTo(second);
      client.heartbeat(beat());
    });
  }

  @Test
  void reportsNotAcknowledgedBeforeTheControllerDiedAreSentToTheNextUnderTheSameIdAndOnlyThose() throws Exception {
    List<String> byFirst = new CopyOnWriteArrayList<>();
    List<String> bySecond = new CopyOnWriteArrayList<>();
    String lostAck = "4b8f5c1e-0d2a-4e7b-9c3f-6a1d2e5f7b90";
    Server first = controller(byFirst, r -> r.getReportId().equals(lostAck));
    Server second = controller(bySecond, r -> false);
    ControllerClient client = controllers.client(LoopbackControllers.target(first), LoopbackControllers.target(second));
    Spool spool = Spool.open(dir);
    closing.add(spool);
    ReportSender sender = new ReportSender(spool, client).start();
    closing.add(sender);
    String acknowledged = "0f3e1a7c-5b2d-4c8e-a1f6-9d7b3e2c4a58";
    String queued = "c2d9e4f1-7a3b-4e6c-8d5a-1b0f9e8c7d26";

    sender.submit(report(spool, acknowledged));
    await().atMost(FAILOVER_BOUND).until(() -> spool.size() == 0);
    sender.submit(report(spool, lostAck));
    await().atMost(FAILOVER_BOUND).until(() -> byFirst.contains(lostAck));
    sender.submit(report(spool, queued));
    first.shutdownNow(); // the controller dies with the report received and its acknowledgement unsent

    await().atMost(FAILOVER_BOUND).until(() -> spool.size() == 0);
    assertThat(byFirst).containsExactly(acknowledged, lostAck);
    assertThat(bySecond).containsExactly(lostAck, queued);
    assertThat(client.target()).isEqualTo(LoopbackControllers.target(second));
  }
}
