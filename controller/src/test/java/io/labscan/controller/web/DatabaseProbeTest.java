package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The /healthz database probe: one query per second at most, however many requests come. */
class DatabaseProbeTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T12:00:00Z"));

  @Test
  void aFloodOfRequestsWithinASecondCostsOneQuery() {
    AtomicInteger queries = new AtomicInteger();
    DatabaseProbe probe = new DatabaseProbe(() -> {
      queries.incrementAndGet();
      return Optional.empty();
    }, clock);

    for (int i = 0; i < 100; i++) {
      assertThat(probe.problem()).isEmpty();
    }

    assertThat(queries).hasValue(1);
  }

  @Test
  void theDatabaseIsAskedAgainOnceTheAnswerIsASecondOld() {
    AtomicInteger queries = new AtomicInteger();
    DatabaseProbe probe = new DatabaseProbe(() -> queries.incrementAndGet() == 1 ? Optional.empty()
        : Optional.of("Connection to 127.0.0.1:5432 refused."), clock);
    assertThat(probe.problem()).isEmpty();

    clock.advance(Duration.ofSeconds(1));

    assertThat(probe.problem()).contains("Connection to 127.0.0.1:5432 refused.");
    assertThat(queries).hasValue(2);
  }

  @Test
  void aFailingProbeAnswersWithTheFirstLineOfItsInnermostCause() {
    DatabaseProbe probe = new DatabaseProbe(() -> {
      throw new IllegalStateException("Cannot read data", new java.sql.SQLException(
          "FATAL: the database system is shutting down\n  Detail: more"));
    }, clock);

    assertThat(probe.problem()).contains("FATAL: the database system is shutting down");
  }

  @Test
  void theReasonGoesToTheLogOncePerChangeOfStateNotOncePerRequest() {
    java.util.List<Optional<String>> told = new java.util.ArrayList<>();
    java.util.concurrent.atomic.AtomicReference<Optional<String>> db = new java.util.concurrent.atomic.AtomicReference<>(
        Optional.empty());
    DatabaseProbe probe = new DatabaseProbe(db::get, clock, told::add);

    assertThat(probe.problem()).isEmpty();
    db.set(Optional.of("FATAL: password authentication failed for user \"labscan\""));
    for (int i = 0; i < 30; i++) { // a load balancer asking every second for half a minute
      clock.advance(Duration.ofSeconds(1));
      assertThat(probe.problem()).isPresent();
    }
    db.set(Optional.empty());
    clock.advance(Duration.ofSeconds(1));
    assertThat(probe.problem()).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    assertThat(probe.problem()).isEmpty();

    assertThat(told).containsExactly(Optional.of("FATAL: password authentication failed for user \"labscan\""),
        Optional.empty());
  }
}
