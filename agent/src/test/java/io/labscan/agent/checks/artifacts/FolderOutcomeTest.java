package io.labscan.agent.checks.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.rules.Eicar;
import io.labscan.proto.v1.ArtifactFinding;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FolderOutcomeTest {
  private final FolderOutcome outcome = new FolderOutcome(12, 3, Map.of("symlink", 2L), List.of("CHKLIST.MS"),
      List.of(ArtifactFinding.newBuilder().setRuleId("Eicar-Test-Signature").setPath("a/eicar.com").build()),
      List.of("sub".getBytes(StandardCharsets.UTF_8)), new long[] {42, 43});

  @Test
  void anOutcomeSurvivesItsRecord() {
    FolderOutcome back = FolderOutcome.decode(outcome.encode()).orElseThrow();

    assertThat(back.findings()).isEqualTo(outcome.findings());
    assertThat(back.subfolders()).containsExactly("sub".getBytes(StandardCharsets.UTF_8));
    assertThat(back.inodes()).containsExactly(42, 43);
    assertThat(back).usingRecursiveComparison().ignoringFields("findings", "subfolders", "inodes").isEqualTo(outcome);
  }

  @Test
  void theInodesAreSkippedWhenNotAskedFor() {
    FolderOutcome back = FolderOutcome.decode(outcome.encode(), false).orElseThrow();

    assertThat(back.inodes()).isEmpty();
    assertThat(back.findings()).isEqualTo(outcome.findings());
  }

  @Test
  void aTruncatedRecordIsRefused() {
    byte[] bytes = outcome.encode();

    assertThat(FolderOutcome.decode(Arrays.copyOf(bytes, bytes.length - 1))).isEmpty();
    assertThat(FolderOutcome.decode(Arrays.copyOf(bytes, bytes.length - 1), false)).isEmpty();
  }

  @Test
  void aRecordOfAnotherVersionIsRefused() {
    byte[] bytes = outcome.encode();
    bytes[0] = 1;

    assertThat(FolderOutcome.decode(bytes)).isEmpty();
  }
}
