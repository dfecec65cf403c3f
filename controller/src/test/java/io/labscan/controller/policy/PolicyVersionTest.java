package io.labscan.controller.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.store.Storage;
import io.labscan.testsupport.TestWiring;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyVersionTest {
  private static final int CHANGES_EACH = 25;

  @TempDir Path dir;

  @Test
  void twoWritersOnOneDatabaseFileNeverGetTheSameVersion() throws Exception {
    Path db = dir.resolve("controller.db");
    // Two stores on one file: two connections to the writer lock, as 'serve' and a
    // 'labscan-controller policy' run in another process have.
    try (Storage first = Storage.open(db); Storage second = Storage.open(db)) {
      PolicyProvider a = TestWiring.policies(first, Clock.systemUTC());
      PolicyProvider b = TestWiring.policies(second, Clock.systemUTC());
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService writers = Executors.newFixedThreadPool(2);
      try {
        Future<List<Long>> fromA = writers.submit(changes(go, i -> a.setEgressSettings(
            new EgressSettings(i % 2 == 0, List.of("postfix"), Optional.of(Duration.ofSeconds(60 + i))))));
        Future<List<Long>> fromB = writers.submit(changes(go, i -> b.setCheckBudgets(Map.of("files", 100L + i))));
        go.countDown();
        List<Long> all = new ArrayList<>(fromA.get());
        all.addAll(fromB.get());

        Set<Long> distinct = new HashSet<>(all);
        assertThat(distinct).hasSize(2 * CHANGES_EACH);
        assertThat(all).allSatisfy(v -> assertThat(v).isBetween(2L, 1L + 2 * CHANGES_EACH));
        a.invalidate();
        assertThat(a.current().getVersion()).isEqualTo(1L + 2 * CHANGES_EACH);
      } finally {
        writers.shutdownNow();
      }
    }
  }

  @Test
  void theVersionAChangeReturnsIsTheOneAgentsAreSent() {
    try (Storage store = Storage.open(dir.resolve("controller.db"))) {
      PolicyProvider policies = TestWiring.policies(store, Clock.systemUTC());
      long before = policies.current().getVersion();

      long version = policies.setArtifactRules("campus-rules", "fileNames: [\"x.exe\"]\n".getBytes());

      assertThat(version).isEqualTo(before + 1);
      assertThat(policies.current().getVersion()).isEqualTo(version);
      assertThat(policies.current().getArtifactRulesName()).isEqualTo("campus-rules");
    }
  }

  private interface Change {
    long apply(int i);
  }

  private static Callable<List<Long>> changes(CountDownLatch go, Change change) {
    return () -> {
      go.await();
      List<Long> versions = new ArrayList<>();
      for (int i = 0; i < CHANGES_EACH; i++) {
        versions.add(change.apply(i));
      }
      return versions;
    };
  }
}
