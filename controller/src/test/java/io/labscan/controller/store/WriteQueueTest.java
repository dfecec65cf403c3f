package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The single writer: what runs after a commit does not run on, or hold up, the writer. */
class WriteQueueTest {
  @TempDir Path dir;

  @Test
  void whatFollowsACommitRunsOffTheWriterThread() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      AtomicReference<String> writerThread = new AtomicReference<>();
      CompletableFuture<String> followUp = store.write(db -> {
        writerThread.set(Thread.currentThread().getName());
        return null;
      }).thenApply(ignored -> Thread.currentThread().getName());

      assertThat(followUp.join()).isNotEqualTo(writerThread.get());
    }
  }

  @Test
  void aSlowFollowUpDoesNotKeepLaterWritesFromCommitting() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.write(db -> {
        try (Statement st = db.createStatement()) {
          st.execute("CREATE TABLE marks(name TEXT)");
        }
        return null;
      }).join();
      // An acknowledgement stuck on a slow client, say.
      store.write(db -> insert(db, "first")).thenRun(() -> awaitQuietly(release));

      store.write(db -> insert(db, "second"));

      await().atMost(Duration.ofSeconds(10)).until(() -> count(store) == 2);
      release.countDown();
    }
  }

  private static Void insert(java.sql.Connection db, String name) throws java.sql.SQLException {
    try (PreparedStatement ps = db.prepareStatement("INSERT INTO marks(name) VALUES (?)")) {
      ps.setString(1, name);
      ps.executeUpdate();
    }
    return null;
  }

  private static int count(Storage store) {
    return store.read(db -> {
      try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM marks")) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    });
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
