package io.labscan.agent.checks.artifacts.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.labscan.testsupport.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LinuxTreeWalkerTest extends TreeWalkerContract {
  private static final Optional<TreeWalker> NATIVE = LinuxTreeWalker.probe();

  @Override
  TreeWalker walker() {
    assumeTrue(NATIVE.isPresent(), "the native walker needs Linux on x86-64 or AArch64 with glibc 2.30+");
    return NATIVE.get();
  }

  @Test
  void theFactoryPicksTheNativeWalkerWhereItWorks() {
    walker();

    assertThat(TreeWalker.forCurrentPlatform().name()).isEqualTo("linux-getdents");
  }

  @Test
  void aNameThatIsNotUtf8IsVisitedShownWithItsBytesEscapedAndOpenedByItsBytes() throws Exception {
    TreeWalker walker = walker();
    Path root = Files.createDirectories(tmp.resolve("root")).toRealPath();
    // Java cannot spell a Latin-1 name on a UTF-8 system; Python writes one by its bytes.
    Process python = new ProcessBuilder(Requirements.command("python3", "python3").toString(), "-c",
        "import os,sys; open(os.path.join(os.fsencode(sys.argv[1]), b'caf\\xe9 \\xff.txt'), 'wb').write(b'latin-1 name')",
        root.toString()).inheritIO().start();
    assertThat(python.waitFor()).as("python3 wrote the Latin-1 name").isZero();
    List<String> names = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    RecordingVisitor visitor = new RecordingVisitor();
    visitor.onFile = e -> {
      names.add(e.name());
      contents.add(RecordingVisitor.readAll(e));
    };

    walker.walk(root, visitor);

    assertThat(names).containsExactly("caf\\xe9 \\xff.txt");
    assertThat(contents).singleElement().isEqualTo("latin-1 name".getBytes(StandardCharsets.US_ASCII));
  }
}
