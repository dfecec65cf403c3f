package io.labscan.agent.checks.artifacts.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The journal's bookkeeping, without a kernel: positions, epochs, the cap, completed scans. */
class DirtyFoldersTest {
  private static final long DEV = 0x0000000800000001L;
  private static final long FS = 0x0102030405060708L;
  private static final FolderHandle A = handle(FS, 1);
  private static final FolderHandle B = handle(FS, 2);

  private final AtomicLong epochs = new AtomicLong(100);
  private final DirtyFolders journal = new DirtyFolders(3, epochs::incrementAndGet);

  @Test
  void aFolderChangedBeforeAScanStartedIsTrustedAgainstThatScansRecord() {
    journal.changed(A);
    JournalSnapshot scan = journal.checkpoint(Map.of(FS, DEV));
    JournalSnapshot next = journal.checkpoint(Map.of(FS, DEV));

    assertThat(next.unchangedSince(A, scan.epoch(), scan.position())).isTrue();
  }

  @Test
  void aFolderChangedAfterAScanStartedIsNotTrustedAgainstThatScansRecord() {
    JournalSnapshot scan = journal.checkpoint(Map.of(FS, DEV));
    journal.changed(A);
    JournalSnapshot next = journal.checkpoint(Map.of(FS, DEV));

    assertThat(next.unchangedSince(A, scan.epoch(), scan.position())).isFalse();
    assertThat(next.unchangedSince(B, scan.epoch(), scan.position())).isTrue();
  }

  @Test
  void aCompletedScanDropsTheChangesItCoveredAndKeepsLaterOnes() {
    journal.changed(A);
    JournalSnapshot scan = journal.checkpoint(Map.of(FS, DEV));
    journal.changed(B);

    journal.completed(scan);

    assertThat(journal.checkpoint(Map.of(FS, DEV)).dirty()).containsOnlyKeys(B);
  }

  @Test
  void changesAreKeptWhenTheScanDidNotComplete() {
    JournalSnapshot failed = journal.checkpoint(Map.of(FS, DEV));
    journal.changed(A);
    // no completed(failed): the scan failed or was cancelled

    JournalSnapshot retry = journal.checkpoint(Map.of(FS, DEV));

    assertThat(retry.dirty()).containsKey(A);
    assertThat(retry.unchangedSince(A, failed.epoch(), failed.position())).isFalse();
  }

  @Test
  void aRestartMakesEveryEarlierRecordUntrusted() {
    JournalSnapshot scan = journal.checkpoint(Map.of(FS, DEV));

    journal.restart("the kernel's event queue overflowed");

    JournalSnapshot next = journal.checkpoint(Map.of(FS, DEV));
    assertThat(next.epoch()).isNotEqualTo(scan.epoch());
    assertThat(next.unchangedSince(B, scan.epoch(), scan.position())).isFalse();
    assertThat(journal.lastRestart()).isEqualTo("the kernel's event queue overflowed");
  }

  @Test
  void moreChangedFoldersThanTheCapRestartTheJournal() {
    long before = journal.checkpoint(Map.of(FS, DEV)).epoch();
    for (int i = 1; i <= 4; i++) {
      journal.changed(handle(FS, i));
    }

    assertThat(journal.restarts()).isEqualTo(1);
    assertThat(journal.size()).isZero();
    assertThat(journal.checkpoint(Map.of(FS, DEV)).epoch()).isNotEqualTo(before);
  }

  @Test
  void completingAScanOfAnEarlierEpochDropsNothing() {
    JournalSnapshot old = journal.checkpoint(Map.of(FS, DEV));
    journal.restart("malformed event");
    journal.changed(A);

    journal.completed(old);

    assertThat(journal.size()).isEqualTo(1);
  }

  @Test
  void aFolderOnAFileSystemTheJournalDoesNotWatchIsNeverTrusted() {
    JournalSnapshot scan = journal.checkpoint(Map.of(FS, DEV));
    FolderHandle elsewhere = handle(FS + 1, 1);

    assertThat(journal.checkpoint(Map.of(FS, DEV)).unchangedSince(elsewhere, scan.epoch(), scan.position())).isFalse();
  }

  @Test
  void anotherDeviceWithAWatchedFileSystemsIdIsNotWatched() {
    JournalSnapshot now = journal.checkpoint(Map.of(FS, DEV));

    assertThat(now.watches(FS, DEV)).isTrue();
    assertThat(now.watches(FS, DEV + 1)).isFalse(); // e.g. a mounted block-level clone of the watched disk
  }

  @Test
  void aFileGivenAnotherNameAfterAScanIsNamedInTheNextSnapshot() {
    JournalSnapshot scan = journal.checkpoint(Map.of(FS, DEV));

    journal.relinked(42);

    JournalSnapshot next = journal.checkpoint(Map.of(FS, DEV));
    assertThat(next.anyRelinkedInEpoch(new long[] {7, 42})).isTrue();
    assertThat(next.anyRelinkedInEpoch(new long[] {7})).isFalse();
    assertThat(next.epoch()).isEqualTo(scan.epoch());
  }

  @Test
  void aRelinkedFileStaysUntrustedForTheWholeEpochEvenAfterACompletedScan() {
    journal.relinked(42);
    JournalSnapshot scan = journal.checkpoint(Map.of(FS, DEV));

    journal.completed(scan);

    JournalSnapshot later = journal.checkpoint(Map.of(FS, DEV));
    assertThat(later.anyRelinkedInEpoch(new long[] {42})).isTrue();
  }

  @Test
  void aSnapshotOfNoJournalTrustsNothing() {
    JournalSnapshot none = JournalSnapshot.none("not root");

    assertThat(none.unchangedSince(A, 0, 0)).isFalse();
  }

  @Test
  void aRecordFromAPositionTheJournalHasNotReachedIsNotTrusted() {
    JournalSnapshot now = journal.checkpoint(Map.of(FS, DEV));

    assertThat(now.unchangedSince(A, now.epoch(), now.position() + 5)).isFalse();
  }

  static FolderHandle handle(long fsid, int inode) {
    byte[] b = new byte[FolderHandle.PREFIX + 8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (fsid >>> (8 * i));
    }
    b[8] = 1; // handle type
    b[FolderHandle.PREFIX] = (byte) inode;
    b[FolderHandle.PREFIX + 1] = (byte) (inode >>> 8);
    return FolderHandle.of(b);
  }
}
