package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.Check;
import io.labscan.agent.checks.EvidenceSink;
import io.labscan.agent.checks.ScanContext;
import io.labscan.agent.registry.RegistryReader;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.registry.OfflineRegistry;
import io.labscan.agent.checks.artifacts.journal.ChangeJournal;
import io.labscan.agent.checks.artifacts.journal.JournalSnapshot;
import io.labscan.agent.checks.artifacts.journal.NoChangeJournal;
import io.labscan.agent.checks.artifacts.walk.TreeWalker;
import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.agent.platform.Platform;
import io.labscan.contract.rules.RuleSet;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.RuleKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks for Klez / ElKern artifacts: file names in the Windows system and temp folders,
 * disguised executables anywhere, ClamAV-format hash and body signatures, deleted anti-virus
 * integrity files, and (on a live Windows system) registry autostarts. Runs in full scans only.
 *
 * <p>Rules apply by what the scanned root contains, not by the agent's own OS: a Windows disk
 * mounted at {@code /mnt/c} is scanned as Windows. Registry rules read the live registry of
 * the scanned machine, or offline the hive files of the Windows installation under the root
 * ({@link OfflineRegistry}); without either they are skipped, and the summary says so.
 */
public final class ArtifactCheck implements Check {
  /** A hostile tree can hold millions of disguised names; the report stays bounded. */
  static final int MAX_FINDINGS = 10_000;
  private static final Logger log = LoggerFactory.getLogger(ArtifactCheck.class);

  private final Supplier<RuleSet> rules;
  private final RegistryReader registry;
  private final ScanProgress progress;
  private final TreeWalker walker;
  private final ChangeJournal journal;

  /** The built-in rule set, this machine's registry, no progress display. */
  public ArtifactCheck() {
    this(RuleSet.builtIn());
  }

  public ArtifactCheck(RuleSet rules) {
    this(constant(rules), RegistryReader.live(Platform.current()), ScanProgress.none());
  }

  /**
   * @param rules supplies the rule set in force at each scan (the controller may replace it)
   * @param registry the live registry, used only when the scan is of the live system
   * @param progress where progress goes, e.g. {@link ScanProgress#forConsole()}
   */
  public ArtifactCheck(Supplier<RuleSet> rules, RegistryReader registry, ScanProgress progress) {
    this(rules, registry, progress, TreeWalker.forCurrentPlatform(), NO_JOURNAL);
  }

  private static final ChangeJournal NO_JOURNAL = new NoChangeJournal("this scan has no change journal");

  private ArtifactCheck(Supplier<RuleSet> rules, RegistryReader registry, ScanProgress progress, TreeWalker walker,
      ChangeJournal journal) {
    this.rules = requireNonNull(rules, "rules");
    this.registry = requireNonNull(registry, "registry");
    this.progress = requireNonNull(progress, "progress");
    this.walker = requireNonNull(walker, "walker");
    this.journal = requireNonNull(journal, "journal");
  }

  /** This check with another progress listener. */
  public ArtifactCheck withProgress(ScanProgress listener) {
    return new ArtifactCheck(rules, registry, listener, walker, journal);
  }

  /**
   * This check consulting a change journal: folders the journal saw no change in since the
   * previous complete scan are not listed, their recorded outcome is reused (see
   * docs/checks-artifacts.md, "Change journal"). Without one (the default), every folder is
   * listed and every file compared with the hash cache.
   */
  public ArtifactCheck withJournal(ChangeJournal other) {
    return new ArtifactCheck(rules, registry, progress, walker, other);
  }

  /**
   * This check walking with another walker (by default the fastest that works here, see
   * {@link TreeWalker#forCurrentPlatform()}).
   */
  public ArtifactCheck withWalker(TreeWalker other) {
    return new ArtifactCheck(rules, registry, progress, other, journal);
  }

  @Override
  public String name() {
    return "artifacts";
  }

  /** Generous: a first walk of a big disk, hashing every file the rules ask for, takes hours. */
  @Override
  public Duration budget() {
    return Duration.ofHours(3);
  }

  @Override
  public boolean appliesTo(ScanPlan plan) {
    return plan.isFull();
  }

  @Override
  public void run(ScanContext context, EvidenceSink sink) throws IOException, InterruptedException {
    RuleSet ruleSet = requireNonNull(rules.get(), "rule set");
    long started = System.nanoTime();
    // The root itself may be a link (a mount point alias); the user chose it, so resolve it once.
    Path root = context.root().toRealPath();
    if (!Files.isDirectory(root)) {
      throw new IOException("scan root " + root + " is not a directory");
    }
    String rootKey = root.toString();
    long maxFileSize = context.policy().getMaxFileSizeBytes() > 0
        ? context.policy().getMaxFileSizeBytes() : PolicyDefaults.MAX_FILE_SIZE_BYTES;
    Map<String, Long> skipped = new TreeMap<>();
    Findings findings = new Findings(sink, skipped, ruleSet);
    if (!ruleSet.warnings().isEmpty()) {
      ruleSet.warnings().forEach(w -> log.warn("Signature not used: {}", w));
      skipped.merge("unsupported-signatures", (long) ruleSet.warnings().size(), Long::sum);
    }

    progress.started(rootKey);
    TreeScan scan = null;
    // Taken before the walk: every change made before it is in the snapshot.
    JournalSnapshot snapshot = journal.checkpoint();
    try {
      TreeScan.Result walk;
      try (DigestCache cache = SqliteDigestCache.open(context.stateDir(), rootKey)) {
        scan = new TreeScan(root, walker, ruleSet, maxFileSize, cache, progress,
            stateDirUnder(root, context.stateDir()), findings, snapshot);
        walk = scan.run();
        boolean written = cache.finish(walk.complete());
        if (snapshot.continuous()) {
          log.info("Artifact scan under the {} change journal: {} folders reused, {} listed.", journal.name(),
              scan.foldersReused(), scan.foldersListed());
          if (walk.complete() && written) {
            // Every folder now has an outcome recorded at this snapshot (or none): what the
            // journal held up to it is covered. A scan that failed never gets here.
            journal.completed(snapshot);
          }
        }
      }
      integrityFiles(ruleSet, root, rootKey, context.stateDir(), walk.integrityPresent(), findings);
      registry(ruleSet, context, root, findings, skipped);
    } finally {
      // Also after a failure or interruption: the summary shows what was done.
      TreeScan.Result done = scan == null ? null : scan.result(false);
      long files = done == null ? 0 : done.files();
      long bytes = done == null ? 0 : done.bytesRead();
      if (done != null) {
        done.skipped().forEach((reason, n) -> skipped.merge(reason, n, Long::sum));
      }
      sink.scanned(files, bytes);
      skipped.forEach(sink::skipped);
      progress.finished(new ScanTotals(files, bytes, done == null ? 0 : done.filesRead(),
          done == null ? 0 : done.cacheHits(),
          findings.count, skipped, Duration.ofNanos(System.nanoTime() - started),
          scan == null ? 0 : scan.foldersReused()));
    }
  }

  /**
   * Compares where integrity files are now with the previous scan of the same root. A file
   * counts as deleted only when its folder is still there: a folder that vanished whole is
   * an uninstalled product, not the worm. A file we could not look at this time (unreadable
   * folder) is carried over, neither reported nor forgotten.
   */
  private void integrityFiles(RuleSet ruleSet, Path root, String rootKey, Path stateDir, Set<String> present,
      Findings findings) throws IOException {
    RuleSet.IntegrityFiles rule = ruleSet.integrityFiles();
    if (rule.foldedNames().isEmpty()) {
      return;
    }
    IntegrityLedger ledger = IntegrityLedger.open(stateDir);
    Set<String> remembered = new HashSet<>(present);
    for (String previous : ledger.previous(rootKey)) {
      if (present.contains(previous)) {
        continue;
      }
      Optional<Path> file = underRoot(root, previous);
      if (file.isEmpty()) {
        continue; // not a path we wrote: ignore
      }
      Path folder = file.get().getParent();
      if (folder != null && Files.notExists(file.get(), LinkOption.NOFOLLOW_LINKS)
          && Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
        findings.accept(ArtifactFinding.newBuilder()
            .setRuleId(rule.id())
            .setRuleKind(RuleKind.RULE_KIND_INTEGRITY_FILE_DELETED)
            .setPath(previous)
            .setDetail(rule.detail() + ": " + file.get().getFileName())
            .setRuleSetVersion(ruleSet.version())
            .build());
      } else if (Files.exists(file.get(), LinkOption.NOFOLLOW_LINKS) || !Files.isReadable(folder)) {
        remembered.add(previous);
      }
    }
    ledger.save(rootKey, remembered);
  }

  private void registry(RuleSet ruleSet, ScanContext context, Path root, Findings findings,
      Map<String, Long> skipped) {
    int count = ruleSet.registryRules().size();
    if (count == 0) {
      return;
    }
    if (!context.liveSystem()) {
      // A Windows disk that is not running: its registry is in the hive files under the root.
      Optional<OfflineRegistry> offline = OfflineRegistry.under(root);
      if (offline.isEmpty()) {
        skipped.merge("registry-rules-offline", (long) count, Long::sum);
        return;
      }
      new RegistryScan(offline.get(), ruleSet.version(), findings,
          (reason, n) -> skipped.merge(reason, n, Long::sum)).run(ruleSet.registryRules());
      // Changes still in a hive's transaction log are not seen: say so, with the hive's name.
      offline.get().notes().forEach(note -> {
        String hive = note.substring(note.indexOf(':') + 1);
        if (note.startsWith("recovered:")) {
          log.info("Registry hive {} was not closed cleanly; its transaction logs were applied.", hive);
        } else {
          log.warn("Registry hive {} was not closed cleanly and its transaction logs could not be applied: its "
              + "latest changes may be missing from this scan.", hive);
          skipped.merge("registry-hive-dirty", 1L, Long::sum);
        }
      });
      return;
    }
    if (!registry.available()) {
      skipped.merge("registry-rules-no-registry", (long) count, Long::sum);
      return;
    }
    new RegistryScan(registry, ruleSet.version(), findings,
        (reason, n) -> skipped.merge(reason, n, Long::sum)).run(ruleSet.registryRules());
  }

  /** A '/'-separated relative path from our own ledger, resolved only if it stays under root. */
  private static Optional<Path> underRoot(Path root, String relative) {
    if (relative.isEmpty() || relative.startsWith("/") || relative.contains("\\")) {
      return Optional.empty();
    }
    for (String part : relative.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        return Optional.empty();
      }
    }
    try {
      Path p = root.resolve(relative).normalize();
      return p.startsWith(root) && !p.equals(root) ? Optional.of(p) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<Path> stateDirUnder(Path root, Path stateDir) {
    try {
      Path real = stateDir.toRealPath();
      return real.startsWith(root) && !real.equals(root) ? Optional.of(real) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // not created yet: nothing of ours to skip
    }
  }

  private static Supplier<RuleSet> constant(RuleSet rules) {
    requireNonNull(rules, "rules");
    return () -> rules;
  }

  /** Passes findings to the sink, up to {@link #MAX_FINDINGS}; counts the rest as skipped. */
  private static final class Findings implements Consumer<ArtifactFinding> {
    private final EvidenceSink sink;
    private final Map<String, Long> skipped;
    private final RuleSet rules;
    private long count;

    Findings(EvidenceSink sink, Map<String, Long> skipped, RuleSet rules) {
      this.sink = sink;
      this.skipped = skipped;
      this.rules = rules;
    }

    @Override
    public void accept(ArtifactFinding finding) {
      if (count >= MAX_FINDINGS) {
        skipped.merge("findings-over-limit", 1L, Long::sum);
        return;
      }
      count++;
      sink.finding(finding.toBuilder().setSeverity(rules.severityOf(finding.getRuleId())).build());
    }
  }
}
