package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.store.postgres.PostgresDatabase;
import io.labscan.testsupport.PostgresServer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Secrets made at first start ({@link SqlSettings#secret}) when several controllers share one
 * PostgreSQL database and start together (found by the two-controller {@code KlezStoryIT}: the
 * second controller's start failed on the primary key of {@code settings}).
 */
class SqlSettingsOnPostgresTest {
  private static final int CONTROLLERS = 4;
  private static PostgresServer server;

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

  @Test
  void controllersAskingForANewSecretAtTheSameTimeAllGetTheOneStoredFirst() throws Exception {
    PostgresServer.TestDatabase db = server.createDatabase();
    DatabaseUrl.Postgres url = (DatabaseUrl.Postgres) DatabaseUrl.parse(db.url() + "?sslmode=disable");
    DatabaseCredentials credentials = new DatabaseCredentials(db.user(), Optional.of(db.password()));
    List<PostgresDatabase> databases = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(CONTROLLERS);
    try {
      for (int i = 0; i < CONTROLLERS; i++) {
        databases.add(PostgresDatabase.open(url, credentials, Clock.systemUTC()));
      }
      // Many names, each asked for by every controller at once: the window between the
      // SELECT that finds nothing and the INSERT is hit on most of them.
      for (int round = 0; round < 20; round++) {
        String name = "fleet-secret-" + round;
        CyclicBarrier together = new CyclicBarrier(CONTROLLERS);
        List<CompletableFuture<byte[]>> asked = new ArrayList<>();
        for (PostgresDatabase database : databases) {
          SqlSettings settings = new SqlSettings(database);
          asked.add(CompletableFuture.supplyAsync(() -> {
            try {
              together.await();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            return settings.secret(name);
          }, threads));
        }
        byte[] first = asked.get(0).join();
        assertThat(first).hasSize(32);
        for (CompletableFuture<byte[]> other : asked) {
          assertThat(other.join()).as(name).isEqualTo(first);
        }
        assertThat(new SqlSettings(databases.get(0)).setting(name)).hasValueSatisfying(v -> assertThat(v)
            .isEqualTo(first));
      }
    } finally {
      threads.shutdownNow();
      for (PostgresDatabase database : databases) {
        database.close();
      }
    }
  }
}
