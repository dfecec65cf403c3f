package io.labscan.agent.bench;

import io.labscan.agent.checks.ScanContext;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.Scanner;
import io.labscan.agent.checks.artifacts.ArtifactCheck;
import io.labscan.agent.registry.RegistryReader;
import io.labscan.contract.rules.RuleSet;
import io.labscan.agent.checks.artifacts.ScanProgress;
import io.labscan.agent.checks.artifacts.ScanTotals;
import io.labscan.agent.checks.artifacts.journal.ChangeJournal;
import io.labscan.agent.checks.artifacts.journal.ChangeJournals;
import io.labscan.agent.checks.artifacts.journal.LinuxFanotifyJournal;
import io.labscan.agent.checks.artifacts.walk.TreeWalker;
import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.proto.v1.Report;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The artifact check against the obvious shell tools, on the same generated tree in the same
 * run, page cache warm: name rules against {@code find ROOT -iname 'wink*.exe'}, hash rules
 * (SHA-256 signatures of any size: every file is read and hashed) against
 * {@code find ROOT -type f -print0 | xargs -0 sha256sum}, and a rescan with the agent's hash
 * cache. The check runs in this JVM (no JVM start-up in its numbers), single-threaded, as
 * the agent runs it; the shell tools run as child processes. For the rescan, the reference is
 * {@code find ROOT -printf '%s %T@ %i\n'}: what it costs merely to look at every file's size,
 * time and inode (one {@code stat} per file), which any rescan that trusts no journal pays.
 *
 * <p>With a change journal (fanotify; needs root, else those rows are left out), started
 * before the first scan: a first scan under the journal, a rescan with no change, and a
 * rescan after ten files across the tree were rewritten (same bytes) and a marked file was
 * planted (removed again after the round). Then the journal's own cost: its reader thread's
 * CPU while the machine idles, and while a shell creates and deletes 10,000 small files on
 * the same file system (and that shell's wall time with and without the journal).
 *
 * <p>Arguments: {@code ROOT [files=200000] [rounds=5]}. The tree is generated under ROOT
 * once (deterministic, seed 1) and reused when its marker file is there.
 */
public final class ArtifactScanBench {
  /** Harmless bodies whose SHA-256 the hash rule set lists: the planted hash matches. */
  private static final List<String> MARKED = List.of("labscan bench marker one\n", "labscan bench marker two\n",
      "labscan bench marker three\n");
  private static final List<String> WINK = List.of("WINKABCD.EXE", "winkxy.exe", "Wink.exe", "WinkQrst.Exe",
      "winkey.exe");

  private ArtifactScanBench() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]).toAbsolutePath();
    int files = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    generate(root, files);
    BenchStats.header("artifact scan, " + files + " files under " + root + ", walker "
        + TreeWalker.forCurrentPlatform().name());
    RuleSet nameRules = RuleSet.load("bench-names.yaml", yaml("""
        format: 1
        version: "bench.1"
        files:
          - id: bench.wink-anywhere
            in: anywhere
            name: "wink*.exe"
            detail: Wink*.exe anywhere, as find -iname 'wink*.exe'
        """));
    StringBuilder hsb = new StringBuilder();
    for (String body : MARKED) {
      hsb.append(sha256(body.getBytes(StandardCharsets.US_ASCII))).append(":*:Bench.Marker:73\n");
    }
    RuleSet hashRules = RuleSet.load("bench-hashes.yaml", yaml("""
        format: 1
        version: "bench.1"
        hsb: |
        """ + hsb.toString().indent(2)));
    Path work = Files.createTempDirectory("labscan-bench-state");

    // Untimed pass: page cache, JIT, and the shell tools' binaries.
    shell("find '" + root + "' -iname 'wink*.exe' | wc -l");
    shell("find '" + root + "' -type f -print0 | xargs -0 sha256sum > /dev/null");
    scan(root, nameRules, Files.createTempDirectory(work, "warm"));
    scan(root, hashRules, Files.createTempDirectory(work, "warm"));

    double[] find = new double[rounds];
    double[] findStat = new double[rounds];
    double[] names = new double[rounds];
    double[] namesCpu = new double[rounds];
    double[] sha = new double[rounds];
    double[] hashes = new double[rounds];
    double[] hashesCpu = new double[rounds];
    double[] rescan = new double[rounds];
    double[] rescanCpu = new double[rounds];
    double[] jFirst = new double[rounds];
    double[] jFirstCpu = new double[rounds];
    double[] jQuiet = new double[rounds];
    double[] jQuietCpu = new double[rounds];
    double[] jChanged = new double[rounds];
    double[] jChangedCpu = new double[rounds];
    ChangeJournal journal = ChangeJournals.forRoots(io.labscan.agent.platform.Platform.current(), List.of(root));
    boolean journaled = journal instanceof LinuxFanotifyJournal;
    System.out.println("change journal: " + journal);
    Timed lastJQuiet = null;
    Timed lastJChanged = null;
    Timed lastName = null;
    Timed lastHash = null;
    Timed lastRescan = null;
    for (int i = 0; i < rounds; i++) {
      find[i] = shell("find '" + root + "' -iname 'wink*.exe' > /dev/null");
      lastName = scan(root, nameRules, Files.createTempDirectory(work, "n"));
      names[i] = lastName.wallMs;
      namesCpu[i] = lastName.cpuMs;
      sha[i] = shell("find '" + root + "' -type f -print0 | xargs -0 sha256sum > /dev/null");
      Path state = Files.createTempDirectory(work, "h");
      lastHash = scan(root, hashRules, state); // first scan: empty cache
      hashes[i] = lastHash.wallMs;
      hashesCpu[i] = lastHash.cpuMs;
      lastRescan = scan(root, hashRules, state); // same state folder: the cache is full
      rescan[i] = lastRescan.wallMs;
      rescanCpu[i] = lastRescan.cpuMs;
      findStat[i] = shell("find '" + root + "' -printf '%s %T@ %i\\n' > /dev/null");
      if (journaled) {
        Path js = Files.createTempDirectory(work, "j");
        Timed first = scan(root, hashRules, js, Optional.of(journal));
        jFirst[i] = first.wallMs;
        jFirstCpu[i] = first.cpuMs;
        lastJQuiet = scan(root, hashRules, js, Optional.of(journal)); // nothing changed
        jQuiet[i] = lastJQuiet.wallMs;
        jQuietCpu[i] = lastJQuiet.cpuMs;
        Path planted = change(root, 10);
        lastJChanged = scan(root, hashRules, js, Optional.of(journal));
        jChanged[i] = lastJChanged.wallMs;
        jChangedCpu[i] = lastJChanged.cpuMs;
        Files.delete(planted);
        if (lastJChanged.totals.filesRead() != 11 || !lastJChanged.summary.contains(root.relativize(planted).toString())) {
          throw new IllegalStateException("journal rescan missed a change: " + lastJChanged.summary);
        }
      }
      System.out.printf(Locale.ROOT, "round %d: find %.0f ms, names %.0f ms, sha256sum %.0f ms, hashes %.0f ms,"
          + " rescan %.0f ms, find -printf %.0f ms, journal: first %.0f, quiet %.0f, 10 changed %.0f ms | %s%n",
          i + 1, find[i], names[i], sha[i], hashes[i], rescan[i], findStat[i], jFirst[i], jQuiet[i], jChanged[i],
          BenchStats.load());
    }
    System.out.println("find -iname            wall " + BenchStats.of(find).format("ms"));
    System.out.println("name rules (in-proc)   wall " + BenchStats.of(names).format("ms"));
    System.out.println("                       cpu  " + BenchStats.of(namesCpu).format("ms"));
    System.out.println("find | xargs sha256sum wall " + BenchStats.of(sha).format("ms"));
    System.out.println("hash rules, first scan wall " + BenchStats.of(hashes).format("ms"));
    System.out.println("                       cpu  " + BenchStats.of(hashesCpu).format("ms"));
    System.out.println("hash rules, rescan     wall " + BenchStats.of(rescan).format("ms"));
    System.out.println("                       cpu  " + BenchStats.of(rescanCpu).format("ms"));
    System.out.println("find -printf (stat)    wall " + BenchStats.of(findStat).format("ms"));
    if (journaled) {
      System.out.println("journal, first scan    wall " + BenchStats.of(jFirst).format("ms"));
      System.out.println("                       cpu  " + BenchStats.of(jFirstCpu).format("ms"));
      System.out.println("journal, rescan quiet  wall " + BenchStats.of(jQuiet).format("ms"));
      System.out.println("                       cpu  " + BenchStats.of(jQuietCpu).format("ms"));
      System.out.println("journal, 10 changed    wall " + BenchStats.of(jChanged).format("ms"));
      System.out.println("                       cpu  " + BenchStats.of(jChangedCpu).format("ms"));
      System.out.printf(Locale.ROOT, "journal ratios (medians): first/quiet rescan %.1f (cpu %.1f),"
          + " first/10-changed rescan %.1f (cpu %.1f); vs the first scan without journal: %.1f (cpu %.1f)%n",
          BenchStats.of(jFirst).median() / BenchStats.of(jQuiet).median(),
          BenchStats.of(jFirstCpu).median() / BenchStats.of(jQuietCpu).median(),
          BenchStats.of(jFirst).median() / BenchStats.of(jChanged).median(),
          BenchStats.of(jFirstCpu).median() / BenchStats.of(jChangedCpu).median(),
          BenchStats.of(hashes).median() / BenchStats.of(jQuiet).median(),
          BenchStats.of(hashesCpu).median() / BenchStats.of(jQuietCpu).median());
    }
    System.out.printf(Locale.ROOT, "ratios (medians): names/find %.2f, hashes/sha256sum %.2f, first/rescan %.1f"
        + " (cpu %.1f), rescan/find -printf %.2f%n",
        BenchStats.of(names).median() / BenchStats.of(find).median(),
        BenchStats.of(hashes).median() / BenchStats.of(sha).median(),
        BenchStats.of(hashes).median() / BenchStats.of(rescan).median(),
        BenchStats.of(hashesCpu).median() / BenchStats.of(rescanCpu).median(),
        BenchStats.of(rescan).median() / BenchStats.of(findStat).median());
    System.out.println("name scan:  " + lastName.summary);
    System.out.println("hash scan:  " + lastHash.summary);
    System.out.println("rescan:     " + lastRescan.summary);
    if (journaled) {
      System.out.println("journal quiet rescan:   " + lastJQuiet.summary);
      System.out.println("journal changed rescan: " + lastJChanged.summary);
      journalCost(journal, work);
    }
    journal.close();
    System.out.printf(Locale.ROOT, "jvm rss %.0f MiB | %s%n", BenchStats.rssMiB(), BenchStats.load());
  }

  private record Timed(double wallMs, double cpuMs, String summary, ScanTotals totals) {}

  /**
   * Rewrites the first file of {@code count} folders spread over the tree with its own bytes
   * (new modification and change times, same content) and plants a marked file; returns it.
   */
  private static Path change(Path root, int count) throws IOException {
    for (int k = 0; k < count; k++) {
      Path leaf = root.resolve(String.format(Locale.ROOT, "d%02d/e%d/f%d", (k * 7) % 20, (k * 3) % 10, k % 10));
      Path first;
      try (Stream<Path> files = Files.list(leaf)) {
        first = files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
      }
      Files.write(first, Files.readAllBytes(first));
    }
    return Files.write(root.resolve("d13/e4/f2/planted.bin"), MARKED.get(0).getBytes(StandardCharsets.US_ASCII));
  }

  /** The journal's reader thread CPU while idle and while a shell churns 10,000 files on the same file system. */
  private static void journalCost(ChangeJournal journal, Path work) throws Exception {
    var threads = ManagementFactory.getThreadMXBean();
    long reader = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("labscan-change-journal")).findFirst().orElseThrow().getId();
    long c0 = threads.getThreadCpuTime(reader);
    long w0 = System.nanoTime();
    Thread.sleep(60_000);
    double idleCpu = (threads.getThreadCpuTime(reader) - c0) / 1e6;
    double idleWall = (System.nanoTime() - w0) / 1e6;
    System.out.printf(Locale.ROOT, "journal idle 60 s (other engineers write to the same file system):"
        + " reader cpu %.1f ms = %.3f %% of one core | %s%n", idleCpu, 100 * idleCpu / idleWall, BenchStats.load());
    Path churn = Files.createTempDirectory(work, "churn");
    String writer = "cd '" + churn + "' && for i in $(seq 10000); do echo x > f$i; done && rm -f f*";
    double[] with = new double[3];
    double[] readerCpu = new double[3];
    for (int r = 0; r < 3; r++) {
      long c1 = threads.getThreadCpuTime(reader);
      with[r] = shell(writer);
      long m1 = threads.getCurrentThreadCpuTime();
      journal.checkpoint(); // reads what is still queued (in this thread), so its cost is counted too
      readerCpu[r] = (threads.getThreadCpuTime(reader) - c1 + threads.getCurrentThreadCpuTime() - m1) / 1e6;
    }
    System.out.println("10,000 files created+deleted, journal on:  writer wall " + BenchStats.of(with).format("ms")
        + "; reader cpu " + BenchStats.of(readerCpu).format("ms") + " | " + BenchStats.load());
    journal.close();
    double[] without = new double[3];
    for (int r = 0; r < 3; r++) {
      without[r] = shell(writer);
    }
    System.out.println("10,000 files created+deleted, journal off: writer wall " + BenchStats.of(without).format("ms")
        + " | " + BenchStats.load());
  }

  private static Timed scan(Path root, RuleSet rules, Path stateDir) {
    return scan(root, rules, stateDir, Optional.empty());
  }

  private static Timed scan(Path root, RuleSet rules, Path stateDir, Optional<ChangeJournal> journal) {
    AtomicReference<ScanTotals> totals = new AtomicReference<>();
    ScanProgress progress = new ScanProgress() {
      @Override
      public void started(String r) {}

      @Override
      public void progress(long files, long bytesRead, String folder) {}

      @Override
      public void finished(ScanTotals t) {
        totals.set(t);
      }
    };
    ArtifactCheck plain = new ArtifactCheck(() -> rules, RegistryReader.unavailable(), progress);
    ArtifactCheck check = journal.map(plain::withJournal).orElse(plain);
    Scanner scanner = new Scanner(List.of(check), () -> 1);
    var threads = ManagementFactory.getThreadMXBean();
    long c0 = threads.getCurrentThreadCpuTime();
    long w0 = System.nanoTime();
    Report report = scanner.scan(new ScanContext(root, false, PolicyDefaults.defaults(), stateDir,
        Clock.systemUTC(), ScanPlan.full("bench")));
    double wall = (System.nanoTime() - w0) / 1e6;
    double cpu = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
    ScanTotals t = totals.get();
    String summary = String.format(Locale.ROOT, "%d files, %d read (%d MiB), %d cache hits, %d folders reused,"
        + " %d findings %s", t.files(), t.filesRead(), t.bytesRead() >> 20, t.cacheHits(), t.foldersReused(),
        report.getFindingsCount(),
        report.getFindingsList().stream().map(f -> f.getRuleId() + ":" + f.getPath()).sorted().toList());
    return new Timed(wall, cpu, summary, t);
  }

  /** Runs a shell command, returns its wall time in ms; fails loudly on a non-zero exit. */
  private static double shell(String command) throws IOException, InterruptedException {
    long w0 = System.nanoTime();
    Process p = new ProcessBuilder("bash", "-c", "set -o pipefail; " + command)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    int exit = p.waitFor();
    double ms = (System.nanoTime() - w0) / 1e6;
    if (exit != 0) {
      throw new IOException(command + " exited " + exit);
    }
    return ms;
  }

  private static ByteArrayInputStream yaml(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /**
   * {@code files} files in 2,000 folders three levels deep (20 × 10 × 10): 85% of 0-4 KiB,
   * 14% of 4-32 KiB, 1% of 32-512 KiB (about 1.4 GB), plus five Wink-like names (four match
   * {@code wink*.exe}; {@code Wink.exe} matches it too) and three files with marked bodies.
   */
  static void generate(Path root, int files) throws IOException {
    Path marker = root.resolve(".bench-tree-" + files);
    if (Files.exists(marker)) {
      return;
    }
    System.out.println("# generating " + files + " files under " + root);
    Random random = new Random(1);
    byte[] chunk = new byte[512 * 1024];
    random.nextBytes(chunk);
    List<Path> leaves = new ArrayList<>();
    for (int a = 0; a < 20; a++) {
      for (int b = 0; b < 10; b++) {
        for (int c = 0; c < 10; c++) {
          leaves.add(root.resolve(String.format(Locale.ROOT, "d%02d/e%d/f%d", a, b, c)));
        }
      }
    }
    for (Path leaf : leaves) {
      Files.createDirectories(leaf);
    }
    int planted = WINK.size() + MARKED.size();
    for (int i = 0; i < files - planted; i++) {
      Path dir = leaves.get(i % leaves.size());
      int roll = random.nextInt(100);
      int size = roll < 85 ? random.nextInt(4096) : roll < 99 ? 4096 + random.nextInt(28 * 1024)
          : 32 * 1024 + random.nextInt(480 * 1024);
      String ext = switch (random.nextInt(6)) {
        case 0 -> ".dll";
        case 1 -> ".txt";
        case 2 -> ".exe";
        case 3 -> ".dat";
        case 4 -> ".log";
        default -> ".bin";
      };
      int offset = random.nextInt(chunk.length - size + 1);
      try (OutputStream out = Files.newOutputStream(dir.resolve("file" + i + ext))) {
        // A varying prefix keeps every body distinct, as on a real disk.
        out.write(Integer.toString(i).getBytes(StandardCharsets.US_ASCII));
        out.write(chunk, offset, size);
      }
    }
    for (int i = 0; i < WINK.size(); i++) {
      Files.write(leaves.get(i * 397 % leaves.size()).resolve(WINK.get(i)),
          ("not a worm " + i).getBytes(StandardCharsets.US_ASCII));
    }
    for (int i = 0; i < MARKED.size(); i++) {
      Files.write(leaves.get(1_000 + i * 211 % 1_000).resolve("marked" + i + ".bin"),
          MARKED.get(i).getBytes(StandardCharsets.US_ASCII));
    }
    Files.writeString(marker, "labscan benchmark tree, " + files + " files, seed 1\n");
  }
}
