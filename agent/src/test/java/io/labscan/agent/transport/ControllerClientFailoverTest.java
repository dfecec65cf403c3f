package io.labscan.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.labscan.agent.config.ControllerAddresses;
import io.labscan.proto.v1.AgentServiceGrpc;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.HeartbeatResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the agent's client moves between controllers, over real sockets with plaintext gRPC
 * servers that answer heartbeats (ControllerFailoverTest in the controller module runs the whole
 * agent against real controllers over mutual TLS).
 */
class ControllerClientFailoverTest {
  private final List<Server> servers = new ArrayList<>();
  private final List<ControllerClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(ControllerClient::close);
    servers.forEach(Server::shutdownNow);
  }

  /** A controller that answers heartbeats, counting them. */
  private String controller(AtomicInteger heartbeats) throws IOException {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new AgentServiceGrpc.AgentServiceImplBase() {
          @Override
          public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
            heartbeats.incrementAndGet();
            response.onNext(HeartbeatResponse.getDefaultInstance());
            response.onCompleted();
          }
        })
        .build().start();
    servers.add(server);
    return "127.0.0.1:" + server.getPort();
  }

  /** An address where nothing listens: connections are refused. */
  private static String refusing() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + s.getLocalPort();
    }
  }

  private ControllerClient client(String controllers) {
    ControllerClient c = ControllerClient.failingOver(
        new ControllerTargets(ControllerAddresses.parse(controllers), ControllerTargets.Resolver.SYSTEM),
        GrpcChannels::plaintext);
    clients.add(c);
    return c;
  }

  private static HeartbeatRequest beat() {
    return HeartbeatRequest.newBuilder().setHostId("7d1f6a0e-2f4b-4c53-9a53-0c1e8f3b6a11").build();
  }

  @Test
  void aRefusedConnectionMovesTheClientOneStepToTheNextController() throws Exception {
    AtomicInteger second = new AtomicInteger();
    AtomicInteger third = new AtomicInteger();
    String next = controller(second);
    ControllerClient client = client(refusing() + "," + next + "," + controller(third));
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
    ControllerClient client = client(live + "," + refusing());
    client.heartbeat(beat());
    servers.get(0).shutdownNow().awaitTermination();
    servers.clear();

    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOf(StatusRuntimeException.class);
    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOf(StatusRuntimeException.class);

    assertThat(client.target()).isEqualTo(live);
  }

  @Test
  void withOneControllerTheClientNeverMoves() throws Exception {
    String only = refusing();
    ControllerClient client = client(only);

    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOf(StatusRuntimeException.class);
    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOf(StatusRuntimeException.class);

    assertThat(client.target()).isEqualTo(only);
    assertThat(client.generation()).isZero();
  }
}
