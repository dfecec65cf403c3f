package io.labscan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.SynchronizationContext;
import io.labscan.agent.checks.egress.ConnectionObservation;
import io.labscan.agent.checks.egress.ConnectionSource;
import io.labscan.agent.checks.egress.EgressEvent;
import io.labscan.agent.checks.egress.EgressEventSource;
import io.labscan.agent.checks.egress.EgressPolicy;
import io.labscan.agent.checks.egress.EgressWatcher;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The runtime's policy path on its serial context: the command stream's push and the heartbeat's
 * answer deliver the same policy from different threads, and the egress watch restarts once.
 * Each started watcher owns a quiet connection source and an event source standing for the
 * nftables log rule; a leaked watcher would leave one of them open.
 */
class PolicyStateTest {
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private final SynchronizationContext serial = new SynchronizationContext((t, e) -> failures.add(e));
  private final List<EgressWatcher> started = new CopyOnWriteArrayList<>();
  private final AtomicInteger openSources = new AtomicInteger();
  private final AtomicInteger installedRules = new AtomicInteger();
  private final List<List<SmtpEgressWindow>> spooled = new CopyOnWriteArrayList<>();
  private final EgressSupervision egress = new EgressSupervision(this::startWatcher, spooled::add);
  private final List<Long> applied = new CopyOnWriteArrayList<>();
  private final PolicyState state = new PolicyState(serial, p -> {
    applied.add(p.getVersion());
    egress.apply(p);
  });

  @AfterEach
  void stop() {
    egress.stop();
    assertThat(openSources).as("connection sources left open").hasValue(0);
    assertThat(installedRules).as("event-source rules left installed").hasValue(0);
    assertThat(failures).isEmpty();
  }

  @RepeatedTest(20)
  void aPushAndAHeartbeatCarryingTheSameNewPolicyRestartEgressExactlyOnce() throws Exception {
    state.offer(policy(1, 60));
    Policy update = policy(2, 30);
    CountDownLatch go = new CountDownLatch(1);
    Thread push = new Thread(() -> await(go, () -> state.offer(update)), "grpc-command-callback");
    Thread heartbeat = new Thread(() -> await(go, () -> state.offer(update)), "quartz-heartbeat");
    push.start();
    heartbeat.start();
    go.countDown();
    push.join();
    heartbeat.join();

    assertThat(applied).as("policies applied").containsExactly(1L, 2L);
    assertThat(started).as("watchers: the first policy's and the update's").hasSize(2);
    assertThat(openSources).as("only the running watcher's source is open").hasValue(1);
    assertThat(installedRules).as("only the running watcher's rule is installed").hasValue(1);
    assertThat(egress.policy()).hasValue(EgressPolicy.from(update));
    assertThat(state.current().getVersion()).isEqualTo(2);
  }

  @Test
  void aDeliveryArrivingWhileTheContextIsBusyIsQueuedNotRunAlongside() {
    state.offer(policy(1, 60));
    Policy update = policy(2, 30);
    serial.execute(() -> {
      state.offer(update); // the push, from inside a running task
      state.offer(update); // the heartbeat's answer
      assertThat(state.current().getVersion()).as("nothing applied while a task runs").isEqualTo(1);
    });

    assertThat(applied).containsExactly(1L, 2L);
    assertThat(started).hasSize(2);
  }

  @Test
  void anOlderPolicyArrivingLateIsIgnored() {
    state.offer(policy(2, 30));
    state.offer(policy(1, 60));

    assertThat(applied).containsExactly(2L);
    assertThat(state.current().getVersion()).isEqualTo(2);
  }

  @Test
  void afterCloseNoPolicyIsApplied() {
    state.offer(policy(1, 60));
    state.close();
    state.offer(policy(2, 30));

    assertThat(applied).containsExactly(1L);
    assertThat(started).hasSize(1);
  }

  private static void await(CountDownLatch go, Runnable then) {
    try {
      go.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    then.run();
  }

  private static Policy policy(long version, int windowSeconds) {
    return Policy.newBuilder().setVersion(version).setEgressWindowSeconds(windowSeconds)
        .setEgressEventMode(true).build();
  }

  private EgressWatcher startWatcher(Policy policy) {
    ConnectionSource quiet = new ConnectionSource() {
      @Override
      public String name() {
        return "quiet";
      }

      @Override
      public List<ConnectionObservation> sample(Set<Integer> remotePorts) {
        return List.of();
      }

      @Override
      public void close() {
        openSources.decrementAndGet();
      }
    };
    EgressEventSource rule = new EgressEventSource() {
      @Override
      public String name() {
        return "recorded-nftables";
      }

      @Override
      public void start(Consumer<EgressEvent> sink) {
        installedRules.incrementAndGet();
      }

      @Override
      public void close() {
        installedRules.decrementAndGet();
      }
    };
    openSources.incrementAndGet();
    EgressWatcher watcher = EgressWatcher.start(EgressPolicy.from(policy), quiet, Optional.of(rule), Clock.systemUTC());
    started.add(watcher);
    return watcher;
  }
}
