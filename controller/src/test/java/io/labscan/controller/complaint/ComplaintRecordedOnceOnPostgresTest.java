package io.labscan.controller.complaint;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.store.Storage;
import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link ComplaintRecordedOnceTest} on a real PostgreSQL server, and the race it is for: two
 * controllers (two stores, each with its own pools and writer, on one database) record the same
 * messages at the same moment; each message is stored once and exactly one of them is told it
 * recorded it.
 */
class ComplaintRecordedOnceOnPostgresTest extends ComplaintRecordedOnceTest {
  @Override
  Storage open(Path file) {
    return PostgresStorage.open(file);
  }

  @Test
  void twoControllersRecordingTheSameMessagesAtOnceStoreEachOnce() throws Exception {
    try (Storage a = PostgresStorage.open(dir.resolve("fleet")); Storage b = PostgresStorage.open(dir.resolve("fleet"))) {
      ComplaintLog logA = new ComplaintLog(a);
      ComplaintLog logB = new ComplaintLog(b);
      int messages = 40;
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<List<Boolean>>> runs = new ArrayList<>();
      for (ComplaintLog log : List.of(logA, logB)) {
        runs.add(CompletableFuture.supplyAsync(() -> {
          try {
            go.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          List<Boolean> firsts = new ArrayList<>();
          for (int uid = 1; uid <= messages; uid++) {
            firsts.add(log.record(complaint("<worm-" + uid + "@lab-pc-07>", log == logA ? "a" : "b"), 7, uid).first());
          }
          return firsts;
        }));
      }
      go.countDown();
      List<Boolean> byA = runs.get(0).get(60, TimeUnit.SECONDS);
      List<Boolean> byB = runs.get(1).get(60, TimeUnit.SECONDS);

      for (int i = 0; i < messages; i++) {
        assertThat(byA.get(i) ^ byB.get(i)).as("UID %d recorded first by exactly one controller", i + 1).isTrue();
      }
      assertThat(logA.list(ComplaintLog.MAX_LIST, OptionalLong.empty())).hasSize(messages)
          .extracting(ComplaintRecord::messageKey).doesNotHaveDuplicates();
    }
  }
}
