package io.labscan.agent.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.labscan.agent.transport.Spool;
import io.labscan.proto.v1.Report;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the agent writes under its state folder is private to its account whatever the umask:
 * databases and their WAL files 0600, folders 0700 (or the packages' 0750).
 */
class PrivateFilesTest {
  @TempDir Path tmp;

  @BeforeEach
  void posixOnly() {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "POSIX file modes");
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aNewSpoolIsOwnerOnlyWithItsWalAndSharedMemoryFilesAndItsFolder() throws Exception {
    Path state = tmp.resolve("var/lib/labscan-agent");
    try (Spool spool = Spool.open(state)) {
      spool.add(Report.newBuilder().setReportId(UUID.randomUUID().toString()).setSequence(1)
          .build());
      assertThat(mode(state.resolve("spool.db"))).isEqualTo("rw-------");
      assertThat(mode(state.resolve("spool.db-wal"))).isEqualTo("rw-------");
      assertThat(mode(state.resolve("spool.db-shm"))).isEqualTo("rw-------");
    }
    assertThat(mode(state)).isEqualTo("rwx------");
    assertThat(mode(state.getParent())).isEqualTo("rwx------");
  }

  @Test
  void aSpoolAnOlderAgentLeftReadableIsMadeOwnerOnly() throws Exception {
    Path state = tmp.resolve("state");
    try (Spool spool = Spool.open(state)) {
      spool.add(Report.newBuilder().setReportId(UUID.randomUUID().toString()).setSequence(1)
          .build());
    }
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(state.resolve("spool.db"),
        PosixFilePermissions.fromString("rw-r--r--"));

    try (Spool spool = Spool.open(state)) {
      assertThat(spool.size()).isEqualTo(1);
    }

    assertThat(mode(state.resolve("spool.db"))).isEqualTo("rw-------");
    assertThat(mode(state)).isEqualTo("rwxr-x---");
  }

  @Test
  void theHostIdentityAndItsFolderAreOwnerOnly() throws Exception {
    Path state = tmp.resolve("fresh-state");
    HostIdentity.loadOrCreate(state);
    assertThat(mode(state)).isEqualTo("rwx------");
    assertThat(mode(state.resolve(HostIdentity.FILE_NAME))).isEqualTo("rw-------");
  }

  @Test
  void thePackagesGroupReadableStateFolderKeepsItsMode() throws Exception {
    Path state = Files.createDirectory(tmp.resolve("labscan-agent"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
    PrivateFiles.folder(state);
    assertThat(mode(state)).isEqualTo("rwxr-x---");
  }

  @Test
  void aFolderEveryUserMayWriteIsNotChanged() throws Exception {
    Path shared = Files.createDirectory(tmp.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    PrivateFiles.folder(shared);
    assertThat(mode(shared)).isEqualTo("rwxrwxrwx");
  }
}
