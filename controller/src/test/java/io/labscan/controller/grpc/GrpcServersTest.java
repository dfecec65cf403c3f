package io.labscan.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.labscan.proto.v1.AgentServiceGrpc;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.HeartbeatResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The servers' call handlers run on a bounded pool, over real sockets. */
class GrpcServersTest {
  /** Records the thread of every heartbeat; holds each call until released. */
  private static final class RecordingService extends AgentServiceGrpc.AgentServiceImplBase {
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
      threads.add(Thread.currentThread().getName());
      try {
        // Holding the handler thread is what a slow handler would do: the pool must not grow for it.
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      response.onNext(HeartbeatResponse.getDefaultInstance());
      response.onCompleted();
    }
  }

  private final RecordingService service = new RecordingService();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    server = GrpcServers.plaintext("127.0.0.1", 0, List.of(service));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    service.release.countDown();
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void callHandlersRunOnTheControllersNamedHandlerThreads() throws Exception {
    service.release.countDown();
    AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
        .heartbeat(HeartbeatRequest.getDefaultInstance());

    assertThat(service.threads).singleElement().asString().startsWith("labscan-grpc-handler-");
  }

  @Test
  void aBurstOfConcurrentCallsNeverUsesMoreThreadsThanThePoolHas() throws Exception {
    AgentServiceGrpc.AgentServiceStub stub = AgentServiceGrpc.newStub(channel);
    List<CompletableFuture<HeartbeatResponse>> answers = new ArrayList<>();
    for (int i = 0; i < GrpcServers.HANDLER_THREADS * 4; i++) {
      CompletableFuture<HeartbeatResponse> answer = new CompletableFuture<>();
      stub.withDeadlineAfter(30, TimeUnit.SECONDS).heartbeat(HeartbeatRequest.getDefaultInstance(),
          new StreamObserver<>() {
            @Override
            public void onNext(HeartbeatResponse value) {
              answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
              answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
          });
      answers.add(answer);
    }
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
        .until(() -> service.threads.size() == GrpcServers.HANDLER_THREADS);
    service.release.countDown();

    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(service.threads).hasSize(GrpcServers.HANDLER_THREADS)
        .allMatch(name -> name.startsWith("labscan-grpc-handler-"));
  }

  /** Keeps every Commands stream open, recording it, until the test ends one. */
  private static final class HoldingCommands extends AgentServiceGrpc.AgentServiceImplBase {
    final java.util.concurrent.LinkedBlockingQueue<StreamObserver<io.labscan.proto.v1.Command>> open =
        new java.util.concurrent.LinkedBlockingQueue<>();
    final java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void commands(io.labscan.proto.v1.CommandStreamRequest request,
        StreamObserver<io.labscan.proto.v1.Command> response) {
      started.incrementAndGet();
      open.add(response);
    }
  }

  @Test
  void oneConnectionGetsNoMoreConcurrentCallsThanTheAgentPortsCapTheRestWaitForAFreeStream() throws Exception {
    HoldingCommands commands = new HoldingCommands();
    Server capped = GrpcServers.plaintext("127.0.0.1", 0, new io.grpc.ServerInterceptor() {
      @Override
      public <ReqT, RespT> io.grpc.ServerCall.Listener<ReqT> interceptCall(io.grpc.ServerCall<ReqT, RespT> call,
          io.grpc.Metadata headers, io.grpc.ServerCallHandler<ReqT, RespT> next) {
        return next.startCall(call, headers);
      }
    }, List.of(commands), GrpcServers.AGENT_CALLS_PER_CONNECTION);
    ManagedChannel one = NettyChannelBuilder.forAddress("127.0.0.1", capped.getPort()).usePlaintext().build();
    try {
      AgentServiceGrpc.AgentServiceStub stub = AgentServiceGrpc.newStub(one);
      List<CompletableFuture<Void>> ends = new ArrayList<>();
      for (int i = 0; i < GrpcServers.AGENT_CALLS_PER_CONNECTION + 1; i++) {
        CompletableFuture<Void> end = new CompletableFuture<>();
        stub.commands(io.labscan.proto.v1.CommandStreamRequest.newBuilder().setHostId("h" + i).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(io.labscan.proto.v1.Command value) {}

              @Override
              public void onError(Throwable t) {
                end.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                end.complete(null);
              }
            });
        ends.add(end);
      }
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
          .until(() -> commands.started.get() == GrpcServers.AGENT_CALLS_PER_CONNECTION);
      // The extra stream is not started while the connection is at its cap...
      org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(500))
          .atMost(java.time.Duration.ofSeconds(5))
          .until(() -> commands.started.get() == GrpcServers.AGENT_CALLS_PER_CONNECTION);
      // ...and starts once one of the open streams ends.
      commands.open.take().onCompleted();
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
          .until(() -> commands.started.get() == GrpcServers.AGENT_CALLS_PER_CONNECTION + 1);
    } finally {
      one.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      capped.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
