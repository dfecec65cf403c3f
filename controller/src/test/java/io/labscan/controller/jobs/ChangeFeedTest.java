package io.labscan.controller.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ChangeFeedTest {
  private final AtomicLong version = new AtomicLong(7);
  private Instant now = Instant.parse("2026-12-07T08:00:00Z");
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };

  @Test
  void listenersRunOnceForEachChangeOfTheDatabaseAndNotWhileNothingChanged() {
    ChangeFeed feed = new ChangeFeed(version::get, clock);
    List<String> ran = new ArrayList<>();
    feed.listen("revocations", () -> ran.add("revocations"));
    feed.listen("policy publisher", () -> ran.add("policy publisher"));

    assertThat(feed.poll()).isFalse();
    version.incrementAndGet();
    assertThat(feed.poll()).isTrue();
    assertThat(feed.poll()).isFalse();

    assertThat(ran).containsExactly("revocations", "policy publisher");
  }

  @Test
  void aFailingListenerDoesNotKeepTheOthersFromRunning() {
    ChangeFeed feed = new ChangeFeed(version::get, clock);
    List<String> ran = new ArrayList<>();
    feed.listen("broken", () -> {
      throw new IllegalStateException("database is locked");
    });
    feed.listen("campaign deliveries", () -> ran.add("campaign deliveries"));

    version.incrementAndGet();
    feed.poll();

    assertThat(ran).containsExactly("campaign deliveries");
  }

  @Test
  void listenersRunAfterTheLongestQuietTimeEvenWithoutAChange() {
    ChangeFeed feed = new ChangeFeed(version::get, clock);
    List<String> ran = new ArrayList<>();
    feed.listen("campaign deliveries", () -> ran.add("campaign deliveries"));

    now = now.plus(ChangeFeed.MAX_QUIET).minusSeconds(1);
    assertThat(feed.poll()).isFalse();
    now = now.plusSeconds(1);
    assertThat(feed.poll()).isTrue();

    assertThat(ran).hasSize(1);
  }

  @Test
  void aWakeUpRunsTheListenersOfAChangeWithoutWaitingForThePeriodicPoll() {
    try (ChangeFeed feed = new ChangeFeed(version::get, clock)) {
      List<String> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
      feed.listen("campaign deliveries", () -> ran.add("campaign deliveries"));
      version.incrementAndGet();

      feed.wake();

      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(ran).containsExactly("campaign deliveries"));
      assertThat(feed.wokenPolls()).isEqualTo(1);
    }
  }

  @Test
  void aStormOfWakeUpsCausesAtMostOnePollRunningAndOnePending() throws Exception {
    java.util.concurrent.CountDownLatch inFirstPoll = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicLong reads = new AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean constructed = new java.util.concurrent.atomic.AtomicBoolean();
    try (ChangeFeed feed = new ChangeFeed(() -> {
      if (constructed.get() && reads.incrementAndGet() == 1) {
        inFirstPoll.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return version.incrementAndGet();
    }, clock)) {
      constructed.set(true);
      feed.wake();
      assertThat(inFirstPoll.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

      for (int i = 0; i < 10_000; i++) {
        feed.wake(); // e.g. forged NOTIFYs: anybody with access to the database can send them
      }
      release.countDown();

      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
          .until(() -> reads.get() == 2 && feed.wokenPolls() == 2);
      feed.wake(); // a later wake-up is a new poll again
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> reads.get() == 3);
      assertThat(feed.wokenPolls()).as("the one in flight, the one pending, the later one").isEqualTo(3);
    }
  }
}
