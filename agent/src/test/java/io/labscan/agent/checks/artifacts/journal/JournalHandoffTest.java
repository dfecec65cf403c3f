package io.labscan.agent.checks.artifacts.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JournalHandoffTest {
  private static final long DEV = 0x0000000800000001L;
  private static final long FS = 42;
  private static final FolderHandle A = DirtyFoldersTest.handle(FS, 1);
  private static final FolderHandle B = DirtyFoldersTest.handle(FS, 2);
  private final JournalSnapshot snapshot = new JournalSnapshot(7, 3, true, "", Map.of(FS, DEV), Map.of(A, 2L, B, 3L),
      Map.of(42L, 3L));

  @Test
  void aSnapshotSurvivesTheTripToTheWorker() {
    assertThat(JournalHandoff.decode(JournalHandoff.encode(snapshot))).contains(snapshot);
  }

  @Test
  void aTruncatedSnapshotIsRefused() {
    byte[] bytes = JournalHandoff.encode(snapshot);

    assertThat(JournalHandoff.decode(Arrays.copyOf(bytes, bytes.length - 1))).isEmpty();
  }

  @Test
  void aSnapshotClaimingMoreEntriesThanItsBytesIsRefusedWithoutAllocatingThem() {
    byte[] bytes = JournalHandoff.encode(new JournalSnapshot(7, 3, true, "", Map.of(FS, DEV), Map.of(), Map.of()));
    int countAt = bytes.length - 8; // the dirty count, then the (empty) relinked count
    bytes[countAt] = 0x7f; // dirty count 0x7f000000

    assertThat(JournalHandoff.decode(bytes)).isEmpty();
  }

  @Test
  void bytesThatAreNoSnapshotAreRefused() {
    assertThat(JournalHandoff.decode("policy.pb by mistake".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
        .isEmpty();
  }

  @Test
  void aCompletionNamesExactlyItsSnapshot() {
    byte[] done = JournalHandoff.encodeCompleted(snapshot);

    assertThat(JournalHandoff.completes(done, snapshot)).isTrue();
    assertThat(JournalHandoff.completes(done, new JournalSnapshot(7, 4, true, "", Map.of(FS, DEV), Map.of(), Map.of()))).isFalse();
    assertThat(JournalHandoff.completes(done, new JournalSnapshot(8, 3, true, "", Map.of(FS, DEV), Map.of(), Map.of()))).isFalse();
  }

  @Test
  void theHandedOverJournalTellsTheDaemonOnlyAboutItsOwnSnapshot() {
    java.util.List<JournalSnapshot> told = new java.util.ArrayList<>();
    HandedOverJournal journal = new HandedOverJournal(snapshot, told::add);

    journal.completed(JournalSnapshot.none("other"));
    journal.completed(journal.checkpoint());

    assertThat(told).containsExactly(snapshot);
  }
}
