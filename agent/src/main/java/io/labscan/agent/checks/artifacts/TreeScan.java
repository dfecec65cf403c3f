package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.artifacts.journal.FolderHandle;
import io.labscan.agent.checks.artifacts.journal.JournalSnapshot;
import io.labscan.agent.checks.artifacts.walk.EntryType;
import io.labscan.agent.checks.artifacts.walk.FileAttributes;
import io.labscan.agent.checks.artifacts.walk.FileEntry;
import io.labscan.agent.checks.artifacts.walk.FolderId;
import io.labscan.agent.checks.artifacts.walk.TreeWalker;
import io.labscan.agent.checks.artifacts.walk.WalkVisitor;
import io.labscan.contract.rules.BodySignature;
import io.labscan.contract.rules.FileRule;
import io.labscan.contract.rules.FolderPattern;
import io.labscan.contract.rules.HashAlgorithm;
import io.labscan.contract.rules.HashSignature;
import io.labscan.contract.rules.RuleFingerprint;
import io.labscan.contract.rules.RuleSet;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.RuleKind;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One walk of the tree under the scan root, applying every file rule in a single pass.
 *
 * <p>Per file the work is a few string checks; a file is opened only when some rule needs
 * its bytes: a hash signature of its exact size (or of any size), a body signature set, or a
 * name rule that matched (findings carry SHA-256). Everything read is read once, all needed
 * digests and the body scan sharing that one read, and remembered in the {@link DigestCache}.
 *
 * <p>The {@link TreeWalker} gives each entry's type from the listing where it can; a file's
 * size, time and identity are asked for only when some rule or the cache needs them (with
 * name rules only, never).
 *
 * <p>Safety: symbolic links (and Windows junctions, which Java reports as "other") are never
 * followed, so the walk cannot leave the root; files are opened read-only without following
 * links, so a file swapped for a link after it was listed is not followed either; FIFOs and
 * devices are never opened; pseudo file systems (/proc, /sys, /dev) directly under the root
 * are skipped.
 *
 * <p>Under a change journal ({@link JournalSnapshot}, continuous), each folder's outcome is
 * recorded with the folder's kernel identity, and on the next scan a folder the journal
 * vouches for is not listed at all: its recorded outcome (counts, skip reasons, findings,
 * subfolders) is replayed. The trust rule is in {@link #trusted} and docs/checks-artifacts.md.
 */
final class TreeScan {
  /**
   * Beyond this, files are hashed but not body-scanned (the body scan holds the file in memory):
   * 256 MiB, or a quarter of the heap when that is less, so that a policy allowing large files
   * cannot make the scan (e.g. the 256 MiB scan worker) run out of memory.
   */
  static final long MAX_BODY_BYTES = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4);
  private static final int CHUNK = 1 << 16;
  private static final int SMALL_BUFFER = 8 << 20;
  private static final Set<String> PSEUDO_FILE_SYSTEMS = Set.of("proc", "sysfs", "devtmpfs", "devfs",
      "devpts", "cgroup", "cgroup2", "debugfs", "securityfs", "tracefs", "configfs", "fusectl",
      "bpf", "pstore", "efivarfs", "autofs", "binfmt_misc", "hugetlbfs", "mqueue");

  /** What the walk found, besides the findings it reported. */
  record Result(long files, long bytesRead, long filesRead, long cacheHits, Map<String, Long> skipped,
      Set<String> integrityPresent, boolean complete) {}

  private final Path root;
  private final TreeWalker walker;
  private final RuleSet rules;
  private final long maxFileSize;
  private final DigestCache cache;
  private final ScanProgress progress;
  private final Optional<String> excluded;
  private final Consumer<ArtifactFinding> findings;
  private final JournalSnapshot journal;
  /** The rule set and limits an outcome was produced under ("" when no journal: nothing recorded). */
  private final String fingerprint;

  private final HashIndex hashIndex;
  private final BodyMatcher bodyMatcher;
  private final Set<String> integrityNames;
  private final Map<String, Long> skipped = new TreeMap<>();
  private final Set<String> integrityPresent = new HashSet<>();
  private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
  private byte[] smallBuffer = new byte[0];
  private long files;
  private long bytesRead;
  private long filesRead;
  private long cacheHits;
  private long foldersReused;
  private long foldersListed;
  private boolean interrupted;

  /** One folder of the walk: where it is, its rules, and (under a journal) what its listing produced. */
  private static final class Folder {
    final String relative;
    final List<String> folded;
    final List<FileRule> rules;
    Optional<FolderId> identity = Optional.empty();
    boolean listingDone;
    boolean reusable = true;
    long files;
    long cacheHits;
    final Map<String, Long> skipped = new TreeMap<>();
    final List<String> integrityNames = new ArrayList<>(0);
    final List<ArtifactFinding> findings = new ArrayList<>(0);
    List<byte[]> subfolders = List.of();
    long[] inodes = new long[16];
    int inodeCount;

    Folder(String relative, List<String> folded, List<FileRule> rules) {
      this.relative = relative;
      this.folded = folded;
      this.rules = rules;
    }
  }

  /**
   * @param root the real path of the scan root
   * @param excluded a folder not to scan (the agent's own state folder, when under the root)
   */
  TreeScan(Path root, TreeWalker walker, RuleSet rules, long maxFileSize, DigestCache cache, ScanProgress progress,
      Optional<Path> excluded, Consumer<ArtifactFinding> findings) {
    this(root, walker, rules, maxFileSize, cache, progress, excluded, findings, JournalSnapshot.none("no journal"));
  }

  /** @param journal what the change journal knew when the scan started (a non-continuous one: no reuse) */
  TreeScan(Path root, TreeWalker walker, RuleSet rules, long maxFileSize, DigestCache cache, ScanProgress progress,
      Optional<Path> excluded, Consumer<ArtifactFinding> findings, JournalSnapshot journal) {
    this.root = requireNonNull(root, "root");
    this.walker = requireNonNull(walker, "walker");
    this.rules = requireNonNull(rules, "rules");
    this.maxFileSize = maxFileSize;
    this.cache = requireNonNull(cache, "cache");
    this.progress = requireNonNull(progress, "progress");
    this.excluded = requireNonNull(excluded, "excluded").map(e -> relativeName(root, e));
    this.findings = requireNonNull(findings, "findings");
    CompiledSignatures compiled = CompiledSignatures.of(rules.signatures());
    this.hashIndex = compiled.hashIndex();
    this.bodyMatcher = compiled.bodyMatcher();
    this.integrityNames = rules.integrityFiles().foldedNames();
    this.journal = requireNonNull(journal, "journal");
    this.fingerprint = journal.continuous()
        ? new RuleFingerprint().add(rules.fingerprint()).add(maxFileSize).add(MAX_BODY_BYTES).add(this.excluded)
            .add(walker.name()).hex()
        : "";
  }

  Result run() throws IOException, InterruptedException {
    walker.walk(root, new Visitor());
    if (interrupted) {
      throw new InterruptedException("artifact scan interrupted");
    }
    return result(true);
  }

  /** Folders whose recorded outcome was reused / that were listed (for the bench and logs). */
  long foldersReused() {
    return foldersReused;
  }

  long foldersListed() {
    return foldersListed;
  }

  /** The counts so far (also after a walk that stopped early). */
  Result result(boolean complete) {
    return new Result(files, bytesRead, filesRead, cacheHits, Map.copyOf(skipped),
        Set.copyOf(integrityPresent), complete);
  }

  private final class Visitor implements WalkVisitor<Folder> {
    @Override
    public Folder root() {
      progress.progress(files, bytesRead, "");
      return new Folder("", List.of(), rules.rulesFor(List.of()));
    }

    @Override
    public Optional<Folder> enter(Folder parent, String name) {
      String relative = parent.relative.isEmpty() ? name : parent.relative + "/" + name;
      if (excluded.isPresent() && relative.equals(excluded.get())) {
        skip("agent-state");
        return Optional.empty();
      }
      if (parent.relative.isEmpty() && isPseudoFileSystem(name)) {
        skip("pseudo-filesystem");
        return Optional.empty();
      }
      List<String> folded = new ArrayList<>(parent.folded.size() + 1);
      folded.addAll(parent.folded);
      folded.add(FolderPattern.fold(name));
      progress.progress(files, bytesRead, relative);
      return Optional.of(new Folder(relative, List.copyOf(folded), rules.rulesFor(folded)));
    }

    @Override
    public void file(Folder folder, FileEntry file) {
      examine(file, folder);
    }

    @Override
    public void notFollowed(Folder folder, String name, EntryType type) {
      skip(folder, type == EntryType.SYMLINK ? "symlink" : "special-file"); // FIFO, device, socket: never opened
    }

    @Override
    public void unreadable(Folder folder, String name) {
      folder.reusable = false; // a failure may be passing: look again next time
      skip(folder, "unreadable");
    }

    @Override
    public boolean wantsFolderIdentity() {
      return journal.continuous();
    }

    @Override
    public Optional<List<byte[]>> opened(Folder folder, Optional<FolderId> identity) {
      folder.identity = identity;
      if (!journal.continuous() || identity.isEmpty()) {
        return Optional.empty();
      }
      Optional<FolderOutcome> known = trusted(folder.relative, identity.get());
      if (known.isEmpty()) {
        return Optional.empty();
      }
      replay(folder, known.get());
      return Optional.of(known.get().subfolders());
    }

    @Override
    public void subfolders(Folder folder, List<byte[]> names) {
      folder.subfolders = names;
    }

    @Override
    public void listed(Folder folder, boolean complete) {
      folder.listingDone = true;
      foldersListed++;
      cache.folderDone(folder.relative, complete);
      if (journal.continuous()) {
        record(folder, complete);
      }
    }

    @Override
    public boolean stopRequested() {
      if (Thread.currentThread().isInterrupted()) {
        interrupted = true;
      }
      return interrupted;
    }
  }

  /**
   * The folder's recorded outcome, when it can stand for listing the folder now. All must hold:
   * the record was made under this rule set and these limits (fingerprint); the folder is the
   * same one (its kernel handle, not its path); the journal has watched its file system (by id
   * and device)
   * without a gap since before the scan that recorded it started, and saw no change in it
   * since (same epoch, not dirty after that scan's position). Folders holding a file with
   * several names were never recorded (see {@link #record}), and one whose file got another
   * name since (the journal names such files by id) is not reused. When in doubt: list.
   */
  private Optional<FolderOutcome> trusted(String relative, FolderId identity) {
    Optional<DigestCache.FolderRecord> stored = cache.folderRecord(relative);
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    DigestCache.FolderRecord r = stored.get();
    FolderHandle handle;
    try {
      handle = FolderHandle.of(identity.handle());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!r.fingerprint().equals(fingerprint) || !Arrays.equals(r.handle(), identity.handle())
        || !journal.watches(handle.filesystem(), identity.device())
        || !journal.unchangedSince(handle, r.epoch(), r.position())) {
      return Optional.empty();
    }
    boolean anyRelinked = !journal.relinked().isEmpty();
    Optional<FolderOutcome> outcome = FolderOutcome.decode(r.outcome(), anyRelinked)
        .filter(o -> !anyRelinked || !journal.anyRelinkedInEpoch(o.inodes()));
    outcome.ifPresent(o -> cache.reused(relative, journal.position()));
    return outcome;
  }

  /** Adds a reused folder's outcome to the scan, as listing it would have. */
  private void replay(Folder folder, FolderOutcome outcome) {
    foldersReused++;
    folder.listingDone = true;
    files += outcome.files();
    cacheHits += outcome.cacheHits();
    outcome.skipped().forEach((reason, n) -> skipped.merge(reason, n, Long::sum));
    for (String name : outcome.integrityNames()) {
      integrityPresent.add(relativeOf(folder, name));
    }
    outcome.findings().forEach(findings);
    progress.progress(files, bytesRead, folder.relative);
  }

  /** Records (or forgets) a listed folder's outcome for the next scan under the journal. */
  private void record(Folder folder, boolean complete) {
    if (!complete || interrupted || !folder.reusable || folder.identity.isEmpty()) {
      cache.forgetFolderRecord(folder.relative);
      return;
    }
    FolderOutcome outcome = new FolderOutcome(folder.files, folder.cacheHits, folder.skipped,
        folder.integrityNames, folder.findings, folder.subfolders, Arrays.copyOf(folder.inodes, folder.inodeCount));
    cache.saveFolderRecord(folder.relative, new DigestCache.FolderRecord(journal.epoch(), journal.position(),
        folder.identity.get().handle(), fingerprint, outcome.encode()));
  }

  private void examine(FileEntry file, Folder folder) {
    files++;
    folder.files++;
    String name = file.name();
    progress.progress(files, bytesRead, folder.relative);
    if (!integrityNames.isEmpty() && integrityNames.contains(FolderPattern.fold(name))) {
      integrityPresent.add(relativeOf(folder, name));
      folder.integrityNames.add(name);
    }
    List<FileRule> named = List.of();
    for (FileRule rule : folder.rules) {
      if (rule.matches(name)) {
        if (named.isEmpty()) {
          named = new ArrayList<>(1);
        }
        named.add(rule);
      }
    }
    if (named.isEmpty() && hashIndex.size() == 0 && bodyMatcher.isEmpty()) {
      return; // nothing wants more than the name: no need to ask the disk about the file
    }
    String relative = relativeOf(folder, name);
    FileAttributes attrs;
    try {
      attrs = file.attributes();
    } catch (IOException | RuntimeException e) {
      folder.reusable = false;
      skip(folder, "unreadable");
      for (FileRule rule : named) {
        report(folder, rule.id(), RuleKind.RULE_KIND_FILE_NAME, relative, 0, "",
            rule.detail() + " (not hashed: the file could not be read)");
      }
      return;
    }
    if (attrs.links() != 1) {
      // Another name in another folder can change it without a change in this one: a
      // journal cannot vouch for this folder (0: the walker does not know).
      folder.reusable = false;
    } else if (journal.continuous() && folder.reusable) {
      // Its inode, in case it gets another name later (the journal then names the file, not this folder).
      if (folder.inodeCount < FolderOutcome.MAX_INODES) {
        if (folder.inodeCount == folder.inodes.length) {
          folder.inodes = Arrays.copyOf(folder.inodes, 2 * folder.inodeCount);
        }
        folder.inodes[folder.inodeCount++] = attrs.inode();
      } else {
        folder.reusable = false;
      }
    }
    long size = attrs.size();
    EnumSet<HashAlgorithm> needed = EnumSet.noneOf(HashAlgorithm.class);
    needed.addAll(hashIndex.needed(size));
    if (!needed.isEmpty() || !named.isEmpty()) {
      needed.add(HashAlgorithm.SHA256); // every finding on a file carries its SHA-256
    }
    boolean wantBody = !bodyMatcher.isEmpty() && size > 0;
    if (size > maxFileSize) {
      skip(folder, "too-large");
      for (FileRule rule : named) {
        report(folder, rule.id(), RuleKind.RULE_KIND_FILE_NAME, relative, size, "",
            rule.detail() + " (not hashed: " + size + " bytes is over the " + maxFileSize + "-byte limit)");
      }
      return;
    }
    if (needed.isEmpty() && !wantBody) {
      return;
    }
    if (wantBody && size > MAX_BODY_BYTES) {
      skip(folder, "too-large-for-body-scan");
      wantBody = false;
    }
    DigestCache.FileKey key = new DigestCache.FileKey(folder.relative, name, size, attrs.mtimeNanos(),
        attrs.fileId(), attrs.ctimeNanos());
    DigestCache.FileFacts facts = cache.lookup(key).orElse(DigestCache.FileFacts.NONE);
    EnumSet<HashAlgorithm> missing = EnumSet.copyOf(needed);
    missing.removeAll(facts.digests().keySet());
    String bodySet = rules.signatures().bodyDigest();
    boolean bodyMissing = wantBody
        && facts.body().map(b -> !b.signaturesDigest().equals(bodySet)).orElse(true);
    if (missing.isEmpty() && !bodyMissing) {
      cacheHits++;
      folder.cacheHits++;
      cache.keep(key);
    } else {
      Read read;
      try {
        read = read(file, size, missing, bodyMissing);
      } catch (IOException | RuntimeException e) {
        folder.reusable = false;
        skip(folder, "unreadable");
        for (FileRule rule : named) {
          report(folder, rule.id(), RuleKind.RULE_KIND_FILE_NAME, relative, size, "",
              rule.detail() + " (not hashed: the file could not be read)");
        }
        return;
      }
      Map<HashAlgorithm, String> digests = new EnumMap<>(HashAlgorithm.class);
      digests.putAll(read.digests);
      Optional<DigestCache.BodyVerdict> verdict = Optional.empty();
      if (bodyMissing) {
        byte[] content = requireNonNull(read.content, "content kept for the body scan");
        BodyMatcher.Result r = bodyMatcher.scan(content, read.length);
        verdict = Optional.of(new DigestCache.BodyVerdict(bodySet,
            r.matches().stream().map(BodySignature::name).toList(), r.gaveUp()));
        if (!r.matches().isEmpty() && !facts.digests().containsKey(HashAlgorithm.SHA256)) {
          // A body match is reported with the file's SHA-256; take it while the bytes are here.
          digests.putIfAbsent(HashAlgorithm.SHA256, sha256Of(content, read.length));
        }
      }
      facts = facts.with(digests, verdict);
      if (unchanged(file, key)) {
        cache.store(key, facts);
        folder.cacheHits++; // what a rescan of the unchanged folder will find in the cache
      } else {
        folder.reusable = false; // changed while read: the journal has it, but do not record a half-read state
      }
    }
    if (wantBody && facts.body().map(DigestCache.BodyVerdict::gaveUp).orElse(false)) {
      skip(folder, "body-scan-budget");
    }
    reportMatches(folder, file, relative, size, named, facts);
  }

  private void reportMatches(Folder folder, FileEntry file, String relative, long size, List<FileRule> named,
      DigestCache.FileFacts facts) {
    Map<HashAlgorithm, String> digests = facts.digests();
    Set<String> reported = new HashSet<>();
    String sha256 = digests.getOrDefault(HashAlgorithm.SHA256, "");
    for (HashSignature s : hashIndex.matches(size, digests)) {
      if (reported.add(s.name())) {
        report(folder, s.name(), RuleKind.RULE_KIND_HASH, relative, size, sha256,
            describe(s.algorithm()) + " " + s.hex() + " and size " + size + " match signature "
                + s.name() + " from " + s.origin());
      }
    }
    List<String> bodyMatches = facts.body().map(DigestCache.BodyVerdict::matched).orElse(List.of());
    if (!bodyMatches.isEmpty() && sha256.isEmpty()) {
      sha256 = sha256Of(file, size); // only for verdicts cached before SHA-256 was kept with them
    }
    for (String name : bodyMatches) {
      if (reported.add(name)) {
        report(folder, name, RuleKind.RULE_KIND_BODY_PATTERN, relative, size, sha256,
            "Contents match body signature " + name + originOf(name));
      }
    }
    for (FileRule rule : named) {
      report(folder, rule.id(), RuleKind.RULE_KIND_FILE_NAME, relative, size, sha256, rule.detail());
    }
  }

  private String originOf(String bodyName) {
    return rules.signatures().bodySignature(bodyName)
        .map(b -> " from " + b.origin() + " (offset " + b.offset() + ")")
        .orElse("");
  }

  private void report(Folder folder, String ruleId, RuleKind kind, String path, long size, String sha256,
      String detail) {
    ArtifactFinding finding = ArtifactFinding.newBuilder()
        .setRuleId(ruleId)
        .setRuleKind(kind)
        .setPath(path)
        .setSize(size)
        .setSha256(sha256)
        .setDetail(detail)
        .setRuleSetVersion(rules.version())
        .build();
    if (journal.continuous() && folder.reusable) {
      if (folder.findings.size() < FolderOutcome.MAX_FINDINGS) {
        folder.findings.add(finding);
      } else {
        folder.reusable = false; // a hostile folder's findings are not kept twice
      }
    }
    findings.accept(finding);
  }

  /** {@code content}: the bytes read, when the caller asked to keep them (for the body scan). */
  private record Read(Map<HashAlgorithm, String> digests, byte @Nullable [] content, int length) {}

  /**
   * Reads the file once (at most {@code size} bytes: a file growing while we read is judged
   * by what it was when listed), feeding every missing digest and, when asked, keeping the
   * bytes for the body scan.
   */
  private Read read(FileEntry file, long size, Set<HashAlgorithm> algorithms, boolean keepContent)
      throws IOException {
    Map<HashAlgorithm, MessageDigest> digests = new EnumMap<>(HashAlgorithm.class);
    for (HashAlgorithm a : algorithms) {
      digests.put(a, a.newDigest());
    }
    byte[] content = null;
    long total = 0;
    try (ReadableByteChannel channel = file.open()) {
      filesRead++;
      if (keepContent) {
        content = buffer((int) size);
        ByteBuffer whole = ByteBuffer.wrap(content, 0, (int) size);
        while (whole.hasRemaining() && channel.read(whole) >= 0) {
          // keep reading until the listed size or end of file
        }
        total = whole.position();
        for (MessageDigest d : digests.values()) {
          d.update(content, 0, (int) total);
        }
      } else {
        while (total < size) {
          chunk.clear();
          chunk.limit((int) Math.min(CHUNK, size - total));
          int n = channel.read(chunk);
          if (n < 0) {
            break;
          }
          total += n;
          for (MessageDigest d : digests.values()) {
            d.update(chunk.array(), 0, n);
          }
        }
      }
    } finally {
      bytesRead += total;
    }
    Map<HashAlgorithm, String> hex = new EnumMap<>(HashAlgorithm.class);
    digests.forEach((a, d) -> hex.put(a, HexFormat.of().formatHex(d.digest())));
    return new Read(hex, content, (int) Math.min(Integer.MAX_VALUE, total));
  }

  /** A reusable buffer for small files; a fresh one (left to the GC) for large ones. */
  private byte[] buffer(int size) {
    if (size > SMALL_BUFFER) {
      return new byte[size];
    }
    if (smallBuffer.length < size) {
      smallBuffer = new byte[Math.min(SMALL_BUFFER, Math.max(size, 2 * smallBuffer.length))];
    }
    return smallBuffer;
  }

  private String sha256Of(byte[] content, int length) {
    MessageDigest d = HashAlgorithm.SHA256.newDigest();
    d.update(content, 0, length);
    return HexFormat.of().formatHex(d.digest());
  }

  private String sha256Of(FileEntry file, long size) {
    try {
      return read(file, size, EnumSet.of(HashAlgorithm.SHA256), false).digests().getOrDefault(HashAlgorithm.SHA256, "");
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Whether the file still looks as when it was listed (else its digests are not cached). */
  private static boolean unchanged(FileEntry file, DigestCache.FileKey key) {
    try {
      FileAttributes now = file.attributesNow();
      return now.size() == key.size() && now.mtimeNanos() == key.mtimeNanos()
          && now.ctimeNanos() == key.ctimeNanos();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static String relativeOf(Folder folder, String name) {
    return folder.relative.isEmpty() ? name : folder.relative + "/" + name;
  }

  /** {@code folder} relative to {@code root}, '/'-separated as the walk names folders. */
  private static String relativeName(Path root, Path folder) {
    return root.relativize(folder).toString().replace(File.separatorChar, '/');
  }

  /** Whether a folder directly under the root is a mounted pseudo file system (by its type). */
  private boolean isPseudoFileSystem(String name) {
    try {
      FileStore store = Files.getFileStore(root.resolve(name));
      return PSEUDO_FILE_SYSTEMS.contains(store.type());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static String describe(HashAlgorithm a) {
    return switch (a) {
      case MD5 -> "MD5";
      case SHA1 -> "SHA-1";
      case SHA256 -> "SHA-256";
    };
  }

  private void skip(String reason) {
    skipped.merge(reason, 1L, Long::sum);
  }

  /**
   * A skip while {@code folder} is being listed is part of its outcome; one after (a
   * subfolder that could not be opened) is not: the walk meets it again either way.
   */
  private void skip(Folder folder, String reason) {
    skip(reason);
    if (!folder.listingDone) {
      folder.skipped.merge(reason, 1L, Long::sum);
    }
  }
}
