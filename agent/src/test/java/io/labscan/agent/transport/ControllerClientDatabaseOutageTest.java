package io.labscan.agent.transport;

import static io.labscan.agent.transport.LoopbackControllers.acknowledge;
import static io.labscan.agent.transport.LoopbackControllers.answer;
import static io.labscan.agent.transport.LoopbackControllers.beat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.labscan.contract.transport.Unavailability;
import io.labscan.proto.v1.AgentServiceGrpc;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.HeartbeatResponse;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ReportAck;
import io.labscan.proto.v1.ReportRequest;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: while the database the controllers share is down, a controller answers UNAVAILABLE
 * with the trailer {@code labscan-unavailable: database} ({@link Unavailability}), and the agent
 * keeps that controller instead of hopping to another that shares the same database; a controller
 * that is itself gone still moves it. Real gRPC servers on loopback sockets.
 */
class ControllerClientDatabaseOutageTest {
  private final LoopbackControllers controllers = new LoopbackControllers();

  @AfterEach
  void stop() {
    controllers.close();
  }

  /** A controller that answers every call UNAVAILABLE with the database trailer while {@code databaseDown}. */
  private String controller(AtomicBoolean databaseDown, AtomicInteger calls) throws IOException {
    return controllers.target(new AgentServiceGrpc.AgentServiceImplBase() {
      @Override
      public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
        calls.incrementAndGet();
        if (databaseDown.get()) {
          response.onError(DatabaseUnavailability.databaseUnavailable(
              "controller cannot store right now: The database cannot be reached (connection lost)"));
          return;
        }
        answer(response);
      }

      @Override
      public void report(ReportRequest request, StreamObserver<ReportAck> response) {
        calls.incrementAndGet();
        if (databaseDown.get()) {
          response.onError(DatabaseUnavailability.databaseUnavailable("controller cannot store right now"));
          return;
        }
        acknowledge(request, response);
      }
    });
  }

  @Test
  void aControllerWhoseDatabaseIsUnreachableKeepsTheClientAndTheCallerHearsWhy() throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();
    String home = controller(down, first);
    ControllerClient client = controllers.client(home + "," + controller(new AtomicBoolean(), second));

    for (int call = 0; call < 3; call++) {
      assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(DatabaseUnavailability.isDatabaseUnavailable(e)).isTrue();
      });
    }
    assertThatThrownBy(() -> client.report(Report.newBuilder().setReportId("r-1").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(DatabaseUnavailability.reason(e)).contains(Unavailability.DATABASE));

    assertThat(client.target()).isEqualTo(home);
    assertThat(client.generation()).isZero();
    assertThat(first.get()).isEqualTo(4);
    assertThat(second.get()).isZero();
  }

  @Test
  void onceTheDatabaseIsBackTheSameControllerTakesTheReport() throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    String home = controller(down, new AtomicInteger());
    ControllerClient client = controllers.client(home + "," + controller(new AtomicBoolean(), new AtomicInteger()));
    assertThatThrownBy(() -> client.report(Report.newBuilder().setReportId("r-2").build()))
        .isInstanceOf(StatusRuntimeException.class);

    down.set(false);

    assertThat(client.report(Report.newBuilder().setReportId("r-2").build()).getReportId()).isEqualTo("r-2");
    assertThat(client.target()).isEqualTo(home);
  }

  @Test
  void aControllerThatIsGoneStillMovesTheClientAfterItsDatabaseRefusals() throws Exception {
    AtomicInteger second = new AtomicInteger();
    String home = controller(new AtomicBoolean(true), new AtomicInteger());
    String next = controller(new AtomicBoolean(), second);
    ControllerClient client = controllers.client(home + "," + next);
    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOf(StatusRuntimeException.class);

    controllers.server(0).shutdownNow().awaitTermination();
    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(DatabaseUnavailability.isDatabaseUnavailable(e)).isFalse());
    client.heartbeat(beat());

    assertThat(client.target()).isEqualTo(next);
    assertThat(second.get()).isEqualTo(1);
  }

  @Test
  void anUnavailableWithoutTheTrailerStillMovesTheClient() throws Exception {
    String shuttingDown = controllers.target(new AgentServiceGrpc.AgentServiceImplBase() {
      @Override
      public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
        response.onError(Status.UNAVAILABLE.withDescription("controller shutting down").asRuntimeException());
      }
    });
    String next = controller(new AtomicBoolean(), new AtomicInteger());
    ControllerClient client = controllers.client(shuttingDown + "," + next);

    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOf(StatusRuntimeException.class);

    assertThat(client.target()).isEqualTo(next);
  }
}
