package io.labscan.agent.transport;

import static io.labscan.agent.transport.LoopbackControllers.answer;
import static io.labscan.agent.transport.LoopbackControllers.beat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.labscan.proto.v1.AgentServiceGrpc;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.HeartbeatResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: an agent that failed over away from its home controller goes back once home is
 * healthy again ({@link ControllerClient#returnHome}), and a home that answers only now and then
 * does not pull it back and forth. Real gRPC servers on loopback sockets; the periods are short
 * so the test runs in a second or two (the product's are minutes, {@link HomeReturn.Settings#DEFAULT}).
 */
class ControllerClientReturnHomeTest {
  /** Probe every 100 ms or so; home must answer for 200 ms; back-off up to 2 s. */
  private static final HomeReturn.Settings QUICK = new HomeReturn.Settings(Duration.ofMillis(100),
      Duration.ofMillis(200), Duration.ofSeconds(2));

  private final LoopbackControllers controllers = new LoopbackControllers();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
    controllers.close();
  }

  /**
   * A controller whose {@code n}-th heartbeat (from 0) is answered when {@code healthy} says so,
   * and refused as a controller going away does (UNAVAILABLE, no database trailer) otherwise.
   */
  private String controller(AtomicInteger heartbeats, IntPredicate healthy) throws IOException {
    return controllers.target(new AgentServiceGrpc.AgentServiceImplBase() {
      @Override
      public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
        if (!healthy.test(heartbeats.getAndIncrement())) {
          response.onError(Status.UNAVAILABLE.withDescription("controller shutting down").asRuntimeException());
          return;
        }
        answer(response);
      }
    });
  }

  @Test
  void anAgentAwayFromItsHomeGoesBackOnceHomeIsHealthyAndTellsTheFailoverListeners() throws Exception {
    AtomicInteger homeBeats = new AtomicInteger();
    String home = controller(homeBeats, n -> n > 0); // the first heartbeat finds it going away
    String other = controller(new AtomicInteger(), n -> true);
    ControllerClient client = controllers.client(home + "," + other);
    AtomicInteger moves = new AtomicInteger();
    client.onFailover(moves::incrementAndGet);
    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOf(StatusRuntimeException.class);
    assertThat(client.target()).isEqualTo(other);

    client.returnHome(scheduler, LoopbackControllers::beat, QUICK, Clock.systemUTC());

    await("back home, the listeners told of both moves").atMost(Duration.ofSeconds(20))
        .until(() -> client.target().equals(home) && moves.get() == 2);
    assertThat(homeBeats.get()).as("heartbeats home got: the failed one, then at least two probes")
        .isGreaterThanOrEqualTo(3);
    client.heartbeat(beat());
    assertThat(client.generation()).isEqualTo(2);
  }

  @Test
  void aHomeThatAnswersOnlyEveryOtherProbeDoesNotPullTheAgentBack() throws Exception {
    AtomicInteger homeBeats = new AtomicInteger();
    // Heartbeat 0 (the agent's own) fails; then every odd one is answered, every even one refused.
    String home = controller(homeBeats, n -> n % 2 == 1);
    String other = controller(new AtomicInteger(), n -> true);
    ControllerClient client = controllers.client(home + "," + other);
    assertThatThrownBy(() -> client.heartbeat(beat())).isInstanceOf(StatusRuntimeException.class);

    client.returnHome(scheduler, LoopbackControllers::beat, QUICK, Clock.systemUTC());

    await("ten probes of the flapping home").atMost(Duration.ofSeconds(30)).until(() -> homeBeats.get() >= 11);
    assertThat(client.target()).isEqualTo(other);
    assertThat(client.generation()).isEqualTo(1);
  }

  @Test
  void anAgentAtHomeSendsNoProbes() throws Exception {
    AtomicInteger homeBeats = new AtomicInteger();
    String home = controller(homeBeats, n -> true);
    ControllerClient client = controllers.client(home + "," + controller(new AtomicInteger(), n -> true));
    client.returnHome(scheduler, LoopbackControllers::beat, QUICK, Clock.systemUTC());

    client.heartbeat(beat());

    await("no probe during ten probe periods").during(QUICK.period().multipliedBy(10))
        .atMost(QUICK.period().multipliedBy(20)).until(() -> homeBeats.get() == 1);
    assertThat(client.target()).isEqualTo(home);
  }
}
