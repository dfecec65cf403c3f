package io.labscan.installers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * linux/install.sh and uninstall.sh for machines without the package, run with --root so they
 * stage into a folder and leave this machine's services alone.
 */
class LinuxInstallScriptTest {
  @TempDir Path root;
  @TempDir Path dist;
  private Path jar;

  @BeforeEach
  void aReleaseJar() throws IOException {
    jar = Files.writeString(dist.resolve("labscan-agent.jar"), "not really a jar");
  }

  private Command.Result script(String name, String stdin, String... args) {
    List<String> command = new ArrayList<>(List.of(InstallerFiles.file("linux/" + name).toString()));
    command.addAll(List.of(args));
    return Command.run(command, Map.of(), stdin, Duration.ofSeconds(60));
  }

  private Command.Result install(String... args) {
    List<String> all = new ArrayList<>(List.of("--jar", jar.toString(), "--root", root.toString()));
    all.addAll(List.of(args));
    return script("install.sh", "", all.toArray(String[]::new));
  }

  private static String mode(Path file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> agentYaml() throws IOException {
    return new ObjectMapper(new YAMLFactory()).readValue(root.resolve("etc/labscan/agent.yaml").toFile(), Map.class);
  }

  @Test
  void installsJarLauncherProfileAndUnitUnderUsrLocal() throws IOException {
    Command.Result result = install("--controller", "labscan.example.edu:7443", "--token", "t0ken");
    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(root.resolve("usr/local/share/labscan-agent/labscan-agent.jar")).hasContent("not really a jar");
    assertThat(root.resolve("usr/local/share/labscan-agent/jvm.options"))
        .hasSameTextualContentAs(InstallerFiles.file("unix/agent.jvm.options"));
    assertThat(mode(root.resolve("usr/local/bin/labscan-agent"))).isEqualTo("rwxr-xr-x");
    assertThat(mode(root.resolve("usr/local/sbin/labscan-agent-setup"))).isEqualTo("rwxr-xr-x");
    assertThat(mode(root.resolve("var/lib/labscan-agent"))).isEqualTo("rwxr-x---");
  }

  @Test
  void pointsTheServiceAtTheLauncherItInstalled() throws IOException {
    install("--controller", "labscan.example.edu:7443", "--token", "t0ken");
    SystemdUnit unit = SystemdUnit.read(root.resolve("etc/systemd/system/labscan-agent.service"));
    assertThat(unit.value("Service", "ExecStart"))
        .isEqualTo("/usr/local/bin/labscan-agent run --config /etc/labscan/agent.yaml");
    assertThat(unit.value("Service", "Restart")).isEqualTo("on-failure");
  }

  @Test
  void writesControllerTokenAndLabIntoARootOnlyConfig() throws IOException {
    install("--controller", "labscan.example.edu:7443", "--token", "t0ken", "--lab", "physics");
    assertThat(mode(root.resolve("etc/labscan/agent.yaml"))).isEqualTo("rw-------");
    assertThat(agentYaml()).containsEntry("controller", "labscan.example.edu:7443")
        .containsEntry("token", "t0ken")
        .containsEntry("lab", "physics")
        .containsEntry("stateDir", "/var/lib/labscan-agent")
        .doesNotContainKey("insecure");
  }

  @Test
  void quotesValuesSoYamlReadsBackExactlyWhatWasGiven() throws IOException {
    install("--controller", "[fd00::7]:7443", "--token", "a'b:#c", "--lab", "Physics 'A': room #1");
    assertThat(agentYaml()).containsEntry("controller", "[fd00::7]:7443")
        .containsEntry("token", "a'b:#c")
        .containsEntry("lab", "Physics 'A': room #1");
  }

  @Test
  void readsTheTokenFromStandardInputSoItStaysOutOfThePsListing() throws IOException {
    Command.Result result = script("install.sh", "s3cret\n", "--jar", jar.toString(), "--root", root.toString(),
        "--controller", "labscan.example.edu:7443", "--token", "-");
    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(agentYaml()).containsEntry("token", "s3cret");
  }

  @Test
  void writesTheOptionalEnrolmentAddressAndPlaintextSwitch() throws IOException {
    install("--controller", "labscan.example.edu:7443", "--token", "t", "--enroll", "labscan.example.edu:7444",
        "--insecure");
    assertThat(agentYaml()).containsEntry("enroll", "labscan.example.edu:7444").containsEntry("insecure", true);
  }

  @Test
  void refusesAControllerThatIsNotHostColonPortAndWritesNoConfig() {
    for (String bad : List.of("labscan.example.edu", "labscan.example.edu:0", "labscan.example.edu:99999",
        "host name:7443", ":7443", "labscan.example.edu:http")) {
      Command.Result result = install("--controller", bad, "--token", "t");
      assertThat(result.exitCode()).as("%s -> %s", bad, result).isEqualTo(2);
      assertThat(result.output()).contains("is not HOST:PORT");
    }
    assertThat(root.resolve("etc/labscan/agent.yaml")).doesNotExist();
  }

  @Test
  void refusesATokenWithSpacesOrNewlines() {
    Command.Result result = install("--controller", "labscan.example.edu:7443", "--token", "two words");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.output()).contains("token");
  }

  @Test
  void requiresControllerAndToken() {
    assertThat(install("--token", "t").output()).contains("--controller HOST:PORT is required");
    assertThat(install("--controller", "labscan.example.edu:7443").output()).contains("--token TOKEN is required");
  }

  @Test
  void uninstallKeepsConfigAndStateSoAReinstallIsTheSameHost() throws IOException {
    install("--controller", "labscan.example.edu:7443", "--token", "t");
    Files.writeString(root.resolve("var/lib/labscan-agent/host-id"), "0b7e");

    Command.Result result = script("uninstall.sh", "", "--root", root.toString());

    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(root.resolve("usr/local/share/labscan-agent")).doesNotExist();
    assertThat(root.resolve("usr/local/bin/labscan-agent")).doesNotExist();
    assertThat(root.resolve("etc/systemd/system/labscan-agent.service")).doesNotExist();
    assertThat(root.resolve("etc/labscan/agent.yaml")).exists();
    assertThat(root.resolve("var/lib/labscan-agent/host-id")).hasContent("0b7e");
  }

  @Test
  void uninstallWithPurgeAlsoDeletesConfigAndState() {
    install("--controller", "labscan.example.edu:7443", "--token", "t");

    Command.Result result = script("uninstall.sh", "", "--purge", "--root", root.toString());

    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(root.resolve("etc/labscan")).doesNotExist();
    assertThat(root.resolve("var/lib/labscan-agent")).doesNotExist();
  }
}
