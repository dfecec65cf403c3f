package io.labscan.controller.store;

import io.labscan.controller.store.postgres.PostgresDatabase;
import io.labscan.testsupport.PostgresServer;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link ComplaintTracesContract} on PostgreSQL (its V029 twin and the same SQL). */
class ComplaintTracesOnPostgresTest {
  private static PostgresServer server;
  private PostgresDatabase db;

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
    PostgresServer.TestDatabase test = server.createDatabase();
    DatabaseUrl.Postgres url = (DatabaseUrl.Postgres) DatabaseUrl.parse(test.url() + "?sslmode=disable");
    db = PostgresDatabase.open(url, new DatabaseCredentials(test.user(), Optional.of(test.password())),
        Clock.systemUTC());
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void recordingAgainReplacesTheEarlierTraceAndKeepsItInTheHistory() {
    ComplaintTracesContract.recordingAgainReplacesTheEarlierTraceAndKeepsItInTheHistory(db);
  }

  @Test
  void anotherMessageWithTheSameMessageIdKeepsItsOwnTrace() {
    ComplaintTracesContract.anotherMessageWithTheSameMessageIdKeepsItsOwnTrace(db);
  }

  @Test
  void aTraceRecordedBeforeTheKeyExistedIsSupersededByItsMessageId() {
    ComplaintTracesContract.aTraceRecordedBeforeTheKeyExistedIsSupersededByItsMessageId(db);
  }

  @Test
  void withdrawingOneHostsTraceMovesItToTheHistoryAndKeepsTheOthers() {
    ComplaintTracesContract.withdrawingOneHostsTraceMovesItToTheHistoryAndKeepsTheOthers(db);
  }
}
