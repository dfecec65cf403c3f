package io.labscan.agent.schedule;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Lets one scan run at a time. A request while a scan runs is dropped, not queued: the
 * running scan answers it, and a queue of full scans would only repeat the same work.
 */
public final class ScanGate {
  private final AtomicBoolean running = new AtomicBoolean();

  /** Runs {@code work} on {@code executor} unless a scan is running; empty when dropped. */
  public <T> Optional<CompletableFuture<T>> runIfIdle(Supplier<T> work, Executor executor) {
    requireNonNull(work, "work");
    requireNonNull(executor, "executor");
    if (!running.compareAndSet(false, true)) {
      return Optional.empty();
    }
    try {
      return Optional.of(CompletableFuture.supplyAsync(() -> {
        try {
          return work.get();
        } finally {
          running.set(false);
        }
      }, executor));
    } catch (RejectedExecutionException e) {
      running.set(false);
      throw e;
    }
  }

  public boolean isRunning() {
    return running.get();
  }
}
