package io.labscan.agent.checks.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.labscan.agent.checks.artifacts.DigestCache.FileFacts;
import io.labscan.agent.checks.artifacts.DigestCache.FileKey;
import io.labscan.contract.rules.HashAlgorithm;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hash cache lists the disk's files: only the agent's account may read it. */
class DigestCachePermissionsTest {
  @TempDir Path tmp;

  @Test
  void theHashCacheAndItsWalFilesAreOwnerOnly() throws Exception {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path state = tmp.resolve("state");
    try (DigestCache cache = SqliteDigestCache.open(state, "/")) {
      FileKey key = new FileKey("home/harold", "setup.exe", 68, 1_700_000_000_000_000_000L, "(ino=42)");
      cache.lookup(key);
      cache.store(key, new FileFacts(Map.of(HashAlgorithm.SHA256,
          "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"), Optional.empty()));
      cache.folderDone("home/harold", true);
      cache.finish(true);
      try (var files = Files.list(state)) {
        assertThat(files.filter(f -> f.getFileName().toString().startsWith(SqliteDigestCache.FILE_NAME)))
            .isNotEmpty()
            .allSatisfy(f -> assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                .as(f.getFileName().toString()).isEqualTo("rw-------"));
      }
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rwx------");
  }
}
