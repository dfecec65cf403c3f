package io.labscan.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.labscan.contract.policy.PolicyDefaults;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy handed to the worker carries the fleet's harvest key: owner-only. */
class WorkerFilesPermissionsTest {
  @TempDir Path tmp;

  @Test
  void theExchangeFolderAndThePolicyInItAreOwnerOnly() throws Exception {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path folder = WorkerFiles.folder(tmp.resolve("state"));
    Path policy = folder.resolve(WorkerFiles.POLICY);

    WorkerFiles.write(policy, PolicyDefaults.defaults().toBuilder()
        .setHarvestKey(ByteString.copyFromUtf8("fleet-key-for-tests-0123456789abcdef")).build());

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("state"))))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(policy))).isEqualTo("rw-------");
  }
}
