package io.labscan.agent.checks.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import io.labscan.agent.checks.ScanContext;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.Scanner;
import io.labscan.agent.checks.artifacts.journal.ChangeJournal;
import io.labscan.agent.checks.artifacts.journal.DirtyFolders;
import io.labscan.agent.checks.artifacts.journal.FolderHandle;
import io.labscan.agent.checks.artifacts.journal.FolderIdentities;
import io.labscan.agent.checks.artifacts.journal.JournalSnapshot;
import io.labscan.agent.checks.artifacts.journal.LinuxFanotifyJournal;
import io.labscan.agent.checks.artifacts.walk.TreeWalker;
import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.contract.rules.Eicar;
import io.labscan.contract.rules.RuleSet;
import io.labscan.contract.rules.Signatures;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.Report;
import io.labscan.testsupport.Requirements;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rescans under a change journal report exactly what a full rescan (every folder listed,
 * every file compared with the hash cache) and a first scan (no cache) report, while listing
 * only the folders that changed. The first group uses the real fanotify journal, the second
 * a journal whose changes the test sets, to pin the trust rule down.
 */
class ArtifactCheckJournalTest {
  private static final byte[] WORM = "MZ harmless stand-in for a worm copy".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HARMLESS_68 = "x".repeat(68).getBytes(StandardCharsets.US_ASCII);

  @TempDir Path tmp;
  private Path root;
  private RuleSet rules = RuleSet.builtIn();
  private ChangeJournal journal;
  private int freshScans;

  /** What a scan reported, in a form two scans can be compared by. */
  private record Outcome(List<ArtifactFinding> findings, long files, long filesRead, long bytesRead, long cacheHits,
      Map<String, Long> skipped, long foldersReused) {
    Outcome withoutCacheCounts() {
      return new Outcome(findings, files, 0, 0, 0, skipped, 0);
    }

    Outcome withoutReuse() {
      return new Outcome(findings, files, filesRead, bytesRead, cacheHits, skipped, 0);
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    assumeTrue(Platform.isLinux(), "the change journal and folder identities are Linux only");
    root = Files.createDirectories(tmp.resolve("disk")).toRealPath();
    file("WINDOWS/SYSTEM32/WINKXYZW.EXE", WORM);
    file("WINDOWS/SYSTEM32/kernel32.dll", "MZ not the worm".getBytes(StandardCharsets.US_ASCII));
    file("Users/bob/Downloads/eicar.com", Eicar.BYTES);
    file("Users/bob/Documents/invoice.doc.exe", WORM);
    file("Users/bob/Documents/letter.txt", HARMLESS_68);
    file("Program Files/AV/CHKLIST.MS", new byte[] {1, 2, 3});
    file("srv/share/deep/clean/sub/notes.txt", "nothing to see".getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < 5; i++) {
      file("data/d" + i + "/f" + i + ".bin", new byte[60 + i]);
    }
  }

  @AfterEach
  void tearDown() {
    if (journal != null) {
      journal.close();
    }
  }

  // --- the real journal ----------------------------------------------------------------

  @Test
  void aRescanWithoutChangesListsNoFolderAndReportsWhatAFullRescanReports() throws Exception {
    fanotify();
    scanWithJournal();
    scanFull();

    Outcome rescan = scanWithJournal();

    assertThat(rescan.foldersReused()).isEqualTo(FolderIdentities.of(root).size());
    assertThat(rescan.withoutReuse()).isEqualTo(scanFull());
    assertThat(rescan.findings()).hasSize(3);
  }

  @Test
  void aMarkedFileNewInACleanSubtreeIsFound() throws Exception {
    fanotify();
    scanWithJournal();
    scanFull();

    file("srv/share/deep/clean/sub/eicar2.com", Eicar.BYTES);

    Outcome rescan = assertSameAsFullAndFresh();
    assertThat(rescan.findings()).extracting(ArtifactFinding::getPath).contains("srv/share/deep/clean/sub/eicar2.com");
  }

  @Test
  void aFileRewrittenInPlaceWithItsTimeSetBackIsReadAgain() throws Exception {
    fanotify();
    Path eicar = root.resolve("Users/bob/Downloads/eicar.com");
    scanWithJournal();
    scanFull();
    FileTime time = Files.getLastModifiedTime(eicar);

    Files.write(eicar, HARMLESS_68); // same size
    Files.setLastModifiedTime(eicar, time); // touch -d

    Outcome rescan = assertSameAsFullAndFresh();
    assertThat(rescan.findings()).extracting(ArtifactFinding::getPath).doesNotContain("Users/bob/Downloads/eicar.com");
    assertThat(rescan.filesRead()).isEqualTo(1);
  }

  @Test
  void aRenamedFoldersFindingsCarryItsNewPath() throws Exception {
    fanotify();
    scanWithJournal();
    scanFull();

    Files.move(root.resolve("Users/bob/Documents"), root.resolve("Users/bob/Papers"));

    Outcome rescan = assertSameAsFullAndFresh();
    assertThat(rescan.findings()).extracting(ArtifactFinding::getPath).contains("Users/bob/Papers/invoice.doc.exe")
        .doesNotContain("Users/bob/Documents/invoice.doc.exe");
  }

  @Test
  void aDeletedMatchIsNoLongerReported() throws Exception {
    fanotify();
    scanWithJournal();
    scanFull();

    Files.delete(root.resolve("WINDOWS/SYSTEM32/WINKXYZW.EXE"));

    Outcome rescan = assertSameAsFullAndFresh();
    assertThat(rescan.findings()).extracting(ArtifactFinding::getPath).doesNotContain("WINDOWS/SYSTEM32/WINKXYZW.EXE");
  }

  @Test
  void aWriteThroughAHardLinkInAnotherFolderIsCaught() throws Exception {
    fanotify();
    scanWithJournal();
    scanFull();
    Path link = Files.createLink(root.resolve("srv/share/letter-link.txt"), root.resolve("Users/bob/Documents/letter.txt"));
    assertSameAsFullAndFresh();

    Files.write(link, Eicar.BYTES); // through the other name: only srv/share sees an event

    Outcome rescan = assertSameAsFullAndFresh();
    assertThat(rescan.findings()).extracting(ArtifactFinding::getPath)
        .contains("Users/bob/Documents/letter.txt", "srv/share/letter-link.txt");
  }

  @Test
  void aSequenceOfChangesKeepsEveryRescanEqualToAFullRescan() throws Exception {
    fanotify();
    scanWithJournal();
    scanFull();

    file("srv/share/deep/clean/sub/new.com", Eicar.BYTES);
    assertSameAsFullAndFresh();
    Files.move(root.resolve("srv/share/deep"), root.resolve("srv/share/moved"));
    assertSameAsFullAndFresh();
    Files.delete(root.resolve("Users/bob/Downloads/eicar.com"));
    assertSameAsFullAndFresh();
    Path letter = root.resolve("Users/bob/Documents/letter.txt");
    FileTime time = Files.getLastModifiedTime(letter);
    Files.write(letter, Eicar.BYTES);
    Files.setLastModifiedTime(letter, time);
    assertSameAsFullAndFresh();
    Outcome quiet = assertSameAsFullAndFresh();

    assertThat(quiet.foldersReused()).isEqualTo(FolderIdentities.of(root).size());
  }

  // --- the trust rule, with changes set by the test ----------------------------------

  @Test
  void onlyTheFolderTheJournalMarkedIsListedAgain() throws Exception {
    TestJournal fake = new TestJournal();
    journal = fake;
    scanWithJournal();

    fake.changed(FolderIdentities.of(root).get("data/d3"));

    assertThat(scanWithJournal().foldersReused()).isEqualTo(FolderIdentities.of(root).size() - 1);
  }

  @Test
  void aFolderChangedDuringTheScanThatRecordedItIsListedAgain() throws Exception {
    TestJournal fake = new TestJournal();
    journal = fake;
    fake.duringNextScan = () -> fake.changed(fake.identities.get("data/d1"));
    scanWithJournal();

    assertThat(scanWithJournal().foldersReused()).isEqualTo(FolderIdentities.of(root).size() - 1);
  }

  @Test
  void aRuleSetChangeMakesEveryFolderBeListedAgain() throws Exception {
    journal = new TestJournal();
    scanWithJournal();

    rules = rules.withSignatures(Signatures.load("local.hsb", new ByteArrayInputStream(
        (Eicar.SHA256.replace('a', 'b') + ":*:Local.Other:73\n").getBytes(StandardCharsets.US_ASCII))));

    assertThat(scanWithJournal().foldersReused()).isZero();
  }

  @Test
  void aFolderHoldingAFileWithSeveralNamesIsNeverReused() throws Exception {
    journal = new TestJournal();
    Files.createLink(root.resolve("data/d0/second-name.bin"), root.resolve("data/d1/f1.bin"));
    scanWithJournal();

    assertThat(scanWithJournal().foldersReused()).isEqualTo(FolderIdentities.of(root).size() - 2);
  }

  @Test
  void aFolderWhoseFileGotAnotherNameElsewhereIsListedAgainAndTheOthersReused() throws Exception {
    TestJournal fake = new TestJournal();
    journal = fake;
    scanWithJournal();

    fake.dirty.relinked((Long) Files.getAttribute(root.resolve("data/d1/f1.bin"), "unix:ino"));

    assertThat(scanWithJournal().foldersReused()).isEqualTo(FolderIdentities.of(root).size() - 1);
  }

  @Test
  void aCompleteScanTellsTheJournalWhatItCovered() throws Exception {
    TestJournal fake = new TestJournal();
    journal = fake;

    scanWithJournal();

    assertThat(fake.completed).hasSize(1);
  }

  @Test
  void anInterruptedScanKeepsTheJournalsChanges() throws Exception {
    TestJournal fake = new TestJournal();
    journal = fake;
    fake.duringNextScan = () -> Thread.currentThread().interrupt();

    scan(journal, tmp.resolve("state"));
    Thread.interrupted();

    assertThat(fake.completed).isEmpty();
  }

  @Test
  void aScanAfterTheJournalLostTrackListsEveryFolder() throws Exception {
    TestJournal fake = new TestJournal();
    journal = fake;
    scanWithJournal();

    fake.restart("the kernel's event queue overflowed");

    assertThat(scanWithJournal().foldersReused()).isZero();
  }

  @Test
  void aFolderOnADeviceTheJournalDoesNotWatchIsNeverReusedEvenWithTheWatchedId() throws Exception {
    TestJournal fake = new TestJournal();
    journal = fake;
    scanWithJournal();

    fake.deviceShift = 1; // the journal watches that file system id on another device

    assertThat(scanWithJournal().foldersReused()).isZero();
  }

  @Test
  void aDamagedRecordIsIgnoredAndItsFolderListed() throws Exception {
    journal = new TestJournal();
    scanWithJournal();
    try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("state")
        .resolve(SqliteDigestCache.FILE_NAME)); var st = db.createStatement()) {
      st.executeUpdate("UPDATE folders SET outcome = x'01ffff' WHERE folder = 'data/d2'");
    }

    Outcome rescan = scanWithJournal();

    assertThat(rescan.foldersReused()).isEqualTo(FolderIdentities.of(root).size() - 1);
    assertThat(rescan.withoutCacheCounts()).isEqualTo(scanFresh().withoutCacheCounts());
  }

  // --- helpers -------------------------------------------------------------------------

  /** A rescan under the journal, compared with a full rescan and with a first scan. */
  private Outcome assertSameAsFullAndFresh() throws Exception {
    Outcome rescan = scanWithJournal();
    assertThat(rescan.withoutReuse()).as("journal rescan vs full rescan").isEqualTo(scanFull());
    assertThat(rescan.withoutCacheCounts()).as("journal rescan vs first scan").isEqualTo(scanFresh().withoutCacheCounts());
    return rescan;
  }

  private void fanotify() throws Exception {
    try {
      journal = LinuxFanotifyJournal.start(List.of(root), DirtyFolders.DEFAULT_CAP);
    } catch (LinuxFanotifyJournal.Unavailable e) {
      unavailable(e);
    }
  }

  /** "Not allowed" or "not there" skip (fail under LABSCAN_STRICT=1); anything else is a failure to look at. */
  static void unavailable(LinuxFanotifyJournal.Unavailable e) throws LinuxFanotifyJournal.Unavailable {
    Requirements.that(!e.getMessage().contains("CAP_SYS_ADMIN"), "root for fanotify (" + e.getMessage() + ")",
        "sudo .ci/run runs the tests as root");
    Requirements.kernelFeature("fanotify", e.getMessage().contains("no fanotify")
        ? Optional.of(e.getMessage()) : Optional.empty());
    throw e;
  }

  private Outcome scanWithJournal() throws Exception {
    return scan(journal, tmp.resolve("state"));
  }

  private Outcome scanFull() throws Exception {
    return scan(null, tmp.resolve("state-full"));
  }

  private Outcome scanFresh() throws Exception {
    return scan(null, tmp.resolve("state-fresh-" + freshScans++));
  }

  private Outcome scan(ChangeJournal with, Path state) throws Exception {
    RecordingProgress progress = new RecordingProgress();
    ArtifactCheck check = new ArtifactCheck(() -> rules, new FakeRegistryReader(false), progress)
        .withWalker(TreeWalker.forCurrentPlatform());
    if (with != null) {
      check = check.withJournal(with);
    }
    ScanContext context = new ScanContext(root, false, PolicyDefaults.defaults(), state, Clock.systemUTC(),
        ScanPlan.full("test"));
    Report report = new Scanner(List.of(check), () -> 1).scan(context);
    ScanTotals t = progress.last();
    List<ArtifactFinding> findings = new ArrayList<>(report.getFindingsList());
    findings.sort(Comparator.comparing(ArtifactFinding::getPath).thenComparing(ArtifactFinding::getRuleId));
    return new Outcome(findings, t.files(), t.filesRead(), t.bytesRead(), t.cacheHits(), t.skipped(),
        t.foldersReused());
  }

  private Path file(String relative, byte[] content) throws Exception {
    Path p = root.resolve(relative);
    Files.createDirectories(p.getParent());
    return Files.write(p, content);
  }

  /** A journal whose changes the test makes; it watches the scan root's file system. */
  private final class TestJournal implements ChangeJournal {
    final DirtyFolders dirty = new DirtyFolders(DirtyFolders.DEFAULT_CAP);
    final List<JournalSnapshot> completed = new ArrayList<>();
    Map<String, FolderHandle> identities;
    Runnable duringNextScan = () -> {};
    long deviceShift;

    void changed(FolderHandle folder) {
      dirty.changed(folder);
    }

    void restart(String why) {
      dirty.restart(why);
    }

    @Override
    public String name() {
      return "test";
    }

    @Override
    public JournalSnapshot checkpoint() {
      try {
        identities = FolderIdentities.of(root);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      Map<Long, Long> filesystems = new java.util.HashMap<>();
      try {
        filesystems.putAll(FolderIdentities.filesystems(root));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      filesystems.replaceAll((fsid, device) -> device + deviceShift);
      JournalSnapshot snapshot = dirty.checkpoint(filesystems);
      Runnable once = duringNextScan;
      duringNextScan = () -> {};
      once.run(); // after the snapshot: as a change made while the scan runs
      return snapshot;
    }

    @Override
    public void completed(JournalSnapshot scanStart) {
      completed.add(scanStart);
      dirty.completed(scanStart);
    }

    @Override
    public void close() {}
  }
}
