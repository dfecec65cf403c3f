package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.verdict.Assessment;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictRepository.Assessed;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep's batch of assessments is saved in one write task; each host must come out exactly
 * as if it had been saved on its own.
 */
class BatchedVerdictSaveTest {
  @TempDir Path dir;
  private static final Instant T0 = Instant.parse("2026-11-27T02:00:00Z");
  private static final Instant T1 = T0.plusSeconds(60);

  private static Assessment assessment(Verdict verdict, String why) {
    return new Assessment(verdict, List.of(new Reason("test", why, "")));
  }

  private static List<Boolean> joinAll(List<CompletableFuture<Boolean>> futures) {
    return futures.stream().map(CompletableFuture::join).toList();
  }

  @Test
  void aBatchTellsForEachHostWhetherItsVerdictChanged() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.saveAssessment("host-a", assessment(Verdict.CLEAN, "scan clean"), T0);

      List<Boolean> changed = joinAll(store.saveAssessmentsLater(List.of(
          new Assessed("host-a", assessment(Verdict.CLEAN, "scan clean")),
          new Assessed("host-b", assessment(Verdict.AT_RISK, "definitions stale")),
          new Assessed("host-c", assessment(Verdict.CLEAN, "scan clean"))), T1));

      assertThat(changed).containsExactly(false, true, true);
    }
  }

  @Test
  void aBatchAppendsHistoryOnlyForTheVerdictsThatChanged() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.saveAssessment("host-a", assessment(Verdict.CLEAN, "scan clean"), T0);
      store.saveAssessment("host-b", assessment(Verdict.CLEAN, "scan clean"), T0);

      joinAll(store.saveAssessmentsLater(List.of(
          new Assessed("host-a", assessment(Verdict.CLEAN, "scan clean")),
          new Assessed("host-b", assessment(Verdict.INFECTED, "WINKABCD.EXE found"))), T1));

      assertThat(store.history("host-a")).extracting(VerdictRecord::verdict).containsExactly(Verdict.CLEAN);
      assertThat(store.history("host-b")).extracting(VerdictRecord::verdict)
          .containsExactly(Verdict.CLEAN, Verdict.INFECTED);
      assertThat(store.verdict("host-a").orElseThrow().since()).isEqualTo(T0);
      assertThat(store.verdict("host-b").orElseThrow().since()).isEqualTo(T1);
    }
  }

  @Test
  void aBatchUpdatesChangedReasonsOfAnUnchangedVerdictWithoutAHistoryRow() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.saveAssessment("host-a", assessment(Verdict.AT_RISK, "definitions 3 days old"), T0);

      List<Boolean> changed = joinAll(store.saveAssessmentsLater(
          List.of(new Assessed("host-a", assessment(Verdict.AT_RISK, "definitions 4 days old"))), T1));

      assertThat(changed).containsExactly(false);
      VerdictRecord stored = store.verdict("host-a").orElseThrow();
      assertThat(stored.reasons()).extracting(Reason::text).containsExactly("definitions 4 days old");
      assertThat(stored.since()).isEqualTo(T0);
      assertThat(store.history("host-a")).hasSize(1);
    }
  }

  @Test
  void aHostTwiceInOneBatchIsSavedAsIfOneSaveFollowedTheOther() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      List<Boolean> changed = joinAll(store.saveAssessmentsLater(List.of(
          new Assessed("host-a", assessment(Verdict.CLEAN, "scan clean")),
          new Assessed("host-a", assessment(Verdict.CLEAN, "scan clean")),
          new Assessed("host-a", assessment(Verdict.INFECTED, "WINKABCD.EXE found"))), T0));

      assertThat(changed).containsExactly(true, false, true);
      assertThat(store.history("host-a")).extracting(VerdictRecord::verdict)
          .containsExactly(Verdict.CLEAN, Verdict.INFECTED);
      assertThat(store.verdict("host-a").orElseThrow().verdict()).isEqualTo(Verdict.INFECTED);
    }
  }

  @Test
  void oneHostsFailedSaveDoesNotFailTheOtherHostsOfItsBatch() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.write(db -> {
        try (Statement st = db.createStatement()) {
          st.execute("CREATE TRIGGER refuse_one BEFORE INSERT ON verdict_history WHEN NEW.host_id = 'host-refused' "
              + "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
        }
        return null;
      }).join();

      List<CompletableFuture<Boolean>> saves = store.saveAssessmentsLater(List.of(
          new Assessed("host-a", assessment(Verdict.CLEAN, "scan clean")),
          new Assessed("host-refused", assessment(Verdict.CLEAN, "scan clean")),
          new Assessed("host-c", assessment(Verdict.INFECTED, "WINKABCD.EXE found"))), T0);

      assertThat(saves.get(0).join()).isTrue();
      assertThatThrownBy(() -> saves.get(1).join()).isInstanceOf(CompletionException.class)
          .hasMessageContaining("refused by the test");
      assertThat(saves.get(2).join()).isTrue();
      assertThat(store.verdicts()).extracting(VerdictRecord::hostId).containsExactly("host-a", "host-c");
      assertThat(store.history("host-a")).hasSize(1);
      assertThat(store.history("host-c")).hasSize(1);
      assertThat(store.history("host-refused")).isEmpty();
    }
  }

  @Test
  void anEmptyBatchWritesNothing() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      assertThat(store.saveAssessmentsLater(List.of(), T0)).isEmpty();
      assertThat(store.verdicts()).isEmpty();
    }
  }
}
