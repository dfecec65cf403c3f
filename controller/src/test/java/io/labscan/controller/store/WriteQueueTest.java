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

  @Test
  void itemsOfOneGroupQueuedTogetherRunInOneCall() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      createMarks(store);
      java.util.List<java.util.List<String>> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
      WriteQueue.Group<String, Integer> group = (db, names) -> {
        calls.add(java.util.List.copyOf(names));
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (String name : names) {
          insert(db, name);
          out.add(name.length());
        }
        return out;
      };
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Void> blocker = blockWriter(store, release);
      CompletableFuture<Integer> a = store.database().writeGrouped(group, "a");
      CompletableFuture<Integer> bb = store.database().writeGrouped(group, "bb");
      CompletableFuture<Integer> ccc = store.database().writeGrouped(group, "ccc");
      release.countDown();
      blocker.join();

      assertThat(java.util.List.of(a.join(), bb.join(), ccc.join())).containsExactly(1, 2, 3);
      assertThat(calls).containsExactly(java.util.List.of("a", "bb", "ccc"));
      assertThat(count(store)).isEqualTo(3);
    }
  }

  @Test
  void aFailingItemOfAGroupFailsAloneAndTheOthersAreCommitted() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      createMarks(store);
      WriteQueue.Group<String, String> group = (db, names) -> {
        for (String name : names) {
          insert(db, name);
          if (name.equals("bad")) {
            throw new java.sql.SQLException("refused: " + name);
          }
        }
        return names;
      };
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Void> blocker = blockWriter(store, release);
      CompletableFuture<String> good = store.database().writeGrouped(group, "good");
      CompletableFuture<String> bad = store.database().writeGrouped(group, "bad");
      CompletableFuture<String> alsoGood = store.database().writeGrouped(group, "also good");
      release.countDown();
      blocker.join();

      assertThat(good.join()).isEqualTo("good");
      assertThat(alsoGood.join()).isEqualTo("also good");
      assertThat(bad).isCompletedExceptionally();
      assertThat(count(store)).isEqualTo(2);
    }
  }

  private static void createMarks(Storage store) {
    store.write(db -> {
      try (Statement st = db.createStatement()) {
        st.execute("CREATE TABLE marks(name TEXT)");
      }
      return null;
    }).join();
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

  /**
   * Occupies the writer until {@code release}; returns once the writer runs it, so that what is
   * queued next waits behind it and is drained as one batch (queued before the writer took the
   * blocker's batch, an item could share that batch alone: a race the first version of this test lost).
   */
  private static CompletableFuture<Void> blockWriter(Storage store, CountDownLatch release) {
    CountDownLatch running = new CountDownLatch(1);
    CompletableFuture<Void> blocker = store.update(db -> {
      running.countDown();
      awaitQuietly(release);
    });
    awaitQuietly(running);
    return blocker;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
