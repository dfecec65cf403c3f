package io.labscan.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.artifacts.journal.ChangeJournal;
import io.labscan.agent.checks.artifacts.journal.DirtyFolders;
import io.labscan.agent.checks.artifacts.journal.FolderIdentities;
import io.labscan.agent.checks.artifacts.journal.HandedOverJournal;
import io.labscan.agent.checks.artifacts.journal.JournalHandoff;
import io.labscan.agent.checks.artifacts.journal.JournalSnapshot;
import io.labscan.agent.checks.artifacts.journal.NoChangeJournal;
import io.labscan.contract.policy.PolicyDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal stays in the daemon; each worker gets a snapshot and says when its walk completed. */
class WorkerJournalHandoffTest {
  private static final String HOST = UUID.randomUUID().toString();

  @TempDir Path stateDir;
  @TempDir Path tmp;
  private Path scanRoot;
  private final TestJournal journal = new TestJournal();

  @BeforeEach
  void setUp() throws Exception {
    scanRoot = Files.createDirectories(tmp.resolve("root")).toRealPath();
    Files.createDirectories(scanRoot.resolve("a/b"));
    Files.writeString(scanRoot.resolve("a/b/notes.txt"), "nothing to see");
    Files.writeString(scanRoot.resolve("a/readme.txt"), "nor here");
  }

  @Test
  void aWorkersCompletedWalkRecordsEveryFolderAtItsSnapshotAndTheDaemonDropsWhatItCovered() throws Exception {
    assumeTrue(Platform.isLinux(), "folder identities are Linux only");
    try (WorkerProcessScanRunner runner = runner(WorkerCommandLine.ofThisJvm())) {
      runner.run(ScanPlan.full("first"), PolicyDefaults.defaults());
      journal.dirty.changed(FolderIdentities.of(scanRoot).get("a"));

      runner.run(ScanPlan.full("second"), PolicyDefaults.defaults());
    }

    assertThat(journal.completed).hasSize(2);
    long second = journal.completed.get(1).position();
    // "a" changed: listed and recorded afresh; the others were reused and re-vouched for: all at the second scan.
    assertThat(recordedPositions()).containsOnly(second).hasSize(3);
    assertThat(journal.dirty.size()).isZero();
  }

  @Test
  void aFailedWorkerLeavesTheJournalsChangesInPlace() throws Exception {
    assumeTrue(Platform.isLinux(), "folder identities are Linux only");
    journal.dirty.changed(FolderIdentities.of(scanRoot).get("a"));
    try (WorkerProcessScanRunner runner = runner(crashingWorker())) {
      assertThatThrownBy(() -> runner.run(ScanPlan.full("first"), PolicyDefaults.defaults()))
          .isInstanceOf(ScanFailedException.class);
    }

    assertThat(journal.completed).isEmpty();
    assertThat(journal.dirty.size()).isEqualTo(1);
  }

  @Test
  void withoutAHandedOverSnapshotTheWorkerScansWithoutAJournal() throws Exception {
    Path folder = WorkerFiles.folder(stateDir);

    assertThat(ScanWorker.handedOverJournal(folder)).isInstanceOf(NoChangeJournal.class);
  }

  @Test
  void aDamagedSnapshotMakesTheWorkerScanWithoutAJournal() throws Exception {
    Path folder = WorkerFiles.folder(stateDir);
    Files.write(folder.resolve(WorkerFiles.JOURNAL), new byte[] {1, 2, 3});

    assertThat(ScanWorker.handedOverJournal(folder)).isInstanceOf(NoChangeJournal.class);
  }

  @Test
  void theWorkerSeesTheSnapshotTheDaemonHandedOver() throws Exception {
    Path folder = WorkerFiles.folder(stateDir);
    JournalSnapshot snapshot = journal.checkpoint();
    WorkerFiles.writeBytes(folder.resolve(WorkerFiles.JOURNAL), JournalHandoff.encode(snapshot));

    ChangeJournal handed = ScanWorker.handedOverJournal(folder);

    assertThat(handed).isInstanceOf(HandedOverJournal.class);
    assertThat(handed.checkpoint()).isEqualTo(snapshot);
  }

  private WorkerProcessScanRunner runner(WorkerCommandLine commandLine) {
    return new WorkerProcessScanRunner(HOST, "lab-7", scanRoot, stateDir, commandLine, Duration.ofMinutes(5),
        journal);
  }

  private static WorkerCommandLine crashingWorker() {
    return new WorkerCommandLine(List.of(WorkerCommandLine.ofThisJvm().prefix().get(0), "-Xshare:auto",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), FakeWorkers.Crash.class.getName()));
  }

  private List<Long> recordedPositions() throws Exception {
    List<Long> positions = new ArrayList<>();
    try (var db = DriverManager.getConnection("jdbc:sqlite:" + stateDir.resolve("artifact-hash-cache.db"));
        var st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT position FROM folders WHERE outcome IS NOT NULL")) {
      while (rs.next()) {
        positions.add(rs.getLong(1));
      }
    }
    return positions;
  }

  /** The daemon's journal, with changes set by the test; watches the scan root's file system. */
  private final class TestJournal implements ChangeJournal {
    final DirtyFolders dirty = new DirtyFolders(DirtyFolders.DEFAULT_CAP);
    final List<JournalSnapshot> completed = new ArrayList<>();

    @Override
    public String name() {
      return "test";
    }

    @Override
    public JournalSnapshot checkpoint() {
      Map<Long, Long> filesystems;
      try {
        filesystems = FolderIdentities.filesystems(scanRoot);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return dirty.checkpoint(filesystems);
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
