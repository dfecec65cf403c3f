package io.labscan.installers;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.testsupport.Requirements;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each package ships its CLI's bash completion and man page where Debian's tools look for them,
 * and both cover every command. Reads the built .deb with dpkg-deb; installs nothing.
 */
class CliDocsInPackagesIT {
  @ParameterizedTest
  @ValueSource(strings = {"labscan-agent", "labscan-controller"})
  void thePackageInstallsTheCompletionAndTheManPageOfItsCommand(String name) {
    Path dpkgDeb = Requirements.command("dpkg-deb", "dpkg");
    Path deb = Path.of("target", name + ".deb");
    assertThat(deb).as("the build's package").isRegularFile();

    Command.Result contents = Command.run(List.of(dpkgDeb.toString(), "--contents", deb.toString()));

    assertThat(contents.exitCode()).as("%s", contents).isZero();
    assertThat(contents.output())
        .containsPattern("-rw-r--r-- root/root +\\d+ .* \\./usr/share/bash-completion/completions/" + name + "\\n")
        .containsPattern("-rw-r--r-- root/root +\\d+ .* \\./usr/share/man/man1/" + name + "\\.1\\.gz\\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"labscan-agent", "labscan-controller"})
  void theManPageIsRoffNamingEveryCommandAndTheCompletionKnowsThemToo(String name) throws IOException {
    String cli = name.substring("labscan-".length());
    String man;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(
        Path.of("target", "cli-docs", cli, "man1", name + ".1.gz")))) {
      man = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String completion = Files.readString(Path.of("target", "cli-docs", cli, "bash-completion", name));

    assertThat(man).startsWith(".TH \"" + name.toUpperCase(Locale.ROOT) + "\" 1 ")
        .contains(".SH NAME\n" + name.replace("-", "\\-") + " \\- ", ".SH SYNOPSIS", ".SH COMMANDS", ".SH EXIT STATUS")
        .contains(".SS " + name.replace("-", "\\-") + " doctor\n", "Example:");
    assertThat(completion).contains("complete -F ").contains(name).contains("doctor").contains("--help");
  }
}
