package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.rules.HashAlgorithm;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers what reading a file told us (its digests, its body-scan verdict) so an unchanged
 * file is not read again on the next full scan. A file counts as unchanged when its path,
 * size, modification time, change time (where the walker reads it) and file id (inode where
 * the platform has one) are all the same. The change time matters because a modification
 * time can be set back ({@code touch -d}) after the content changed; the change time cannot.
 *
 * <p>The walk hands files over folder by folder: all lookups of one folder come together,
 * then {@link #folderDone}. So an implementation can fetch a folder's entries at once and
 * tell which of them the scan did not use without writing anything per file.
 */
interface DigestCache extends AutoCloseable {

  /**
   * Identity of one version of a file.
   *
   * @param folder its folder, relative to the scan root ({@code ""} for the root itself)
   * @param name its name in that folder, as the walk shows it
   */
  record FileKey(String folder, String name, long size, long mtimeNanos, String fileId, long ctimeNanos) {
    public FileKey {
      requireNonNull(folder, "folder");
      requireNonNull(name, "name");
      requireNonNull(fileId, "fileId");
    }

    /** A key without a change time (the walker does not know it). */
    public FileKey(String folder, String name, long size, long mtimeNanos, String fileId) {
      this(folder, name, size, mtimeNanos, fileId, 0);
    }
  }

  /** A body-scan verdict, valid for the signature set with {@code signaturesDigest}. */
  record BodyVerdict(String signaturesDigest, List<String> matched, boolean gaveUp) {
    public BodyVerdict {
      requireNonNull(signaturesDigest, "signaturesDigest");
      matched = List.copyOf(matched);
    }
  }

  /** What is known about one version of a file. */
  record FileFacts(Map<HashAlgorithm, String> digests, Optional<BodyVerdict> body) {
    static final FileFacts NONE = new FileFacts(Map.of(), Optional.empty());

    public FileFacts {
      // One copy, kept in algorithm order (Map.copyOf would copy it twice: a rescan makes one per file).
      digests = digests.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(digests));
      requireNonNull(body, "body");
    }

    FileFacts with(Map<HashAlgorithm, String> more, Optional<BodyVerdict> newBody) {
      Map<HashAlgorithm, String> all = new EnumMap<>(HashAlgorithm.class);
      all.putAll(digests);
      all.putAll(more);
      return new FileFacts(all, newBody.isPresent() ? newBody : body);
    }
  }

  /**
   * A folder's outcome as a scan under a change journal recorded it (see
   * {@code docs/checks-artifacts.md}, "Change journal"): valid while the journal has seen no
   * change in the folder since the scan that started at ({@code epoch}, {@code position}).
   *
   * @param handle the folder's identity when it was listed (file system id, handle type, handle)
   * @param fingerprint the rule set (and scan limits) it was produced under
   * @param outcome what the folder's listing produced, encoded by {@link FolderOutcome}
   */
  record FolderRecord(long epoch, long position, byte[] handle, String fingerprint, byte[] outcome) {
    public FolderRecord {
      requireNonNull(handle, "handle");
      requireNonNull(fingerprint, "fingerprint");
      requireNonNull(outcome, "outcome");
    }
  }

  /** The folder's recorded outcome, if any. */
  default Optional<FolderRecord> folderRecord(String folder) {
    return Optional.empty();
  }

  /** Records a folder's outcome (replacing an older one). */
  default void saveFolderRecord(String folder, FolderRecord record) {}

  /** Forgets a folder's outcome (it was listed and cannot be reused next time). */
  default void forgetFolderRecord(String folder) {}

  /**
   * The folder's recorded outcome was reused: its file entries and its record stay, the
   * record now vouched for at {@code position} (the journal saw no change up to there).
   */
  default void reused(String folder, long position) {}

  /** What was stored for exactly this version of the file. */
  Optional<FileFacts> lookup(FileKey key);

  /** Records facts about this version of the file (replacing older versions). */
  void store(FileKey key, FileFacts facts);

  /** Marks a cached entry as still in use, so {@link #finish} keeps it. */
  void keep(FileKey key);

  /**
   * Every file of {@code folder} has been looked up. When {@code listedCompletely}, entries
   * of that folder the scan neither kept nor stored (deleted files, files no rule needs any
   * more) may be dropped now.
   */
  void folderDone(String folder, boolean listedCompletely);

  /**
   * Writes everything pending. After a complete walk, entries of this root that were neither
   * kept nor stored in this scan (deleted files, files no rule needs any more) are dropped.
   *
   * @return whether everything this scan recorded is written (false after a database failure)
   */
  boolean finish(boolean walkComplete);

  @Override
  void close();

  /** No caching: every lookup misses. */
  static DigestCache none() {
    return new DigestCache() {
      @Override
      public Optional<FileFacts> lookup(FileKey key) {
        return Optional.empty();
      }

      @Override
      public void store(FileKey key, FileFacts facts) {}

      @Override
      public void keep(FileKey key) {}

      @Override
      public void folderDone(String folder, boolean listedCompletely) {}

      @Override
      public boolean finish(boolean walkComplete) {
        return true;
      }

      @Override
      public void close() {}
    };
  }
}
