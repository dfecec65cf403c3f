package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.artifacts.walk.EntryType;
import io.labscan.agent.checks.artifacts.walk.FileAttributes;
import io.labscan.agent.checks.artifacts.walk.FileEntry;
import io.labscan.agent.checks.artifacts.walk.TreeWalker;
import io.labscan.agent.checks.artifacts.walk.WalkVisitor;
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
 */
final class TreeScan {
  /** Beyond this, files are hashed but not body-scanned (the body scan holds the file in memory). */
  static final long MAX_BODY_BYTES = 256L << 20;
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
  private boolean interrupted;

  private record Folder(String relative, List<String> folded, List<FileRule> rules) {}

  /**
   * @param root the real path of the scan root
   * @param excluded a folder not to scan (the agent's own state folder, when under the root)
   */
  TreeScan(Path root, TreeWalker walker, RuleSet rules, long maxFileSize, DigestCache cache, ScanProgress progress,
      Optional<Path> excluded, Consumer<ArtifactFinding> findings) {
    this.root = requireNonNull(root, "root");
    this.walker = requireNonNull(walker, "walker");
    this.rules = requireNonNull(rules, "rules");
    this.maxFileSize = maxFileSize;
    this.cache = requireNonNull(cache, "cache");
    this.progress = requireNonNull(progress, "progress");
    this.excluded = requireNonNull(excluded, "excluded").map(e -> relativeName(root, e));
    this.findings = requireNonNull(findings, "findings");
    this.hashIndex = rules.signatures().hashIndex();
    this.bodyMatcher = rules.signatures().bodyMatcher();
    this.integrityNames = rules.integrityFiles().foldedNames();
  }

  Result run() throws IOException, InterruptedException {
    walker.walk(root, new Visitor());
    if (interrupted) {
      throw new InterruptedException("artifact scan interrupted");
    }
    return result(true);
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
      skip(type == EntryType.SYMLINK ? "symlink" : "special-file"); // FIFO, device, socket: never opened
    }

    @Override
    public void unreadable(Folder folder, String name) {
      skip("unreadable");
    }

    @Override
    public void listed(Folder folder, boolean complete) {
      cache.folderDone(folder.relative, complete);
    }

    @Override
    public boolean stopRequested() {
      if (Thread.currentThread().isInterrupted()) {
        interrupted = true;
      }
      return interrupted;
    }
  }

  private void examine(FileEntry file, Folder folder) {
    files++;
    String name = file.name();
    progress.progress(files, bytesRead, folder.relative);
    if (!integrityNames.isEmpty() && integrityNames.contains(FolderPattern.fold(name))) {
      integrityPresent.add(relativeOf(folder, name));
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
      skip("unreadable");
      for (FileRule rule : named) {
        report(rule.id(), RuleKind.RULE_KIND_FILE_NAME, relative, 0, "",
            rule.detail() + " (not hashed: the file could not be read)");
      }
      return;
    }
    long size = attrs.size();
    EnumSet<HashAlgorithm> needed = EnumSet.noneOf(HashAlgorithm.class);
    needed.addAll(hashIndex.needed(size));
    if (!needed.isEmpty() || !named.isEmpty()) {
      needed.add(HashAlgorithm.SHA256); // every finding on a file carries its SHA-256
    }
    boolean wantBody = !bodyMatcher.isEmpty() && size > 0;
    if (size > maxFileSize) {
      skip("too-large");
      for (FileRule rule : named) {
        report(rule.id(), RuleKind.RULE_KIND_FILE_NAME, relative, size, "",
            rule.detail() + " (not hashed: " + size + " bytes is over the " + maxFileSize + "-byte limit)");
      }
      return;
    }
    if (needed.isEmpty() && !wantBody) {
      return;
    }
    if (wantBody && size > MAX_BODY_BYTES) {
      skip("too-large-for-body-scan");
      wantBody = false;
    }
    DigestCache.FileKey key = new DigestCache.FileKey(folder.relative, name, size, attrs.mtimeNanos(),
        attrs.fileId());
    DigestCache.FileFacts facts = cache.lookup(key).orElse(DigestCache.FileFacts.NONE);
    EnumSet<HashAlgorithm> missing = EnumSet.copyOf(needed);
    missing.removeAll(facts.digests().keySet());
    String bodySet = rules.signatures().bodyDigest();
    boolean bodyMissing = wantBody
        && facts.body().map(b -> !b.signaturesDigest().equals(bodySet)).orElse(true);
    if (missing.isEmpty() && !bodyMissing) {
      cacheHits++;
      cache.keep(key);
    } else {
      Read read;
      try {
        read = read(file, size, missing, bodyMissing);
      } catch (IOException | RuntimeException e) {
        skip("unreadable");
        for (FileRule rule : named) {
          report(rule.id(), RuleKind.RULE_KIND_FILE_NAME, relative, size, "",
              rule.detail() + " (not hashed: the file could not be read)");
        }
        return;
      }
      Map<HashAlgorithm, String> digests = new EnumMap<>(HashAlgorithm.class);
      digests.putAll(read.digests);
      Optional<DigestCache.BodyVerdict> verdict = Optional.empty();
      if (bodyMissing) {
        BodyMatcher.Result r = bodyMatcher.scan(read.content, read.length);
        verdict = Optional.of(new DigestCache.BodyVerdict(bodySet,
            r.matches().stream().map(BodySignature::name).toList(), r.gaveUp()));
        if (!r.matches().isEmpty() && !facts.digests().containsKey(HashAlgorithm.SHA256)) {
          // A body match is reported with the file's SHA-256; take it while the bytes are here.
          digests.putIfAbsent(HashAlgorithm.SHA256, sha256Of(read.content, read.length));
        }
      }
      facts = facts.with(digests, verdict);
      if (unchanged(file, key)) {
        cache.store(key, facts);
      }
    }
    if (wantBody && facts.body().map(DigestCache.BodyVerdict::gaveUp).orElse(false)) {
      skip("body-scan-budget");
    }
    reportMatches(file, relative, size, named, facts);
  }

  private void reportMatches(FileEntry file, String relative, long size, List<FileRule> named,
      DigestCache.FileFacts facts) {
    Map<HashAlgorithm, String> digests = facts.digests();
    Set<String> reported = new HashSet<>();
    String sha256 = digests.getOrDefault(HashAlgorithm.SHA256, "");
    for (HashSignature s : hashIndex.matches(size, digests)) {
      if (reported.add(s.name())) {
        report(s.name(), RuleKind.RULE_KIND_HASH, relative, size, sha256,
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
        report(name, RuleKind.RULE_KIND_BODY_PATTERN, relative, size, sha256,
            "Contents match body signature " + name + originOf(name));
      }
    }
    for (FileRule rule : named) {
      report(rule.id(), RuleKind.RULE_KIND_FILE_NAME, relative, size, sha256, rule.detail());
    }
  }

  private String originOf(String bodyName) {
    return rules.signatures().bodySignature(bodyName)
        .map(b -> " from " + b.origin() + " (offset " + b.offset() + ")")
        .orElse("");
  }

  private void report(String ruleId, RuleKind kind, String path, long size, String sha256, String detail) {
    findings.accept(ArtifactFinding.newBuilder()
        .setRuleId(ruleId)
        .setRuleKind(kind)
        .setPath(path)
        .setSize(size)
        .setSha256(sha256)
        .setDetail(detail)
        .setRuleSetVersion(rules.version())
        .build());
  }

  private record Read(Map<HashAlgorithm, String> digests, byte[] content, int length) {}

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
      return read(file, size, EnumSet.of(HashAlgorithm.SHA256), false).digests().get(HashAlgorithm.SHA256);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Whether the file still looks as when it was listed (else its digests are not cached). */
  private static boolean unchanged(FileEntry file, DigestCache.FileKey key) {
    try {
      FileAttributes now = file.attributesNow();
      return now.size() == key.size() && now.mtimeNanos() == key.mtimeNanos();
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
}
