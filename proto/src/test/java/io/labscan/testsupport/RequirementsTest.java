package io.labscan.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class RequirementsTest {
  @TempDir Path dir;

  @Test
  void aCommandMissingFromPathSkipsTheTestNamingTheDebianPackageAndHowToGetIt() throws IOException {
    Requirements bare = new Requirements(Map.of("PATH", Files.createDirectories(dir.resolve("bin")).toString()));

    assertThatThrownBy(() -> bare.needCommand("nft", "nftables"))
        .isInstanceOf(TestAbortedException.class)
        .hasMessage("needs nft (Debian package nftables): sudo .ci/run installs it");
  }

  @Test
  void inStrictModeTheSameMissingCommandFailsTheTest() throws IOException {
    Requirements strict = new Requirements(Map.of("PATH", Files.createDirectories(dir.resolve("bin")).toString(),
        Requirements.STRICT_VARIABLE, "1"));

    assertThatThrownBy(() -> strict.needCommand("nft", "nftables"))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageStartingWith("needs nft (Debian package nftables): sudo .ci/run installs it")
        .hasMessageContaining("LABSCAN_STRICT=1");
  }

  @Test
  void aCommandOnPathIsFoundInTheFirstDirectoryThatHasItAndNeverSkips() throws IOException {
    Path first = Files.createDirectories(dir.resolve("first"));
    Path second = Files.createDirectories(dir.resolve("second"));
    Path nft = executable(second.resolve("nft"));
    Files.writeString(first.resolve("nft"), "not executable");
    Requirements machine = new Requirements(Map.of("PATH", first + ":" + dir.resolve("absent") + "::" + second,
        Requirements.STRICT_VARIABLE, "1"));

    assertThat(machine.needCommand("nft", "nftables")).isEqualTo(nft);
  }

  @Test
  void strictModeIsOnlyTheDocumentedVariableSetToOneOrTrue() {
    assertThat(new Requirements(Map.of()).strict()).isFalse();
    assertThat(new Requirements(Map.of(Requirements.STRICT_VARIABLE, "0")).strict()).isFalse();
    assertThat(new Requirements(Map.of(Requirements.STRICT_VARIABLE, "")).strict()).isFalse();
    assertThat(new Requirements(Map.of(Requirements.STRICT_VARIABLE, "1")).strict()).isTrue();
    assertThat(new Requirements(Map.of(Requirements.STRICT_VARIABLE, "true")).strict()).isTrue();
  }

  @Test
  void aTestWhosePackageIsHiddenEndsAbortedNotInErrorAndTheSummaryNamesItWithItsReason() {
    SkipSummary summary = new SkipSummary(false);
    Outcomes outcomes = new Outcomes();

    LauncherFactory.create(LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false).build())
        .execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(NeedsAHiddenTool.class)).build(),
            summary, outcomes);

    assertThat(outcomes.last).isEqualTo(TestExecutionResult.Status.ABORTED);
    assertThat(summary.summary())
        .contains("Skipped because something is missing (1 test; sudo .ci/run runs them all):")
        .contains("  needs hivexsh (Debian package libhivex-bin): sudo .ci/run installs it\n")
        .contains("    " + NeedsAHiddenTool.class.getName() + "#readsAHive\n");
  }

  @Test
  void nothingSkippedPrintsNothing() {
    assertThat(new SkipSummary(false).summary()).isEmpty();
  }

  private static Path executable(Path file) throws IOException {
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  /** A test as the modules write them, on a machine whose PATH lacks its tool (run by the launcher above). */
  static final class NeedsAHiddenTool {
    @Test
    void readsAHive() {
      new Requirements(Map.of("PATH", "/nonexistent-labscan-bin")).needCommand("hivexsh", "libhivex-bin");
    }
  }

  private static final class Outcomes implements TestExecutionListener {
    TestExecutionResult.Status last;

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
      if (test.isTest()) {
        last = result.getStatus();
      }
    }
  }
}
