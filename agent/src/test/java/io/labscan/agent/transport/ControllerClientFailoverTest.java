package io.labscan.agent.transport;

import static io.labscan.agent.transport.LoopbackControllers.answer;
import static io.labscan.agent.transport.LoopbackControllers.beat;
import static io.labscan.agent.transport.LoopbackControllers.refusing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.labscan.proto.v1.AgentServiceGrpc;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.HeartbeatResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the agent's client moves between controllers, over real sockets with plaintext gRPC
 * servers that answer heartbeats (ControllerFailoverTest in the controller module runs the whole
 * agent against real controllers over mutual TLS).
 */
class ControllerClientFailoverTest {
  private final LoopbackControllers controllers = new LoopbackControllers();

  @AfterEach
  void stop() {
    controllers.close();
  }

  /** A controller that answers heartbeats, counting them. */
  private String controller(AtomicInteger heartbeats) throws IOException {
    return controllers.target(new AgentServiceGrpc.AgentServiceImplBase() {
      @Override
      public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
        heartbeats.incrementAndGet();
        answer(response);
      }
    });
  }

  @Test
  void aRefusedConnectionMovesTheClientOneStepToTheNextController() throws Exception {
    AtomicInteger second = new AtomicInteger();
    AtomicInteger third = new AtomicInteger();
    String next = controller(second);
    ControllerClient client = controllers.client(refusing() + "," + next + "," + controller(third));
    long before = client.generation();

    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    client.heartbeat(beat());

    assertThat(client.target()).isEqualTo(next);
    assertThat(client.generation()).isEqualTo(before + 1);
    assertThat(second.get()).isEqualTo(1);
    assertThat(third.get()).isZero();
  }

  @Test
  void afterTheLastControllerTheClientStartsAgainAtTheFirst() throws Exception {
    AtomicInteger first = new AtomicInteger();
    String live = controller(first);
    ControllerClient client = controllers.client(live + "," + refusing());
    client.heartbeat(beat());
    controllers.server(0).shutdownNow().awaitTermination();
    controllers.forgetServers();

    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOf(StatusRuntimeException.class);
    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOf(StatusRuntimeException.class);

    assertThat(client.target()).isEqualTo(live);
  }

  @Test
  void withOneControllerTheClientNeverMoves() throws Exception {
    String only = refusing();
    ControllerClient client = controllers.client(only);

    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOf(StatusRuntimeException.class);
    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOf(StatusRuntimeException.class);

    assertThat(client.target()).isEqualTo(only);
    assertThat(client.generation()).isZero();
  }
}
