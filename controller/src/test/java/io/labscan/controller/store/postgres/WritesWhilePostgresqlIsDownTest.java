package io.labscan.controller.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.labscan.controller.store.DatabaseCredentials;
import io.labscan.controller.store.DatabaseUrl;
import io.labscan.controller.store.StoreException;
import io.labscan.testsupport.PostgresServer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: while PostgreSQL is down, the controller's single writer answers every write, queued or
 * new, within a bounded time (the WriteQueue's circuit, PostgresDatabase's writer timeouts), marked
 * {@link StoreException#databaseUnreachable() unreachable}; nothing acknowledged is lost, and once
 * the server is back writes are taken again. A real PostgreSQL server, stopped and started as
 * MultiControllerFaultIT does ({@code pg_ctl stop -m fast}).
 */
class WritesWhilePostgresqlIsDownTest {
  /**
   * How long a write may wait for its answer while the database is down: well inside an agent's
   * 30 s report deadline (before the circuit, reports queued behind a writer waiting for a
   * connection went past it).
   */
  private static final Duration ANSWER_BOUND = Duration.ofSeconds(20);

  private static PostgresServer server;
  private PostgresDatabase pg;

  @BeforeAll
  static void start() throws Exception {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void open() throws Exception {
    PostgresServer.TestDatabase db = server.createDatabase();
    pg = PostgresDatabase.open((DatabaseUrl.Postgres) DatabaseUrl.parse(db.url() + "?sslmode=disable"),
        new DatabaseCredentials(db.user(), Optional.of(db.password())), Clock.systemUTC());
    pg.inTransaction(c -> {
      try (Statement st = c.createStatement()) {
        st.execute("CREATE TABLE delivered (id BIGINT PRIMARY KEY)");
      }
      return null;
    });
  }

  @AfterEach
  void close() throws Exception {
    server.restart(); // running again for the next test, whatever this one left
    pg.close();
  }

  /** A write as the ingest makes one: one row, its future completing after the commit. */
  private CompletableFuture<Long> deliver(long id) {
    return pg.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO delivered(id) VALUES (?)")) {
        ps.setLong(1, id);
        ps.executeUpdate();
      }
      return id;
    });
  }

  private record Sent(long id, long submittedNanos, CompletableFuture<Long> answer) {}

  @Test
  void everyWriteInFlightWhilePostgresqlRestartsIsAnsweredPromptlyAndEveryAcknowledgedOneIsStored()
      throws Exception {
    ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    AtomicLong ids = new AtomicLong();
    AtomicLong acked = new AtomicLong();
    // Load: 20 writes every 10 ms, before, during and after the outage (a busy controller's ingest).
    ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
    load.scheduleWithFixedDelay(() -> {
      for (int i = 0; i < 20; i++) {
        long id = ids.incrementAndGet();
        long at = System.nanoTime();
        CompletableFuture<Long> answer = deliver(id);
        answer.whenComplete((v, e) -> {
          latencies.add(System.nanoTime() - at);
          if (e == null) {
            acked.incrementAndGet();
          }
        });
        sent.add(new Sent(id, at, answer));
      }
    }, 0, 10, TimeUnit.MILLISECONDS);
    try {
      await("writes committing").atMost(Duration.ofSeconds(60)).until(() -> acked.get() >= 2_000);
      server.stop();
      await("the writer finding the database unreachable").atMost(ANSWER_BOUND)
          .until(() -> pg.writesRefused().isPresent());
      long refusedBefore = sent.stream().filter(s -> s.answer().isCompletedExceptionally()).count();
      await("writes refused while the server is down").atMost(ANSWER_BOUND)
          .until(() -> sent.stream().filter(s -> s.answer().isCompletedExceptionally()).count() > refusedBefore + 1_000);
      server.restart();
      long ackedAfterRestart = acked.get();
      await("writes committing again").atMost(Duration.ofSeconds(60)).until(() -> acked.get() > ackedAfterRestart + 1_000);
    } finally {
      load.shutdown();
      assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    await("an answer to every write").atMost(ANSWER_BOUND).until(() -> sent.stream().allMatch(s -> s.answer().isDone()));
    List<Throwable> failures = new ArrayList<>();
    Set<Long> acknowledged = new HashSet<>();
    for (Sent s : sent) {
      try {
        acknowledged.add(s.answer().join());
      } catch (CompletionException e) {
        failures.add(e.getCause());
      }
    }
    long slowest = latencies.stream().mapToLong(Long::longValue).max().orElse(0);
    System.out.printf("%d writes: %d acknowledged, %d refused; slowest answer %d ms%n", sent.size(),
        acknowledged.size(), failures.size(), TimeUnit.NANOSECONDS.toMillis(slowest));
    assertThat(failures).as("writes refused while the server was down").isNotEmpty()
        .allSatisfy(f -> assertThat(f).isInstanceOfSatisfying(StoreException.class,
            e -> assertThat(e.databaseUnreachable()).as(e.getMessage()).isTrue()));
    assertThat(Duration.ofNanos(slowest)).as("the slowest answer").isLessThan(ANSWER_BOUND);
    Set<Long> stored = pg.read("delivered", c -> {
      Set<Long> out = new HashSet<>();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM delivered")) {
        while (rs.next()) {
          out.add(rs.getLong(1));
        }
      }
      return out;
    });
    assertThat(stored).as("rows in the database").containsAll(acknowledged);
  }

  @Test
  void whileTheDatabaseIsUnreachableANewWriteIsRefusedAtOnceAndSaysWhy() throws Exception {
    deliver(1).join();
    server.stop();
    await("the writer finding the database unreachable").atMost(ANSWER_BOUND).until(() -> {
      deliver(2).handle((v, e) -> null).join();
      return pg.writesRefused().isPresent();
    });

    CompletableFuture<Long> refused = deliver(3);

    assertThat(refused).as("answered before the call returns").isCompletedExceptionally();
    assertThatThrownBy(refused::join).cause().isInstanceOfSatisfying(StoreException.class, e -> {
      assertThat(e.databaseUnreachable()).isTrue();
      assertThat(e.getMessage()).contains("The database cannot be reached", "Nothing of this write was stored");
    });
  }

  @Test
  void whileTheDatabaseIsUnreachableAReadIsRefusedAtOnceAsUnreachable() throws Exception {
    server.stop();
    await("the writer finding the database unreachable").atMost(ANSWER_BOUND).until(() -> {
      deliver(4).handle((v, e) -> null).join();
      return pg.writesRefused().isPresent();
    });

    assertThatThrownBy(() -> pg.read("hosts", c -> 1)).isInstanceOfSatisfying(StoreException.class,
        e -> assertThat(e.databaseUnreachable()).isTrue());
  }

  @Test
  void oncePostgresqlIsBackTheWriterTakesWritesAgain() throws Exception {
    server.stop();
    await("the writer finding the database unreachable").atMost(ANSWER_BOUND).until(() -> {
      deliver(5).handle((v, e) -> null).join();
      return pg.writesRefused().isPresent();
    });

    server.restart();

    AtomicLong ids = new AtomicLong(100);
    await("a write committed again").atMost(Duration.ofSeconds(30))
        .until(() -> deliver(ids.incrementAndGet()).handle((v, e) -> e == null).join());
    assertThat(pg.writesRefused()).isEmpty();
  }
}
