package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Storage;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Whether the database answers, for {@code /healthz} (issue 20): a load balancer in front of
 * several controllers takes one whose database is unreachable out of rotation.
 *
 * <p>{@code /healthz} is anonymous, so the probe is bounded whatever the request rate: one
 * {@code SELECT 1} at a time (single flight, on a thread of its own), its answer reused for
 * {@link #FRESH}, and a caller waits at most {@link #TIMEOUT} for it (a server that does not
 * answer, or a pool that waits for a connection, counts as unreachable after that). A flood of
 * requests costs the database at most one query per {@code FRESH}.
 */
final class DatabaseProbe {
  /** How long one answer is reused. */
  static final Duration FRESH = Duration.ofSeconds(1);
  /** How long a probe may take before the database counts as unreachable. */
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** One answer: empty when reachable, else a short reason. */
  record Answer(Optional<String> problem, Instant at) {}

  private final Supplier<Optional<String>> probe;
  private final Clock clock;
  private @Nullable Answer last;
  private @Nullable CompletableFuture<Optional<String>> running;

  DatabaseProbe(Supplier<Optional<String>> probe, Clock clock) {
    this.probe = requireNonNull(probe, "probe");
    this.clock = requireNonNull(clock, "clock");
  }

  /** A probe running {@code SELECT 1} through {@code store}'s reads. */
  static DatabaseProbe of(Storage store, Clock clock) {
    requireNonNull(store, "store");
    return new DatabaseProbe(() -> {
      try {
        store.read(db -> {
          try (Statement st = db.createStatement()) {
            st.setQueryTimeout((int) TIMEOUT.toSeconds());
            st.execute("SELECT 1");
          }
          return null;
        });
        return Optional.empty();
      } catch (RuntimeException e) {
        return Optional.of(shortReason(e));
      }
    }, clock);
  }

  /** Empty when the database answered (now or within {@link #FRESH}), else why not. */
  Optional<String> problem() {
    CompletableFuture<Optional<String>> waitFor;
    synchronized (this) {
      Instant now = clock.instant();
      if (last != null && now.isBefore(last.at().plus(FRESH))) {
        return last.problem();
      }
      if (running == null) {
        CompletableFuture<Optional<String>> f = new CompletableFuture<>();
        running = f;
        Thread t = new Thread(() -> {
          Optional<String> answer;
          try {
            answer = probe.get();
          } catch (RuntimeException e) {
            answer = Optional.of(shortReason(e));
          }
          finish(f, answer);
        }, "labscan-healthz-probe");
        t.setDaemon(true);
        t.start();
      }
      waitFor = running;
    }
    try {
      return waitFor.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      Optional<String> answer = Optional.of("no answer within " + TIMEOUT.toSeconds() + " s");
      synchronized (this) {
        last = new Answer(answer, clock.instant());
      }
      return answer;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    } catch (ExecutionException e) {
      return Optional.of(shortReason(e.getCause() == null ? e : e.getCause()));
    }
  }

  private synchronized void finish(CompletableFuture<Optional<String>> f, Optional<String> answer) {
    last = new Answer(answer, clock.instant());
    if (running == f) {
      running = null;
    }
    f.complete(answer);
  }

  /**
   * The first line of the innermost message, printable ASCII, at most 120 characters: enough to
   * tell "connection refused" from "password authentication failed", and nothing more (the
   * answer is anonymous; the driver never puts the password in a message).
   */
  static String shortReason(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = m.indexOf('\n');
    if (nl >= 0) {
      m = m.substring(0, nl);
    }
    StringBuilder b = new StringBuilder();
    m.strip().codePoints().limit(120).forEach(c -> b.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
    return b.toString();
  }
}
