package io.labscan.controller.trust;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.controller.store.Storage;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's database (fleet key, password hashes), its WAL and SHM files and the pki
 * folder are owner-only whatever the umask: the process umask cannot be changed per test, so
 * these tests create the real files and assert their modes exactly (the build's umask, usually
 * 022, would leave them 0644 if the controller relied on it).
 */
class ControllerFilePermissionsTest {
  @TempDir Path dir;

  @BeforeEach
  void posixOnly() {
    Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "SKIPPED: POSIX file permissions only");
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void aRunningControllerKeepsItsDatabaseWalShmAndPkiOwnerOnly() throws Exception {
    Path data = dir.resolve("labscan-data");
    try (SecureController controller = new SecureController(data)) {
      controller.runtime.store().ingest(TestReports.fullScan(TestReports.newHostId(), "pc-1",
          Instant.now(), 1, "10.0.0.1"), Instant.now(), "test").join();
      Path db = data.resolve("controller.db");
      assertThat(mode(data)).isEqualTo("rwx------");
      assertThat(mode(db)).isEqualTo("rw-------");
      assertThat(mode(data.resolve("controller.db-wal"))).isEqualTo("rw-------");
      assertThat(mode(data.resolve("controller.db-shm"))).isEqualTo("rw-------");
      Path pki = CertificateAuthority.folderFor(db);
      assertThat(mode(pki)).isEqualTo("rwx------");
      assertThat(mode(pki.resolve("ca.key"))).isEqualTo("rw-------");
      assertThat(mode(pki.resolve(CertificateAuthority.SERVER_KEY))).isEqualTo("rw-------");
    }
  }

  @Test
  void aDatabaseAnOlderVersionLeftWorldReadableIsMadeOwnerOnlyWhenOpened() throws Exception {
    Path db = dir.resolve("old.db");
    Storage.open(db).close();
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
    Path wal = dir.resolve("old.db-wal");
    Files.write(wal, new byte[0]);
    Files.setPosixFilePermissions(wal, PosixFilePermissions.fromString("rw-rw-rw-"));

    try (Storage store = Storage.open(db)) {
      assertThat(mode(db)).isEqualTo("rw-------");
      assertThat(mode(wal)).isEqualTo("rw-------");
      assertThat(mode(dir.resolve("old.db-shm"))).isEqualTo("rw-------");
    }
  }

  @Test
  void aReadOnlyDatabaseIsNotMadeWritable() throws Exception {
    Path db = dir.resolve("ro.db");
    Storage.open(db).close();
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("r--r--r--"));
    try (Storage store = Storage.open(db)) {
      assertThat(mode(db)).isEqualTo("r--------");
    }
  }
}
