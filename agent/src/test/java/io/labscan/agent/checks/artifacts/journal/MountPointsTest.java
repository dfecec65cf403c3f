package io.labscan.agent.checks.artifacts.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountPointsTest {
  private static final String MOUNTINFO = """
      22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
      23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw
      24 22 0:22 / /sys rw,nosuid shared:7 - sysfs sysfs rw
      30 22 252:2 / /home rw,relatime shared:20 - ext4 /dev/vda2 rw
      31 30 252:3 / /home/lab\\040share rw,relatime shared:21 - xfs /dev/vda3 rw
      32 22 0:40 / /srv/data rw - nfs4 server:/data rw
      """;

  @Test
  void fileSystemsMountedUnderTheRootAreListedAndPseudoOnesLeftOut() {
    assertThat(MountPoints.under(List.of(Path.of("/")), MOUNTINFO))
        .containsExactly(Path.of("/home"), Path.of("/home/lab share"), Path.of("/srv/data"));
  }

  @Test
  void onlyMountsStrictlyUnderARootCount() {
    assertThat(MountPoints.under(List.of(Path.of("/home")), MOUNTINFO)).containsExactly(Path.of("/home/lab share"));
  }

  @Test
  void malformedLinesAreSkipped() {
    assertThat(MountPoints.under(List.of(Path.of("/")), "garbage\n1 2 3\n\n")).isEmpty();
  }
}
