package io.labscan.installers;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.testsupport.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every shell script in the installers (install scripts, launcher, maintainer scripts) passes shellcheck. */
class ShellScriptsTest {

  /** Files under unix/, linux/ and macos/ named *.sh or starting with a sh or bash shebang. */
  static List<Path> shellScripts() throws IOException {
    List<Path> scripts = new ArrayList<>();
    for (String folder : List.of("unix", "linux", "macos")) {
      try (Stream<Path> files = Files.walk(InstallerFiles.file(folder))) {
        for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
          if (hasShellShebang(file) || file.getFileName().toString().endsWith(".sh")) {
            scripts.add(file);
          }
        }
      }
    }
    return scripts;
  }

  private static boolean hasShellShebang(Path file) throws IOException {
    return shebang(file).matches("#!\\s*/bin/(ba)?sh\\b.*|#!\\s*/usr/bin/env (ba)?sh\\b.*");
  }

  private static String shebang(Path file) throws IOException {
    try (var reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      String first = reader.readLine();
      return first == null ? "" : first;
    }
  }

  @Test
  void findsTheScriptsThatMatter() throws IOException {
    assertThat(shellScripts()).map(p -> InstallerFiles.dir().relativize(p).toString()).contains(
        "unix/labscan-launcher",
        "linux/install.sh", "linux/uninstall.sh", "linux/labscan-agent-setup",
        "linux/deb/agent/postinst", "linux/deb/agent/prerm", "linux/deb/agent/postrm",
        "linux/deb/controller/postinst", "linux/deb/controller/prerm", "linux/deb/controller/postrm",
        "macos/install.sh", "macos/uninstall.sh", "macos/install-files.sh", "macos/build-pkg.sh",
        "macos/scripts/preinstall", "macos/scripts/postinstall");
  }

  @TestFactory
  Stream<DynamicTest> everyShellScriptPassesShellcheck() throws IOException {
    return shellScripts().stream().map(script -> DynamicTest.dynamicTest(
        InstallerFiles.dir().relativize(script).toString(), () -> {
          Path shellcheck = Requirements.command("shellcheck", "shellcheck");
          Command.Result result = Command.run(List.of(shellcheck.toString(), "--severity=style",
              "--external-sources", script.toString()));
          assertThat(result.exitCode()).as("shellcheck %s%n%s", script, result.output()).isZero();
        }));
  }

  @Test
  void everyScriptWithAShebangIsExecutable() throws IOException {
    for (Path script : shellScripts()) {
      if (hasShellShebang(script)) {
        assertThat(Files.isExecutable(script)).as("%s is executable", script).isTrue();
      }
    }
  }
}
