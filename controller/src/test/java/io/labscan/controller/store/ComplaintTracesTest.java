package io.labscan.controller.store;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ComplaintTracesContract} on a real SQLite file. */
class ComplaintTracesTest {
  @TempDir Path dir;
  private Storage store;

  @BeforeEach
  void open() {
    store = Storage.open(dir.resolve("c.db"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void recordingAgainReplacesTheEarlierTraceAndKeepsItInTheHistory() {
    ComplaintTracesContract.recordingAgainReplacesTheEarlierTraceAndKeepsItInTheHistory(store.database());
  }

  @Test
  void anotherMessageWithTheSameMessageIdKeepsItsOwnTrace() {
    ComplaintTracesContract.anotherMessageWithTheSameMessageIdKeepsItsOwnTrace(store.database());
  }

  @Test
  void aTraceRecordedBeforeTheKeyExistedIsSupersededByItsMessageId() {
    ComplaintTracesContract.aTraceRecordedBeforeTheKeyExistedIsSupersededByItsMessageId(store.database());
  }

  @Test
  void withdrawingOneHostsTraceMovesItToTheHistoryAndKeepsTheOthers() {
    ComplaintTracesContract.withdrawingOneHostsTraceMovesItToTheHistoryAndKeepsTheOthers(store.database());
  }
}
