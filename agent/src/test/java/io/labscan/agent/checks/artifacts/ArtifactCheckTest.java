package io.labscan.agent.checks.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.labscan.agent.checks.ScanContext;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.Scanner;
import io.labscan.agent.checks.artifacts.walk.FileAttributes;
import io.labscan.agent.checks.artifacts.walk.FileEntry;
import io.labscan.agent.checks.artifacts.walk.TreeWalker;
import io.labscan.agent.checks.artifacts.walk.WalkVisitor;
import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.contract.rules.Eicar;
import io.labscan.contract.rules.RuleSet;
import io.labscan.contract.rules.Signatures;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.CheckOutcome;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.RuleKind;
import io.labscan.proto.v1.ScanKind;
import io.labscan.testsupport.Requirements;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactCheckTest {
  private static final String RUN = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run";
  private static final String SERVICES = "HKLM\\SYSTEM\\CurrentControlSet\\Services";
  private static final byte[] WORM_BYTES = "MZ harmless stand-in for a worm copy".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path tmp;
  private Path root;
  private Path state;
  private final RecordingProgress progress = new RecordingProgress();
  private FakeRegistryReader registry = new FakeRegistryReader(false);
  private RuleSet rules = RuleSet.builtIn();
  private long maxFileSize = PolicyDefaults.MAX_FILE_SIZE_BYTES;
  private TreeWalker walker = TreeWalker.forCurrentPlatform();

  @BeforeEach
  void setUp() throws Exception {
    root = Files.createDirectories(tmp.resolve("disk"));
    state = tmp.resolve("state");
  }

  // --- file names --------------------------------------------------------------------

  @Test
  void winkFileInSystem32IsReportedWithPathSizeAndSha256() throws Exception {
    file("WINDOWS/SYSTEM32/WINKXYZW.EXE", WORM_BYTES);

    List<ArtifactFinding> found = findings(scan(false));

    assertThat(found).singleElement().satisfies(f -> {
      assertThat(f.getRuleId()).isEqualTo("klez.system.wink-exe");
      assertThat(f.getRuleKind()).isEqualTo(RuleKind.RULE_KIND_FILE_NAME);
      assertThat(f.getPath()).isEqualTo("WINDOWS/SYSTEM32/WINKXYZW.EXE");
      assertThat(f.getSize()).isEqualTo(WORM_BYTES.length);
      assertThat(f.getSha256()).isEqualTo(sha256(WORM_BYTES));
      assertThat(f.getDetail()).contains("system folder");
      assertThat(f.getRuleSetVersion()).isEqualTo("2025.1");
    });
  }

  @Test
  void wqkInAMixedCaseWinntSystem32IsReported() throws Exception {
    file("winnt/System32/wqk.exe", WORM_BYTES);

    assertThat(findings(scan(false))).extracting(ArtifactFinding::getRuleId, ArtifactFinding::getPath)
        .containsExactly(tuple("klez.system.wqk-exe", "winnt/System32/wqk.exe"));
  }

  @Test
  void win9xSystemFolderCountsAsSystemFolder() throws Exception {
    file("Windows/System/WinkAbc.exe", WORM_BYTES);

    assertThat(findings(scan(false))).extracting(ArtifactFinding::getRuleId).containsExactly("klez.system.wink-exe");
  }

  @Test
  void lookAlikesAndWinkNamesOutsideTheSystemFolderAreNotReported() throws Exception {
    file("WINDOWS/SYSTEM32/WinKeyHelper.exe", WORM_BYTES);
    file("WINDOWS/SYSTEM32/Winkey.exe", WORM_BYTES);
    file("WINDOWS/SYSTEM32/wink.txt", WORM_BYTES);
    file("WINDOWS/SYSTEM32/drivers/WINKABCD.EXE", WORM_BYTES);
    file("Users/bob/Downloads/WINKABCD.EXE", WORM_BYTES);
    file("WINDOWS/TEMP/report.txt", WORM_BYTES);

    Report report = scan(false);

    assertThat(findings(report)).isEmpty();
    assertThat(report.getScan().getFilesScanned()).isEqualTo(6);
  }

  @Test
  void randomlyNamedExecutableInATempFolderIsReported() throws Exception {
    file("WINDOWS/TEMP/qzxwvbk.exe", WORM_BYTES);
    file("Users/bob/AppData/Local/Temp/XKCDWQ.PIF", WORM_BYTES);

    assertThat(findings(scan(false))).extracting(ArtifactFinding::getRuleId, ArtifactFinding::getPath)
        .containsExactlyInAnyOrder(
            tuple("klez.temp.random-executable", "WINDOWS/TEMP/qzxwvbk.exe"),
            tuple("klez.temp.random-executable",
                "Users/bob/AppData/Local/Temp/XKCDWQ.PIF"));
  }

  @Test
  void ordinaryTempExecutablesAndRandomNamesElsewhereAreNotReported() throws Exception {
    file("WINDOWS/TEMP/setup.exe", WORM_BYTES);
    file("WINDOWS/TEMP/ctfmon.exe", WORM_BYTES);
    file("WINDOWS/TEMP/vcredist_x86.exe", WORM_BYTES);
    file("WINDOWS/TEMP/{3F2504E0}/qzxwvbk.exe", WORM_BYTES);
    file("Program Files/Tool/qzxwvbk.exe", WORM_BYTES);

    assertThat(findings(scan(false))).isEmpty();
  }

  @Test
  void doubleExtensionsAreReportedAnywhere() throws Exception {
    file("Users/alice/Documents/invoice.doc.exe", WORM_BYTES);
    file("srv/share/photo.jpg          .scr", WORM_BYTES);
    file("home/carol/readme.TXT.pif", WORM_BYTES);

    assertThat(findings(scan(false))).extracting(ArtifactFinding::getPath)
        .containsExactlyInAnyOrder("Users/alice/Documents/invoice.doc.exe", "srv/share/photo.jpg          .scr",
            "home/carol/readme.TXT.pif");
    // A saved attachment or a share copy is what the worm sends or drops onto others, not proof
    // that it ran here (issue 15, red-team round 5, R3): a weak sign, never infection on its own.
    assertThat(findings(scan(false))).extracting(ArtifactFinding::getSeverity)
        .containsOnly(io.labscan.proto.v1.FindingSeverity.FINDING_SEVERITY_SUSPICIOUS);
  }

  @Test
  void namesWithSeveralDotsThatAreNotDisguisesAreNotReported() throws Exception {
    file("srv/share/backup.tar.gz", WORM_BYTES);
    file("srv/share/python-3.8.10.exe", WORM_BYTES);
    file("srv/share/.txt.exe", WORM_BYTES);
    file("srv/share/report.doc", WORM_BYTES);

    assertThat(findings(scan(false))).isEmpty();
  }

  // --- signatures --------------------------------------------------------------------

  @Test
  void eicarIsFoundByTheBuiltInHashesOnceWithItsSha256() throws Exception {
    file("Users/bob/Downloads/eicar.com", Eicar.BYTES);

    assertThat(findings(scan(false))).singleElement().satisfies(f -> {
      assertThat(f.getRuleId()).isEqualTo("Eicar-Test-Signature");
      assertThat(f.getRuleKind()).isEqualTo(RuleKind.RULE_KIND_HASH);
      assertThat(f.getSha256()).isEqualTo(Eicar.SHA256);
      assertThat(f.getSize()).isEqualTo(68);
      assertThat(f.getDetail()).contains(Eicar.MD5).contains("size 68");
    });
  }

  @Test
  void eicarWithATrailingNewlineHasOtherHashesAndIsNotFound() throws Exception {
    file("eicar.txt", (Eicar.TEXT + "\n").getBytes(StandardCharsets.US_ASCII));

    assertThat(findings(scan(false))).isEmpty();
  }

  @Test
  void onlyFilesOfASizeSomeHashHasAreRead() throws Exception {
    for (int i = 0; i < 20; i++) {
      file("data/file" + i + ".bin", new byte[100 + i]);
    }
    file("data/sixty-eight.bin", new byte[68]);

    Report report = scan(false);

    assertThat(report.getScan().getFilesScanned()).isEqualTo(21);
    assertThat(progress.last().filesRead()).isEqualTo(1);
    assertThat(report.getScan().getBytesScanned()).isEqualTo(68);
  }

  @Test
  void anySizeHsbSignatureMatchesWhateverTheSize() throws Exception {
    byte[] content = "some payload of no particular size".getBytes(StandardCharsets.US_ASCII);
    rules = rules.withSignatures(signatures("local.hsb", sha256(content) + ":*:Local.AnySize:73\n"));
    file("srv/share/payload.bin", content);
    file("srv/share/other.bin", "something else".getBytes(StandardCharsets.US_ASCII));

    assertThat(findings(scan(false))).singleElement().satisfies(f -> {
      assertThat(f.getRuleId()).isEqualTo("Local.AnySize");
      assertThat(f.getPath()).isEqualTo("srv/share/payload.bin");
      assertThat(f.getDetail()).contains("local.hsb");
    });
  }

  @Test
  void bodySignatureFindsAPatternInsideALargerFile() throws Exception {
    rules = rules.withSignatures(signatures("local.ndb",
        "Local.Eicar.Body:0:*:45494341522d{0-4}5354414e44415244\n"));
    byte[] content = ("header bytes " + Eicar.TEXT + " trailer").getBytes(StandardCharsets.US_ASCII);
    file("srv/share/wrapped.dat", content);

    assertThat(findings(scan(false))).singleElement().satisfies(f -> {
      assertThat(f.getRuleId()).isEqualTo("Local.Eicar.Body");
      assertThat(f.getRuleKind()).isEqualTo(RuleKind.RULE_KIND_BODY_PATTERN);
      assertThat(f.getSha256()).isEqualTo(sha256(content));
      assertThat(f.getDetail()).contains("local.ndb");
    });
  }

  @Test
  void unsupportedSignatureLinesAreCountedInTheSummary() throws Exception {
    rules = rules.withSignatures(signatures("local.ndb", "A:1:EP+0:e8000000\nB:0:*:4142(43|44)\n"));

    Report report = scan(false);

    assertThat(report.getScan().getSkippedMap()).containsEntry("unsupported-signatures", 2L);
  }

  // --- safety and limits -------------------------------------------------------------

  @Test
  void symbolicLinksOutOfTheRootAreNotFollowed() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.write(outside.resolve("eicar.com"), Eicar.BYTES);
    Files.write(outside.resolve("WINKXYZW.EXE"), WORM_BYTES);
    Files.createDirectories(root.resolve("WINDOWS/SYSTEM32"));
    Files.createSymbolicLink(root.resolve("WINDOWS/SYSTEM32/linked"), outside);
    Files.createSymbolicLink(root.resolve("eicar.com"), outside.resolve("eicar.com"));
    Files.createSymbolicLink(root.resolve("WINDOWS/SYSTEM32/WINKABCD.EXE"), outside.resolve("WINKXYZW.EXE"));

    Report report = scan(false);

    assertThat(findings(report)).isEmpty();
    assertThat(report.getScan().getSkippedMap()).containsEntry("symlink", 3L);
    assertThat(report.getScan().getFilesScanned()).isZero();
  }

  @Test
  void filesOverTheSizeLimitAreSkippedAndCountedButStillNamed() throws Exception {
    maxFileSize = 100;
    file("WINDOWS/SYSTEM32/WINKBIGG.EXE", new byte[200]);
    file("eicar.com", Eicar.BYTES);

    Report report = scan(false);

    assertThat(report.getScan().getSkippedMap()).containsEntry("too-large", 1L);
    assertThat(findings(report)).extracting(ArtifactFinding::getRuleId)
        .containsExactlyInAnyOrder("klez.system.wink-exe", "Eicar-Test-Signature");
    assertThat(findings(report)).filteredOn(f -> f.getRuleId().equals("klez.system.wink-exe"))
        .singleElement().satisfies(f -> {
          assertThat(f.getSha256()).isEmpty();
          assertThat(f.getDetail()).contains("not hashed").contains("100-byte limit");
        });
  }

  @Test
  void unreadableFolderIsCountedAndTheScanGoesOn() throws Exception {
    file("eicar.com", Eicar.BYTES);
    Path locked = Files.createDirectories(root.resolve("locked"));
    Files.write(locked.resolve("inside.txt"), WORM_BYTES);
    assumeTrue(Files.getFileStore(locked).supportsFileAttributeView("posix"));
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    try {
      assumeFalse(Files.isReadable(locked), "running as root: permissions do not lock folders");

      Report report = scan(false);

      assertThat(report.getScan().getSkippedMap()).containsEntry("unreadable", 1L);
      assertThat(findings(report)).extracting(ArtifactFinding::getRuleId).containsExactly("Eicar-Test-Signature");
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void namedPipesAreNeverOpened() throws Exception {
    // A '*'-size hash makes every regular file a candidate; opening a FIFO would block forever.
    rules = rules.withSignatures(signatures("any.hsb", Eicar.SHA256 + ":*:Any:73\n"));
    Path fifo = Files.createDirectories(root.resolve("run")).resolve("pipe");
    Process mkfifo = new ProcessBuilder(Requirements.command("mkfifo", "coreutils").toString(), fifo.toString()).start();
    assertThat(mkfifo.waitFor() == 0 && Files.exists(fifo)).as("mkfifo made the pipe").isTrue();

    Report report = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> scan(false));

    assertThat(report.getScan().getSkippedMap()).containsEntry("special-file", 1L);
  }

  // --- cache -------------------------------------------------------------------------

  @Test
  void secondScanOfAnUnchangedTreeReadsNoFileAgain() throws Exception {
    file("WINDOWS/SYSTEM32/WINKXYZW.EXE", WORM_BYTES);
    file("eicar.com", Eicar.BYTES);

    List<ArtifactFinding> first = findings(scan(false));
    ScanTotals firstTotals = progress.last();
    List<ArtifactFinding> second = findings(scan(false));
    ScanTotals secondTotals = progress.last();

    assertThat(firstTotals.filesRead()).isEqualTo(2);
    assertThat(secondTotals.filesRead()).isZero();
    assertThat(secondTotals.cacheHits()).isEqualTo(2);
    assertThat(secondTotals.bytesRead()).isZero();
    assertThat(second).isEqualTo(first);
    assertThat(state.resolve(SqliteDigestCache.FILE_NAME)).exists();
  }

  @Test
  void aChangedFileIsReadAgain() throws Exception {
    Path worm = file("WINDOWS/SYSTEM32/WINKXYZW.EXE", WORM_BYTES);
    file("eicar.com", Eicar.BYTES);
    scan(false);
    byte[] changed = "MZ a different and longer harmless stand-in".getBytes(StandardCharsets.US_ASCII);
    Files.write(worm, changed);

    List<ArtifactFinding> found = findings(scan(false));

    assertThat(progress.last().filesRead()).isEqualTo(1);
    assertThat(found).filteredOn(f -> f.getRuleId().equals("klez.system.wink-exe"))
        .extracting(ArtifactFinding::getSha256).containsExactly(sha256(changed));
  }

  @Test
  void bodyVerdictsAreCachedToo() throws Exception {
    rules = rules.withSignatures(signatures("local.ndb", "Local.Body:0:*:45494341522d5354414e44415244\n"));
    file("a.dat", ("x" + Eicar.TEXT).getBytes(StandardCharsets.US_ASCII));
    file("b.dat", "nothing to see".getBytes(StandardCharsets.US_ASCII));

    scan(false);
    List<ArtifactFinding> second = findings(scan(false));

    assertThat(progress.last().filesRead()).isZero();
    assertThat(second).extracting(ArtifactFinding::getPath).containsExactly("a.dat");
  }

  @Test
  void aDamagedCacheFileIsReplacedAndTheScanSucceeds() throws Exception {
    Files.createDirectories(state);
    Files.writeString(state.resolve(SqliteDigestCache.FILE_NAME), "this is not a database");
    file("eicar.com", Eicar.BYTES);

    assertThat(findings(scan(false))).extracting(ArtifactFinding::getRuleId).containsExactly("Eicar-Test-Signature");
    assertThat(findings(scan(false))).hasSize(1);
    assertThat(progress.last().cacheHits()).isEqualTo(1);
  }

  // --- integrity files ---------------------------------------------------------------

  @Test
  void integrityFileDeletedSinceThePreviousScanIsReported() throws Exception {
    Path chklist = file("Program Files/AV/CHKLIST.MS", new byte[] {1, 2, 3});
    file("Program Files/AV/ANTI-VIR.DAT", new byte[] {4});
    assertThat(findings(scan(false))).isEmpty();
    Files.delete(chklist);

    List<ArtifactFinding> found = findings(scan(false));

    assertThat(found).singleElement().satisfies(f -> {
      assertThat(f.getRuleKind()).isEqualTo(RuleKind.RULE_KIND_INTEGRITY_FILE_DELETED);
      assertThat(f.getRuleId()).isEqualTo("klez.integrity-file-deleted");
      assertThat(f.getPath()).isEqualTo("Program Files/AV/CHKLIST.MS");
      assertThat(f.getDetail()).contains("CHKLIST.MS");
    });
  }

  @Test
  void integrityFileDeletionIsReportedOnceNotAtEveryLaterScan() throws Exception {
    Path chklist = file("data/chklist.cps", new byte[] {1});
    scan(false);
    Files.delete(chklist);
    assertThat(findings(scan(false))).hasSize(1);

    assertThat(findings(scan(false))).isEmpty();
  }

  @Test
  void integrityFileWhoseWholeFolderWentAwayIsNotReported() throws Exception {
    file("Program Files/OldAV/AVGQT.DAT", new byte[] {1});
    scan(false);
    Files.delete(root.resolve("Program Files/OldAV/AVGQT.DAT"));
    Files.delete(root.resolve("Program Files/OldAV"));

    assertThat(findings(scan(false))).isEmpty();
  }

  @Test
  void integrityFilesAreRememberedPerRoot() throws Exception {
    file("CHKLIST.MS", new byte[] {1});
    scan(false);
    Path otherRoot = root;
    root = Files.createDirectories(tmp.resolve("other-disk"));

    assertThat(findings(scan(false))).isEmpty();
    root = otherRoot;
    assertThat(findings(scan(false))).isEmpty();
  }

  // --- registry ----------------------------------------------------------------------

  @Test
  void registryRunValueAndServiceImagePathAreReportedOnALiveSystem() throws Exception {
    registry = new FakeRegistryReader(true)
        .value(RUN, "WinkAbcd", "C:\\WINDOWS\\SYSTEM32\\WinkAbcd.exe")
        .value(RUN, "OneDrive", "\"C:\\Users\\bob\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe\" /background")
        .value(SERVICES + "\\WinkAbcd", "ImagePath", "C:\\WINDOWS\\SYSTEM32\\WinkAbcd.exe")
        .value(SERVICES + "\\Updater", "imagepath", "\"C:\\WINNT\\system32\\WQK.EXE\" -s")
        .value(SERVICES + "\\Tcpip", "ImagePath", "System32\\drivers\\tcpip.sys")
        .value(SERVICES + "\\WinKeyHelperSvc", "ImagePath", "C:\\Program Files\\WinKey\\WinKeyHelper.exe");

    List<ArtifactFinding> found = findings(scan(true));

    assertThat(found).allSatisfy(f -> assertThat(f.getRuleKind()).isEqualTo(RuleKind.RULE_KIND_REGISTRY));
    assertThat(found).extracting(ArtifactFinding::getRuleId, ArtifactFinding::getRegistryKey).containsExactlyInAnyOrder(
        tuple("klez.registry.run-wink", RUN + "\\WinkAbcd"),
        tuple("klez.registry.service-image", SERVICES + "\\WinkAbcd\\ImagePath"),
        tuple("klez.registry.service-image", SERVICES + "\\Updater\\imagepath"));
    assertThat(found).filteredOn(f -> f.getRuleId().equals("klez.registry.run-wink")).singleElement()
        .satisfies(f -> assertThat(f.getDetail()).contains("C:\\WINDOWS\\SYSTEM32\\WinkAbcd.exe"));
  }

  @Test
  void offlineScanSkipsRegistryRulesAndSaysSo() throws Exception {
    registry = new FakeRegistryReader(true).value(RUN, "WinkAbcd", "C:\\WINDOWS\\SYSTEM32\\WinkAbcd.exe");

    Report report = scan(false);

    assertThat(findings(report)).isEmpty();
    assertThat(report.getScan().getSkippedMap()).containsEntry("registry-rules-offline", 2L);
    assertThat(registry.reads).isZero();
  }

  @Test
  void liveScanWithoutARegistrySaysRegistryRulesWereSkipped() throws Exception {
    registry = new FakeRegistryReader(false);

    Report report = scan(true);

    assertThat(report.getScan().getSkippedMap()).containsEntry("registry-rules-no-registry", 2L);
  }

  @Test
  void unreadableRegistryKeysAreCountedNotFatal() throws Exception {
    registry = new FakeRegistryReader(true)
        .value(RUN, "WinkAbcd", "C:\\WINDOWS\\SYSTEM32\\WinkAbcd.exe")
        .value(SERVICES + "\\Locked", "ImagePath", "C:\\WINDOWS\\SYSTEM32\\WinkAbcd.exe")
        .deny(SERVICES + "\\Locked");

    Report report = scan(true);

    assertThat(findings(report)).extracting(ArtifactFinding::getRuleId).containsExactly("klez.registry.run-wink");
    assertThat(report.getScan().getSkippedMap()).containsEntry("registry-unreadable", 1L);
  }

  // --- plumbing ----------------------------------------------------------------------

  @Test
  void runsOnlyInFullScans() {
    ArtifactCheck check = new ArtifactCheck(() -> rules, registry, progress);

    assertThat(check.name()).isEqualTo("artifacts");
    assertThat(check.appliesTo(ScanPlan.full("cli"))).isTrue();
    assertThat(check.appliesTo(new ScanPlan(ScanKind.SCAN_KIND_QUICK, "cli"))).isFalse();
  }

  @Test
  void defaultCheckScansWithTheBuiltInRules() throws Exception {
    file("WINDOWS/SYSTEM32/WQK.EXE", WORM_BYTES);
    ScanContext context = new ScanContext(root, false, PolicyDefaults.defaults(), state, Clock.systemUTC(),
        ScanPlan.full("test"));

    Report report = new Scanner(List.of(new ArtifactCheck()), () -> 1).scan(context);

    assertThat(report.getFindingsList()).extracting(ArtifactFinding::getRuleId, ArtifactFinding::getRuleSetVersion)
        .containsExactly(tuple("klez.system.wqk-exe", RuleSet.builtIn().version()));
  }

  @Test
  void progressHearsAboutTheScanAndItsTotals() throws Exception {
    file("WINDOWS/SYSTEM32/WINKXYZW.EXE", WORM_BYTES);
    file("notes.txt", WORM_BYTES);

    scan(false);

    assertThat(progress.progressCalls).isPositive();
    assertThat(progress.last().files()).isEqualTo(2);
    assertThat(progress.last().findings()).isEqualTo(1);
  }

  @Test
  void theAgentsOwnStateFolderUnderTheRootIsNotScanned() throws Exception {
    state = root.resolve("var/lib/labscan");
    Files.createDirectories(state);
    Files.write(state.resolve("eicar.com"), Eicar.BYTES);

    Report report = scan(false);

    assertThat(findings(report)).isEmpty();
    assertThat(report.getScan().getSkippedMap()).containsEntry("agent-state", 1L);
  }

  // --- walkers -----------------------------------------------------------------------

  @Test
  void aScanWithNameRulesOnlyAsksTheDiskAboutNoFileButTheOneANameRuleMatched() throws Exception {
    rules = RuleSet.load("names.yaml", new ByteArrayInputStream("""
        format: 1
        version: "names.1"
        files:
          - id: wink-anywhere
            in: anywhere
            name: "wink*.exe"
            detail: Wink anywhere
        """.getBytes(StandardCharsets.UTF_8)));
    file("WINDOWS/SYSTEM32/WINKABCD.EXE", WORM_BYTES);
    file("WINDOWS/SYSTEM32/notepad.exe", WORM_BYTES);
    file("Users/alice/notes.txt", WORM_BYTES);
    CountingWalker counting = new CountingWalker(TreeWalker.portable());
    walker = counting;

    Report report = scan(false);

    assertThat(findings(report)).extracting(ArtifactFinding::getPath).containsExactly("WINDOWS/SYSTEM32/WINKABCD.EXE");
    assertThat(report.getScan().getFilesScanned()).isEqualTo(3);
    assertThat(counting.attributeCalls.get()).isEqualTo(1);
  }

  @Test
  void thePortableWalkerFindsWhatTheNativeOneFinds() throws Exception {
    file("WINDOWS/SYSTEM32/WINKXYZW.EXE", WORM_BYTES);
    file("Users/bob/Downloads/eicar.com", Eicar.BYTES);
    file("share/invoice.doc.exe", WORM_BYTES);
    Files.createSymbolicLink(root.resolve("share/link"), tmp);

    walker = TreeWalker.forCurrentPlatform();
    Report usual = scan(false);
    state = tmp.resolve("state-portable");
    walker = TreeWalker.portable();
    Report portable = scan(false);

    assertThat(findings(portable)).containsExactlyInAnyOrderElementsOf(findings(usual));
    assertThat(portable.getScan().getSkippedMap()).isEqualTo(usual.getScan().getSkippedMap());
    assertThat(portable.getScan().getFilesScanned()).isEqualTo(usual.getScan().getFilesScanned()).isEqualTo(3);
  }

  @Test
  void aFileWhoseNameIsNotUtf8IsScannedAndReportedWithItsBytesEscaped() throws Exception {
    assumeTrue(walker.name().equals("linux-getdents"), "names are bytes only on Linux");
    Path dir = Files.createDirectories(root.resolve("share"));
    Process python = new ProcessBuilder(Requirements.command("python3", "python3").toString(), "-c",
        "import os,sys; open(os.path.join(os.fsencode(sys.argv[1]), b'caf\\xe9.com'), 'wb').write(sys.argv[2].encode())",
        dir.toString(), Eicar.TEXT).inheritIO().start();
    assertThat(python.waitFor()).as("python3 wrote the Latin-1 name").isZero();

    List<ArtifactFinding> found = findings(scan(false));

    assertThat(found).extracting(ArtifactFinding::getRuleId, ArtifactFinding::getPath)
        .containsExactly(tuple("Eicar-Test-Signature", "share/caf\\xe9.com"));
  }

  /** Counts how often the scan asks a file for its attributes. */
  private static final class CountingWalker implements TreeWalker {
    final AtomicInteger attributeCalls = new AtomicInteger();
    private final TreeWalker walker;

    CountingWalker(TreeWalker walker) {
      this.walker = walker;
    }

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public <F> void walk(Path start, WalkVisitor<F> visitor) throws java.io.IOException {
      walker.walk(start, new WalkVisitor<F>() {
        @Override
        public F root() {
          return visitor.root();
        }

        @Override
        public Optional<F> enter(F parent, String name) {
          return visitor.enter(parent, name);
        }

        @Override
        public void file(F folder, FileEntry file) {
          visitor.file(folder, new FileEntry() {
            @Override
            public String name() {
              return file.name();
            }

            @Override
            public FileAttributes attributes() throws java.io.IOException {
              attributeCalls.incrementAndGet();
              return file.attributes();
            }

            @Override
            public FileAttributes attributesNow() throws java.io.IOException {
              return file.attributesNow();
            }

            @Override
            public ReadableByteChannel open() throws java.io.IOException {
              return file.open();
            }

            @Override
            public java.nio.channels.FileChannel openChannel() throws java.io.IOException {
              return file.openChannel();
            }

            @Override
            public java.nio.channels.FileChannel openSibling(String sibling) throws java.io.IOException {
              return file.openSibling(sibling);
            }
          });
        }

        @Override
        public void notFollowed(F folder, String name, io.labscan.agent.checks.artifacts.walk.EntryType type) {
          visitor.notFollowed(folder, name, type);
        }

        @Override
        public void unreadable(F folder, String name) {
          visitor.unreadable(folder, name);
        }

        @Override
        public void listed(F folder, boolean complete) {
          visitor.listed(folder, complete);
        }

        @Override
        public boolean stopRequested() {
          return visitor.stopRequested();
        }
      });
    }
  }

  // --- helpers -----------------------------------------------------------------------

  private Report scan(boolean live) {
    ArtifactCheck check = new ArtifactCheck(() -> rules, registry, progress).withWalker(walker);
    Policy policy = PolicyDefaults.defaults().toBuilder().setMaxFileSizeBytes(maxFileSize).build();
    ScanContext context = new ScanContext(root, live, policy, state, Clock.systemUTC(), ScanPlan.full("test"));
    Report report = new Scanner(List.of(check), () -> 1).scan(context);
    assertThat(report.getScan().getChecks(0).getOutcome())
        .as("check failed: %s", report.getScan().getChecks(0).getMessage())
        .isEqualTo(CheckOutcome.CHECK_OUTCOME_OK);
    return report;
  }

  private static List<ArtifactFinding> findings(Report report) {
    return report.getFindingsList();
  }

  private Path file(String relative, byte[] content) throws Exception {
    Path p = root.resolve(relative);
    Files.createDirectories(p.getParent());
    return Files.write(p, content);
  }

  private static Signatures signatures(String name, String text) throws Exception {
    return Signatures.load(name, new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }
}
