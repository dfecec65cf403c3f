package io.labscan.installers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.labscan.testsupport.Requirements;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The labscan-agent .deb the build made, installed into this machine with dpkg, used, removed
 * and purged, in that order: the life of the package on a lab PC. Cleanup (purge) runs however
 * the tests end. The service is never started: systemd is not running in the build container,
 * and where it is, postinst leaves an unconfigured agent stopped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentDebPackageIT {
  private static final String PACKAGE = "labscan-agent";
  private static final Path STATE = Path.of("/var/lib/labscan-agent");
  private static final Path CONFIG = Path.of("/etc/labscan/agent.yaml");
  private static final Path UNIT = Path.of("/usr/lib/systemd/system/labscan-agent.service");
  private static final Path WANTS = Path.of("/etc/systemd/system/multi-user.target.wants/labscan-agent.service");

  @TempDir Path work;

  @BeforeAll
  void install() {
    HostPackages.assumeMayInstall(PACKAGE);
    Path deb = Path.of(System.getProperty("labscan.agent.deb", "target/labscan-agent.deb"));
    assertThat(deb).as("the build's package").isRegularFile();
    HostPackages.installOrSkip(PACKAGE, deb);
  }

  @AfterAll
  void purgeWhateverIsLeft() {
    HostPackages.purgeQuietly(PACKAGE);
  }

  @Test
  @Order(1)
  void installsJarLauncherSetupAndUnitOwnedByRoot() throws IOException {
    assertThat(HostPackages.status(PACKAGE)).isEqualTo("install ok installed");
    assertThat(HostPackages.ownerAndMode(Path.of("/usr/share/labscan-agent/labscan-agent.jar"))).isEqualTo("root:root rw-r--r--");
    assertThat(HostPackages.ownerAndMode(Path.of("/usr/share/labscan-agent/jvm.options"))).isEqualTo("root:root rw-r--r--");
    assertThat(HostPackages.ownerAndMode(Path.of("/usr/bin/labscan-agent"))).isEqualTo("root:root rwxr-xr-x");
    assertThat(HostPackages.ownerAndMode(Path.of("/usr/sbin/labscan-agent-setup"))).isEqualTo("root:root rwxr-xr-x");
    assertThat(HostPackages.ownerAndMode(UNIT)).isEqualTo("root:root rw-r--r--");
    assertThat(HostPackages.ownerAndMode(Path.of("/usr/share/bash-completion/completions/labscan-agent")))
        .isEqualTo("root:root rw-r--r--");
    assertThat(HostPackages.ownerAndMode(Path.of("/usr/share/man/man1/labscan-agent.1.gz"))).isEqualTo("root:root rw-r--r--");
  }

  @Test
  @Order(2)
  void shipsTheConfigAsARootOnlyConffile() throws IOException {
    assertThat(HostPackages.ownerAndMode(CONFIG)).isEqualTo("root:root rw-------");
    Command.Result conffiles = Command.run(List.of("dpkg-query", "-W", "-f=${Conffiles}", PACKAGE));
    assertThat(conffiles.output()).contains("/etc/labscan/agent.yaml");
  }

  @Test
  @Order(3)
  void createsARootOnlyStateFolder() throws IOException {
    assertThat(HostPackages.ownerAndMode(STATE)).isEqualTo("root:root rwxr-x---");
  }

  @Test
  @Order(4)
  void enablesTheServiceForTheNextBoot() throws IOException {
    if (Files.isDirectory(Path.of("/run/systemd/system"))) {
      assertThat(Command.run(List.of("systemctl", "is-enabled", "labscan-agent.service")).output().strip())
          .isEqualTo("enabled");
    } else {
      // deb-systemd-helper enables units without a running systemd by making the symlink itself
      // (through /lib on merged-/usr systems, which is the same file).
      assertThat(Files.isSymbolicLink(WANTS)).isTrue();
      assertThat(WANTS.toRealPath()).isEqualTo(UNIT.toRealPath());
    }
  }

  @Test
  @Order(5)
  void unitPassesSystemdAnalyzeVerify() throws IOException {
    Requirements.command("systemd-analyze", "systemd");
    // A trivially valid unit first: where even that fails, systemd-analyze cannot work in this
    // environment (no /proc access, odd container), and its verdict on ours would mean nothing.
    Path control = Files.writeString(work.resolve("labscan-control.service"),
        "[Service]\nType=oneshot\nExecStart=/bin/true\n");
    Command.Result controlResult = Command.run(List.of("systemd-analyze", "verify", control.toString()));
    Requirements.that(controlResult.exitCode() == 0,
        "a systemd-analyze that can verify units here (it fails even on a trivial unit: " + controlResult + ")",
        "run the tests on a machine or container with a working /proc (sudo .ci/run)");

    Command.Result result = Command.run(List.of("systemd-analyze", "verify", UNIT.toString()));
    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.output()).doesNotContain("labscan-agent.service:");
  }

  @Test
  @Order(6)
  void installedLauncherScansAFolderAndWritesTheReport() throws IOException {
    Path fixture = Files.createDirectories(work.resolve("fixture-root/etc"));
    Files.writeString(fixture.resolve("hostname"), "lab-pc-17\n");
    Path report = work.resolve("report.json");

    Command.Result result = Command.run(
        List.of("/usr/bin/labscan-agent", "scan", "--root", fixture.getParent().toString(), "--out", report.toString()),
        Map.of("LABSCAN_JAVA_OPTS", ""), "", Duration.ofMinutes(3));

    assertThat(result.exitCode()).as("%s", result).isZero();
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    assertThat(json.path("reportId").asText()).matches("[0-9a-f-]{36}");
    assertThat(json.path("scan").path("root").asText()).isEqualTo(fixture.getParent().toString());
    assertThat(json.path("inventory").path("hostId").asText())
        .as("the host identity lives in the package's state folder")
        .isEqualTo(Files.readString(STATE.resolve("host-id")).strip());
  }

  @Test
  @Order(7)
  void theJvmsNativeScratchFolderIsInsideTheStateFolderAndPrivate() throws IOException {
    assertThat(HostPackages.ownerAndMode(STATE.resolve("tmp"))).isEqualTo("root:root rwx------");
  }

  @Test
  @Order(8)
  void onJdk19OrNewerTheInstalledLauncherKeepsAClassDataArchiveInTheStateFolder() throws IOException {
    Optional<Path> java = javaAtLeast(19);
    if (java.isEmpty()) {
      System.err.println("SKIPPED: no JDK 19+ under /usr/lib/jvm; the auto-created class-data archive was NOT "
          + "checked (JDK 17 runs use -Xshare:auto, covered by LauncherTest).");
    }
    assumeTrue(java.isPresent(), "no JDK 19+ under /usr/lib/jvm");

    Command.Result result = Command.run(List.of("/usr/bin/labscan-agent", "--version"),
        Map.of("LABSCAN_JAVA", java.get().toString(), "LABSCAN_JAVA_OPTS", ""), "", Duration.ofMinutes(2));

    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.output().strip()).as("nothing but the version: dump warnings stay off stdout")
        .matches("labscan-agent \\S+");
    assertThat(STATE.resolve("agent.jsa")).isNotEmptyFile();
  }

  /** A java binary under /usr/lib/jvm whose runtime's release file says at least {@code feature}. */
  private static Optional<Path> javaAtLeast(int feature) throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    try (Stream<Path> homes = Files.list(jvms)) {
      return homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
          .filter(home -> releaseFeature(home.resolve("release")) >= feature)
          .map(home -> home.resolve("bin/java"))
          .sorted()
          .findFirst();
    }
  }

  private static int releaseFeature(Path release) {
    try {
      Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  @Test
  @Order(9)
  void reinstallingKeepsTheEnrolmentConfigAndTheHostIdentity() throws IOException {
    Command.Result setup = Command.run(List.of("/usr/sbin/labscan-agent-setup",
        "--controller", "labscan.example.edu:7443", "--token", "8f1c0d", "--lab", "physics", "--no-start"));
    assertThat(setup.exitCode()).as("%s", setup).isZero();
    String configured = Files.readString(CONFIG);
    String hostId = Files.readString(STATE.resolve("host-id"));

    Command.Result again = HostPackages.dpkg("--install",
        System.getProperty("labscan.agent.deb", "target/labscan-agent.deb"));

    assertThat(again.exitCode()).as("%s", again).isZero();
    assertThat(CONFIG).hasContent(configured);
    assertThat(HostPackages.ownerAndMode(CONFIG)).isEqualTo("root:root rw-------");
    assertThat(STATE.resolve("host-id")).hasContent(hostId);
  }

  @Test
  @Order(10)
  void removeDeletesTheProgramButKeepsConfigAndState() {
    Command.Result result = HostPackages.dpkg("--remove", PACKAGE);

    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(HostPackages.status(PACKAGE)).isEqualTo("deinstall ok config-files");
    assertThat(Path.of("/usr/bin/labscan-agent")).doesNotExist();
    assertThat(Path.of("/usr/share/labscan-agent")).doesNotExist();
    assertThat(UNIT).doesNotExist();
    assertThat(CONFIG).exists();
    assertThat(STATE.resolve("host-id")).exists();
    assertThat(STATE.resolve("spool.db")).exists();
  }

  @Test
  @Order(11)
  void purgeDeletesConfigStateServiceLinksAndTheNftablesTable() {
    boolean nftTable = Command.onPath("nft").isPresent()
        && Command.run(List.of("nft", "add", "table", "inet", "labscan")).exitCode() == 0;
    if (!nftTable) {
      System.err.println("NOTE: could not create nftables table 'inet labscan' here (no nft, or no "
          + "CAP_NET_ADMIN); purge's removal of it is NOT checked.");
    }

    Command.Result result = HostPackages.dpkg("--purge", PACKAGE);

    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(HostPackages.status(PACKAGE)).isIn("", "unknown ok not-installed");
    assertThat(CONFIG).doesNotExist();
    assertThat(Path.of("/etc/labscan")).doesNotExist();
    assertThat(STATE).doesNotExist();
    assertThat(WANTS).doesNotExist();
    if (nftTable) {
      assertThat(Command.run(List.of("nft", "list", "table", "inet", "labscan")).exitCode())
          .as("table inet labscan after purge").isNotZero();
    }
  }
}
