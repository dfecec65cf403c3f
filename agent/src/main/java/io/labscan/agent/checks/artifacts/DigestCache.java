package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers what reading a file told us (its digests, its body-scan verdict) so an unchanged
 * file is not read again on the next full scan. A file counts as unchanged when its path,
 * size, modification time and file id (inode where the platform has one) are all the same.
 */
interface DigestCache extends AutoCloseable {

  /** Identity of one version of a file. */
  record FileKey(String path, long size, long mtimeNanos, String fileId) {
    public FileKey {
      requireNonNull(path, "path");
      requireNonNull(fileId, "fileId");
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
      digests = digests.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(digests));
      requireNonNull(body, "body");
    }

    FileFacts with(Map<HashAlgorithm, String> more, Optional<BodyVerdict> newBody) {
      Map<HashAlgorithm, String> all = new EnumMap<>(HashAlgorithm.class);
      all.putAll(digests);
      all.putAll(more);
      return new FileFacts(all, newBody.isPresent() ? newBody : body);
    }
  }

  /** What was stored for exactly this version of the file. */
  Optional<FileFacts> lookup(FileKey key);

  /** Records facts about this version of the file (replacing older versions). */
  void store(FileKey key, FileFacts facts);

  /** Marks a cached entry as still in use, so {@link #finish} keeps it. */
  void keep(FileKey key);

  /**
   * Writes everything pending. After a complete walk, entries of this root that were neither
   * kept nor stored in this scan (deleted files, files no rule needs any more) are dropped.
   */
  void finish(boolean walkComplete);

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
      public void finish(boolean walkComplete) {}

      @Override
      public void close() {}
    };
  }
}
