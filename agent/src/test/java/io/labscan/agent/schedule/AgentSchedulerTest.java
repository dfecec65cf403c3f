package io.labscan.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AgentSchedulerTest {
  private static final Duration OFTEN = Duration.ofMillis(20);

  @Test
  void aJobRunsRepeatedly() {
    AtomicInteger runs = new AtomicInteger();
    try (AgentScheduler scheduler = new AgentScheduler()) {
      scheduler.every("tick", OFTEN, Duration.ZERO, runs::incrementAndGet);

      await().atMost(Duration.ofSeconds(20)).until(() -> runs.get() >= 3);
    }
  }

  @Test
  void aJobThatThrowsKeepsItsSchedule() {
    AtomicInteger runs = new AtomicInteger();
    try (AgentScheduler scheduler = new AgentScheduler()) {
      scheduler.every("flaky", OFTEN, Duration.ZERO, () -> {
        runs.incrementAndGet();
        throw new IllegalStateException("controller unreachable");
      });

      await().atMost(Duration.ofSeconds(20)).until(() -> runs.get() >= 3);
    }
  }

  @Test
  void schedulingANameAgainReplacesItsJob() {
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();
    try (AgentScheduler scheduler = new AgentScheduler()) {
      scheduler.every("heartbeat", OFTEN, Duration.ZERO, first::incrementAndGet);
      scheduler.every("heartbeat", OFTEN, Duration.ZERO, second::incrementAndGet);
      int firstAfterReplace = first.get();

      await().atMost(Duration.ofSeconds(20)).until(() -> second.get() >= 3);
      assertThat(first.get()).isLessThanOrEqualTo(firstAfterReplace + 1);
      assertThat(scheduler.jobNames()).containsExactly("heartbeat");
    }
  }

  @Test
  void aCancelledJobStops() {
    AtomicInteger runs = new AtomicInteger();
    try (AgentScheduler scheduler = new AgentScheduler()) {
      scheduler.every("egress-flush", OFTEN, Duration.ZERO, runs::incrementAndGet);
      await().atMost(Duration.ofSeconds(20)).until(() -> runs.get() >= 1);

      scheduler.cancel("egress-flush");
      int atCancel = runs.get();

      assertThat(scheduler.jobNames()).isEmpty();
      // A run already in progress may still finish; none starts after it.
      await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(runs.get()).isLessThanOrEqualTo(atCancel + 1));
    }
  }
}
