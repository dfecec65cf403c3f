package io.labscan.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScanGateTest {
  private final ExecutorService worker = Executors.newSingleThreadExecutor();
  private final ScanGate gate = new ScanGate();

  @AfterEach
  void stop() {
    worker.shutdownNow();
  }

  @Test
  void requestWhileAScanRunsIsDroppedNotQueued() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Optional<CompletableFuture<String>> first = gate.runIfIdle(() -> {
      await(release);
      return "first";
    }, worker);

    Optional<CompletableFuture<String>> second = gate.runIfIdle(() -> "second", worker);

    assertThat(first).isPresent();
    assertThat(second).isEmpty();
    assertThat(gate.isRunning()).isTrue();
    release.countDown();
    assertThat(first.get().get(10, TimeUnit.SECONDS)).isEqualTo("first");
  }

  @Test
  void nextRequestRunsOnceTheScanFinished() throws Exception {
    gate.runIfIdle(() -> "first", worker).orElseThrow().get(10, TimeUnit.SECONDS);

    Optional<CompletableFuture<String>> next = gate.runIfIdle(() -> "next", worker);

    assertThat(next).isPresent();
    assertThat(next.get().get(10, TimeUnit.SECONDS)).isEqualTo("next");
  }

  @Test
  void aFailedScanReleasesTheGate() throws Exception {
    CompletableFuture<String> failed = gate.<String>runIfIdle(() -> {
      throw new IllegalStateException("disk gone");
    }, worker).orElseThrow();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(failed::isDone);

    assertThat(failed).isCompletedExceptionally();
    assertThat(gate.isRunning()).isFalse();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
