package io.labscan.agent.checks.av;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootedPathsTest {
  @TempDir Path root;

  @Test
  void windowsPathLosesItsDriveLetterAndMatchesAnyCase() throws IOException {
    Path folder = Files.createDirectories(root.resolve("PROGRAM FILES/clamav/Database"));

    assertThat(new RootedPaths(root).resolve("C:\\Program Files\\ClamAV\\database"))
        .contains(folder);
  }

  @Test
  void exactNameIsPreferredOverOtherCaseVariants() throws IOException {
    Files.createDirectories(root.resolve("clamav"));
    Path exact = Files.createDirectories(root.resolve("ClamAV"));

    assertThat(new RootedPaths(root).resolve("/ClamAV")).contains(exact);
  }

  @Test
  void dotDotStopsAtTheRoot() throws IOException {
    Path etc = Files.createDirectories(root.resolve("etc"));

    assertThat(new RootedPaths(root).resolve("/../../etc")).contains(etc);
  }

  @Test
  void relativeLinkIsFollowedInsideTheRoot() throws IOException {
    Path target = Files.createDirectories(root.resolve("data/clamav"));
    Files.createDirectories(root.resolve("var/lib"));
    Files.createSymbolicLink(root.resolve("var/lib/clamav"), Path.of("../../data/clamav"));

    assertThat(new RootedPaths(root).resolve("/var/lib/clamav")).contains(target);
  }

  @Test
  void relativeLinkClimbingAboveTheRootStopsAtTheRoot(@TempDir Path outside)
      throws IOException {
    Files.createDirectories(outside.resolve("secret"));
    Files.createSymbolicLink(root.resolve("escape"),
        Path.of("../../../../../../../../../../" + outside.getFileName() + "/secret"));

    assertThat(new RootedPaths(root).resolve("/escape")).isEmpty();
  }

  @Test
  void linkLoopGivesNothing() throws IOException {
    Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
    Files.createSymbolicLink(root.resolve("b"), Path.of("a"));

    assertThat(new RootedPaths(root).resolve("/a/file")).isEmpty();
  }

  @Test
  void displayIsRelativeToTheRootWithSlashes() throws IOException {
    Path folder = Files.createDirectories(root.resolve("var/lib/clamav"));

    assertThat(new RootedPaths(root).display(folder)).isEqualTo("/var/lib/clamav");
  }
}
