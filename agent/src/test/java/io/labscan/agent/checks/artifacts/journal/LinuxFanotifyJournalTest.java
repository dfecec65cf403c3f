package io.labscan.agent.checks.artifacts.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import io.labscan.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real fanotify journal on a temporary folder. Skipped only where fanotify cannot be used
 * at all (not Linux, not root, no fanotify); CI here runs as root, so these run. Other
 * processes write to the same file system meanwhile, so assertions are about the folders of
 * this test, never about the total.
 */
class LinuxFanotifyJournalTest {
  @TempDir Path tmp;
  private Path root;
  private LinuxFanotifyJournal journal;

  @BeforeEach
  void setUp() throws Exception {
    root = Files.createDirectories(tmp.resolve("tree")).toRealPath();
    Files.createDirectories(root.resolve("a/b"));
    Files.createDirectories(root.resolve("c"));
    Files.writeString(root.resolve("a/b/x.bin"), "twelve bytes");
    Files.writeString(root.resolve("c/y.bin"), "other bytes");
    journal = start(DirtyFolders.DEFAULT_CAP);
  }

  @AfterEach
  void tearDown() {
    if (journal != null) {
      journal.close();
    }
  }

  @Test
  void creatingAFileMarksItsFolderOnly() throws Exception {
    JournalSnapshot before = journal.checkpoint();

    Files.writeString(root.resolve("a/b/new.exe"), "MZ");

    Map<String, FolderHandle> ids = FolderIdentities.of(root);
    JournalSnapshot after = journal.checkpoint();
    assertThat(after.unchangedSince(ids.get("a/b"), before.epoch(), before.position())).isFalse();
    assertThat(after.unchangedSince(ids.get("a"), before.epoch(), before.position())).isTrue();
    assertThat(after.unchangedSince(ids.get("c"), before.epoch(), before.position())).isTrue();
  }

  @Test
  void aChangeMadeBeforeTheCheckpointIsInIt() throws Exception {
    Files.writeString(root.resolve("c/y.bin"), "rewritten!!");

    JournalSnapshot snapshot = journal.checkpoint();

    assertThat(snapshot.dirty()).containsKey(FolderIdentities.of(root).get("c"));
  }

  @Test
  void rewritingAFileInPlaceAndSettingItsTimeBackStillMarksItsFolder() throws Exception {
    Path file = root.resolve("a/b/x.bin");
    FileTime time = Files.getLastModifiedTime(file);
    JournalSnapshot before = journal.checkpoint();

    Files.writeString(file, "TWELVE BYTES"); // same size
    Files.setLastModifiedTime(file, time); // touch -d

    JournalSnapshot after = journal.checkpoint();
    assertThat(after.unchangedSince(FolderIdentities.of(root).get("a/b"), before.epoch(), before.position()))
        .isFalse();
  }

  @Test
  void renamingAFolderMarksItsParent() throws Exception {
    Map<String, FolderHandle> ids = FolderIdentities.of(root);
    JournalSnapshot before = journal.checkpoint();

    Files.move(root.resolve("a/b"), root.resolve("a/b2"));

    JournalSnapshot after = journal.checkpoint();
    assertThat(after.unchangedSince(ids.get("a"), before.epoch(), before.position())).isFalse();
    assertThat(FolderIdentities.of(root).get("a/b2")).isEqualTo(ids.get("a/b")); // same folder, new path
  }

  @Test
  void deletingAFileMarksItsFolderWithoutRestartingTheJournal() throws Exception {
    JournalSnapshot before = journal.checkpoint();

    Files.delete(root.resolve("c/y.bin"));

    JournalSnapshot after = journal.checkpoint();
    assertThat(after.epoch()).isEqualTo(before.epoch());
    assertThat(after.unchangedSince(FolderIdentities.of(root).get("c"), before.epoch(), before.position()))
        .isFalse();
  }

  @Test
  void aNewHardLinkNamesTheLinkedFileByItsIdWithoutRestartingTheJournal() throws Exception {
    Path file = root.resolve("a/b/x.bin");
    long inode = (Long) Files.getAttribute(file, "unix:ino");
    JournalSnapshot before = journal.checkpoint();

    Files.createLink(root.resolve("c/x-link.bin"), file);

    JournalSnapshot after = journal.checkpoint();
    assertThat(after.epoch()).isEqualTo(before.epoch());
    assertThat(after.anyRelinkedInEpoch(new long[] {inode})).isTrue();
    assertThat(after.unchangedSince(FolderIdentities.of(root).get("c"), before.epoch(), before.position())).isFalse();
  }

  @Test
  void removingOneOfTwoNamesAlsoNamesTheFile() throws Exception {
    Path file = root.resolve("a/b/x.bin");
    Files.createLink(root.resolve("c/x-link.bin"), file);
    long inode = (Long) Files.getAttribute(file, "unix:ino");
    JournalSnapshot before = journal.checkpoint();

    Files.delete(root.resolve("c/x-link.bin"));

    assertThat(journal.checkpoint().anyRelinkedInEpoch(new long[] {inode})).isTrue();
  }

  @Test
  void moreChangedFoldersThanTheCapRestartTheJournal() throws Exception {
    journal.close();
    journal = start(2);
    JournalSnapshot before = journal.checkpoint();

    for (int i = 0; i < 3; i++) {
      Files.writeString(Files.createDirectories(root.resolve("many/d" + i)).resolve("f"), "x");
    }

    assertThat(journal.checkpoint().epoch()).isNotEqualTo(before.epoch());
    assertThat(journal.restarts()).isPositive();
  }

  @Test
  void aCompletedScanDropsWhatItCovered() throws Exception {
    Files.writeString(root.resolve("c/z.bin"), "z");
    JournalSnapshot scan = journal.checkpoint();
    FolderHandle c = FolderIdentities.of(root).get("c");
    assertThat(scan.dirty()).containsKey(c);

    journal.completed(scan);

    assertThat(journal.checkpoint().dirty()).doesNotContainKey(c);
  }

  @Test
  void theFoldersFileSystemIsWatched() throws Exception {
    JournalSnapshot snapshot = journal.checkpoint();

    assertThat(snapshot.continuous()).isTrue();
    assertThat(snapshot.filesystems()).containsAllEntriesOf(FolderIdentities.filesystems(root));
  }

  @Test
  void theJournalHoldsNoDescriptorOnTheWatchedFolderSoItNeverBlocksUnmounting() throws Exception {
    List<Path> open = new java.util.ArrayList<>();
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      fds.forEach(fd -> {
        try {
          open.add(Files.readSymbolicLink(fd));
        } catch (java.io.IOException | UnsupportedOperationException gone) {
          // closed while listed
        }
      });
    }

    assertThat(open).noneMatch(p -> p.startsWith(root));
  }

  @Test
  void aFileSystemUnmountedAndMountedAgainIsNoLongerVouchedFor() throws Exception {
    Path point = Files.createDirectories(tmp.resolve("disk")).toRealPath();
    Requirements.root("mounting a tmpfs");
    int mounted = command("mount", "-t", "tmpfs", "-o", "size=1m", "labscan-journal-test", point.toString());
    Requirements.kernelFeature("mounting a tmpfs", mounted == 0 ? Optional.empty()
        : Optional.of("mount -t tmpfs exited " + mounted));
    LinuxFanotifyJournal onDisk = null;
    try {
      Files.createDirectories(point.resolve("Users/linda"));
      try {
        onDisk = LinuxFanotifyJournal.start(List.of(point), DirtyFolders.DEFAULT_CAP);
      } catch (LinuxFanotifyJournal.Unavailable e) {
        Requirements.kernelFeature("fanotify on a tmpfs", Optional.of(String.valueOf(e.getMessage())));
      }
      assertThat(onDisk.checkpoint().continuous()).isTrue();

      // The unmount ends the kernel's watch without an event; the disk comes back changed.
      assertThat(command("umount", point.toString())).isZero();
      assertThat(command("mount", "-t", "tmpfs", "-o", "size=1m", "labscan-journal-test", point.toString())).isZero();

      assertThat(onDisk.checkpoint().continuous()).isFalse();
    } finally {
      if (onDisk != null) {
        onDisk.close();
      }
      command("umount", point.toString());
    }
  }

  private static int command(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    return p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  private LinuxFanotifyJournal start(int cap) throws Exception {
    assumeTrue(Platform.isLinux(), "fanotify is Linux only");
    try {
      return LinuxFanotifyJournal.start(List.of(root), cap);
    } catch (LinuxFanotifyJournal.Unavailable e) {
      // Only "not allowed" or "not there" skip: anything else is a failure to look at.
      Requirements.that(!e.getMessage().contains("CAP_SYS_ADMIN"), "root for fanotify (" + e.getMessage() + ")",
          "sudo .ci/run runs the tests as root");
      Requirements.kernelFeature("fanotify", e.getMessage().contains("no fanotify")
          ? Optional.of(e.getMessage()) : Optional.empty());
      throw e;
    }
  }
}
