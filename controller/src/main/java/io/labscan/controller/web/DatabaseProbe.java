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
import java.util.function.Consumer;
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
 *
 * <p>Issue 20: the reason ({@link #shortReason}: the JDBC driver's words) can name the database
 * host and port and the database user ("password authentication failed for user ..."), so it is
 * never part of the anonymous answer: {@code /healthz} says only {@code database: unreachable}.
 * The reason goes to the controller log, once per change of state (reachable, unreachable, or
 * unreachable for another reason), not once per request: a load balancer asking every second
 * while the database is down writes one line. {@code labscan-controller doctor} names the reason
 * too (it connects itself, as the operator).
 */
final class DatabaseProbe {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DatabaseProbe.class);
  /** How long one answer is reused. */
  static final Duration FRESH = Duration.ofSeconds(1);
  /** How long a probe may take before the database counts as unreachable. */
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** One answer: empty when reachable, else a short reason. */
  record Answer(Optional<String> problem, Instant at) {}

  private final Supplier<Optional<String>> probe;
  private final Clock clock;
  private final Consumer<Optional<String>> onChange;
  private @Nullable Answer last;
  private @Nullable CompletableFuture<Optional<String>> running;
  /** The last state told to {@code onChange}: null before the first answer. */
  private @Nullable Optional<String> told;

  DatabaseProbe(Supplier<Optional<String>> probe, Clock clock) {
    this(probe, clock, DatabaseProbe::logChange);
  }

  /**
   * @param onChange told each change of state (empty: reachable, else the reason), once per
   *     change; the first answer counts as a change only when the database is unreachable
   */
  DatabaseProbe(Supplier<Optional<String>> probe, Clock clock, Consumer<Optional<String>> onChange) {
    this.probe = requireNonNull(probe, "probe");
    this.clock = requireNonNull(clock, "clock");
    this.onChange = requireNonNull(onChange, "onChange");
  }

  private static void logChange(Optional<String> problem) {
    if (problem.isPresent()) {
      log.warn("/healthz: the database is unreachable: {} (answering 503 until it answers again)", problem.get());
    } else {
      log.info("/healthz: the database answers again");
    }
  }

  /** Remembers {@code answer} and tells {@code onChange} when the state changed; under the lock. */
  private void remember(Optional<String> answer) {
    last = new Answer(answer, clock.instant());
    Optional<String> before = told;
    boolean changed = before == null ? answer.isPresent() : !before.equals(answer);
    told = answer;
    if (changed) {
      try {
        onChange.accept(answer);
      } catch (RuntimeException e) {
        // a failing logger must not fail the health check
      }
    }
  }

  /** A probe running {@code SELECT 1} through {@code store}'s reads. */
  static DatabaseProbe of(Storage store, Clock clock) {
    requireNonNull(store, "store");
    return new DatabaseProbe(() -> {
      try {
        store.read(db -> {
          try (Statement st = db.createStatement()) {
            st.setQueryTimeout((int) TIMEOUT.toSeconds());
            return st.execute("SELECT 1");
          }
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
        remember(answer);
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
    remember(answer);
    if (running == f) {
      running = null;
    }
    f.complete(answer);
  }

  /**
   * The first line of the innermost message, printable ASCII, at most 120 characters: enough to
   * tell "connection refused" from "password authentication failed" in the log. Never shown
   * anonymously: it may name the database host, port and user (the driver never puts the
   * password in a message).
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
