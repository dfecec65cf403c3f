package io.labscan.agent.transport;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.labscan.agent.config.ControllerAddresses;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.HeartbeatResponse;
import io.labscan.proto.v1.ReportAck;
import io.labscan.proto.v1.ReportRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Controllers for the agent's transport tests: real plaintext gRPC servers on loopback sockets
 * (each test says how its controller answers, as an {@code AgentServiceImplBase}), and
 * failing-over {@link ControllerClient}s to them, as the agent builds its own. Closing it closes
 * the clients, then stops the servers; a test holds one and closes it after each test.
 */
final class LoopbackControllers implements AutoCloseable {
  /** The host the tests' heartbeats come from. */
  static final String HOST = "7d1f6a0e-2f4b-4c53-9a53-0c1e8f3b6a11";

  private final List<Server> servers = new ArrayList<>();
  private final List<ControllerClient> clients = new ArrayList<>();

  /** Starts a controller answering as {@code service} on a free loopback port. */
  Server start(BindableService service) throws IOException {
    Objects.requireNonNull(service, "service");
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(service)
        .build().start();
    servers.add(server);
    return server;
  }

  /** Starts a controller answering as {@code service}; returns its target ({@code 127.0.0.1:port}). */
  String target(BindableService service) throws IOException {
    return target(start(service));
  }

  /** The target ({@code 127.0.0.1:port}) an agent is configured with for {@code server}. */
  static String target(Server server) {
    return "127.0.0.1:" + server.getPort();
  }

  /** The {@code index}-th controller started (from 0). */
  Server server(int index) {
    return servers.get(index);
  }

  /** Forgets the controllers started so far (a test that stopped them itself). */
  void forgetServers() {
    servers.clear();
  }

  /**
   * A failing-over client over plaintext channels to {@code controllers}, each either one
   * {@code HOST:PORT} or a comma-separated list, read as the agent reads its configuration.
   */
  ControllerClient client(String... controllers) {
    ControllerClient c = ControllerClient.failingOver(
        new ControllerTargets(ControllerAddresses.parse(String.join(",", controllers)),
            ControllerTargets.Resolver.SYSTEM),
        GrpcChannels::plaintext);
    clients.add(c);
    return c;
  }

  /** An address where nothing listens: connections are refused. */
  static String refusing() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + s.getLocalPort();
    }
  }

  /** A heartbeat from {@link #HOST}. */
  static HeartbeatRequest beat() {
    return HeartbeatRequest.newBuilder().setHostId(HOST).build();
  }

  /** Answers a heartbeat as a healthy controller does. */
  static void answer(StreamObserver<HeartbeatResponse> response) {
    response.onNext(HeartbeatResponse.getDefaultInstance());
    response.onCompleted();
  }

  /** Acknowledges a report as a controller does once it is stored. */
  static void acknowledge(ReportRequest request, StreamObserver<ReportAck> response) {
    response.onNext(ReportAck.newBuilder().setReportId(request.getReport().getReportId()).build());
    response.onCompleted();
  }

  @Override
  public void close() {
    clients.forEach(ControllerClient::close);
    servers.forEach(Server::shutdownNow);
  }
}
