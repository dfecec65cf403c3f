package io.labscan.agent.checks.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.checks.artifacts.DigestCache.FileFacts;
import io.labscan.agent.checks.artifacts.DigestCache.FileKey;
import io.labscan.contract.rules.HashAlgorithm;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDigestCacheTest {
  private static final String ROOT = "/mnt/c";
  private static final FileFacts FACTS = new FileFacts(
      Map.of(HashAlgorithm.SHA256, "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"), Optional.empty());

  @TempDir Path state;

  private static FileKey key(String folder, String name) {
    return new FileKey(folder, name, 68, 1_700_000_000_123_456_789L, "(dev=fe00,ino=42)");
  }

  /** One scan of {@code root}: what {@code body} does, then the end of a walk. */
  private void scan(String root, int maxFolderRows, boolean walkComplete, Consumer<DigestCache> body) {
    try (DigestCache cache = SqliteDigestCache.open(state, root, maxFolderRows)) {
      body.accept(cache);
      cache.finish(walkComplete);
    }
  }

  private void scan(Consumer<DigestCache> body) {
    scan(ROOT, SqliteDigestCache.MAX_FOLDER_ROWS, true, body);
  }

  /** Stores entries in a scan that prunes nothing (so several calls add up). */
  private void store(String folder, String... names) {
    scan(ROOT, SqliteDigestCache.MAX_FOLDER_ROWS, false, cache -> {
      for (String name : names) {
        cache.lookup(key(folder, name));
        cache.store(key(folder, name), FACTS);
      }
      cache.folderDone(folder, true);
    });
  }

  /** Whether the next scan finds the entry (the lookup itself counts as using it). */
  private boolean cached(String root, FileKey key) {
    boolean[] found = new boolean[1];
    scan(root, SqliteDigestCache.MAX_FOLDER_ROWS, false, cache -> found[0] = cache.lookup(key).isPresent());
    return found[0];
  }

  private boolean cached(FileKey key) {
    return cached(ROOT, key);
  }

  @Test
  void anUnchangedFileIsFoundByTheNextScanWithItsDigests() {
    store("WINDOWS/SYSTEM32", "WINKABCD.EXE");

    scan(cache -> assertThat(cache.lookup(key("WINDOWS/SYSTEM32", "WINKABCD.EXE"))).contains(FACTS));
  }

  @Test
  void aFileWithAnotherSizeTimeOrIdentityIsNotFound() {
    store("d", "f.exe");
    FileKey stored = key("d", "f.exe");

    assertThat(cached(new FileKey("d", "f.exe", 69, stored.mtimeNanos(), stored.fileId()))).isFalse();
    assertThat(cached(new FileKey("d", "f.exe", 68, stored.mtimeNanos() + 1, stored.fileId()))).isFalse();
    assertThat(cached(new FileKey("d", "f.exe", 68, stored.mtimeNanos(), "(dev=fe00,ino=43)"))).isFalse();
  }

  @Test
  void entriesAScanDidNotUseInACompletelyListedFolderAreDropped() {
    store("d", "kept.exe", "deleted.exe");

    scan(cache -> {
      cache.lookup(key("d", "kept.exe"));
      cache.keep(key("d", "kept.exe"));
      cache.folderDone("d", true);
    });

    assertThat(cached(key("d", "kept.exe"))).isTrue();
    assertThat(cached(key("d", "deleted.exe"))).isFalse();
  }

  @Test
  void entriesOfAFolderWhoseListingFailedPartWayAreKept() {
    store("d", "seen.exe", "not-reached.exe");

    scan(cache -> {
      cache.lookup(key("d", "seen.exe"));
      cache.folderDone("d", false);
    });

    assertThat(cached(key("d", "not-reached.exe"))).isTrue();
  }

  @Test
  void foldersACompleteWalkDidNotUseAreDropped() {
    store("still-here", "a.exe");
    store("gone", "b.exe");

    scan(cache -> {
      cache.lookup(key("still-here", "a.exe"));
      cache.folderDone("still-here", true);
    });

    assertThat(cached(key("still-here", "a.exe"))).isTrue();
    assertThat(cached(key("gone", "b.exe"))).isFalse();
  }

  @Test
  void aWalkThatStoppedEarlyDropsNothing() {
    store("a", "a.exe");
    store("b", "b.exe");

    scan(ROOT, SqliteDigestCache.MAX_FOLDER_ROWS, false, cache -> {
      cache.lookup(key("a", "a.exe"));
      cache.folderDone("a", true);
    });

    assertThat(cached(key("b", "b.exe"))).isTrue();
  }

  @Test
  void aFolderOverTheRowLimitIsLookedUpFileByFileAndUnusedEntriesStillGo() {
    store("big", "one.exe", "two.exe", "three.exe");

    scan(ROOT, 2, true, cache -> {
      for (String name : new String[] {"one.exe", "two.exe"}) {
        assertThat(cache.lookup(key("big", name))).contains(FACTS);
        cache.keep(key("big", name));
      }
      cache.folderDone("big", true);
    });

    assertThat(cached(key("big", "one.exe"))).isTrue();
    assertThat(cached(key("big", "two.exe"))).isTrue();
    assertThat(cached(key("big", "three.exe"))).isFalse();
  }

  @Test
  void aCompleteWalkOfOneRootLeavesAnotherRootsEntriesAlone() {
    store("d", "a.exe");

    scan("/mnt/d", SqliteDigestCache.MAX_FOLDER_ROWS, true, cache -> {});

    assertThat(cached(key("d", "a.exe"))).isTrue();
    assertThat(cached("/mnt/d", key("d", "a.exe"))).isFalse();
  }
}
