package io.labscan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.checks.egress.ConnectionObservation;
import io.labscan.agent.checks.egress.ConnectionSource;
import io.labscan.agent.checks.egress.EgressPolicy;
import io.labscan.agent.checks.egress.EgressWatcher;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** One watcher at a time, whatever threads deliver policies, and nothing lost on a change. */
class EgressSupervisionTest {
  private final List<EgressWatcher> started = new CopyOnWriteArrayList<>();
  private final List<List<SmtpEgressWindow>> spooled = new CopyOnWriteArrayList<>();
  private final AtomicInteger closedSources = new AtomicInteger();
  private final EgressSupervision supervision = new EgressSupervision(this::start, spooled::add);

  private EgressWatcher start(Policy policy) {
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
        closedSources.incrementAndGet();
      }
    };
    EgressWatcher watcher = EgressWatcher.start(EgressPolicy.from(policy), quiet, Optional.empty(), Clock.systemUTC());
    started.add(watcher);
    return watcher;
  }

  @AfterEach
  void stopWatching() {
    supervision.stop();
  }

  private static Policy policy(long version, int windowSeconds) {
    return Policy.newBuilder().setVersion(version).setEgressWindowSeconds(windowSeconds).build();
  }

  @RepeatedTest(20)
  void theSameNewPolicyFromAPushAndAHeartbeatAtOnceStartsOneWatcher() throws Exception {
    supervision.apply(policy(1, 60));
    Policy update = policy(2, 30);
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Boolean>> applied = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        applied.add(pool.submit(() -> {
          go.await();
          return supervision.apply(update);
        }));
      }
      go.countDown();
      int restarts = 0;
      for (Future<Boolean> f : applied) {
        restarts += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
      }

      assertThat(restarts).as("restarts for one change").isEqualTo(1);
      assertThat(started).as("watchers started: the first policy's and the update's").hasSize(2);
      assertThat(closedSources).as("the replaced watcher was stopped").hasValue(1);
      assertThat(supervision.policy()).hasValue(EgressPolicy.from(update));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aPolicyThatWatchesTheSameWayKeepsTheRunningWatcher() {
    supervision.apply(policy(1, 60));
    boolean restarted = supervision.apply(policy(2, 60));

    assertThat(restarted).isFalse();
    assertThat(started).hasSize(1);
    assertThat(closedSources).hasValue(0);
  }

  @Test
  void afterStopNoPolicyStartsAWatcherAgain() {
    supervision.apply(policy(1, 60));
    supervision.stop();

    assertThat(supervision.apply(policy(2, 30))).isFalse();
    assertThat(started).hasSize(1);
    assertThat(closedSources).hasValue(1);
    assertThat(supervision.policy()).isEmpty();
  }

  @Test
  void aWatcherThatCannotStartLeavesTheAgentRunningWithoutOne() {
    EgressSupervision failing = new EgressSupervision(p -> {
      throw new IllegalStateException("nft: Operation not permitted");
    }, spooled::add);

    assertThat(failing.apply(policy(1, 60))).isTrue();
    assertThat(failing.policy()).isEmpty();
    failing.flush(); // nothing to drain, nothing thrown
  }
}
