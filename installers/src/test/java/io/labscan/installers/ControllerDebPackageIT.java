package io.labscan.installers;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The labscan-controller .deb, installed into this machine with dpkg, used, and purged. If this
 * test created the labscan-controller system user, it deletes it again afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControllerDebPackageIT {
  private static final String PACKAGE = "labscan-controller";
  private static final Path STATE = Path.of("/var/lib/labscan-controller");
  private static final Path SETTINGS = Path.of("/etc/default/labscan-controller");
  private static final Path UNIT = Path.of("/usr/lib/systemd/system/labscan-controller.service");

  private boolean userExistedBefore;

  @BeforeAll
  void install() {
    HostPackages.assumeMayInstall(PACKAGE);
    userExistedBefore = userExists();
    Path deb = Path.of(System.getProperty("labscan.controller.deb", "target/labscan-controller.deb"));
    assertThat(deb).as("the build's package").isRegularFile();
    HostPackages.installOrSkip(PACKAGE, deb);
  }

  @AfterAll
  void purgeAndDeleteTheUserThisTestMade() {
    HostPackages.purgeQuietly(PACKAGE);
    if (!userExistedBefore && userExists()) {
      Command.Result r = Command.run(List.of("userdel", PACKAGE));
      if (r.exitCode() != 0) {
        System.err.println("WARNING: could not delete the test's system user " + PACKAGE + ": " + r);
      }
    }
  }

  private static boolean userExists() {
    return Command.run(List.of("getent", "passwd", PACKAGE)).exitCode() == 0;
  }

  @Test
  @Order(1)
  void createsItsOwnSystemUserWithoutALoginShell() {
    Command.Result passwd = Command.run(List.of("getent", "passwd", PACKAGE));
    assertThat(passwd.exitCode()).isZero();
    String[] fields = passwd.output().strip().split(":");
    assertThat(Integer.parseInt(fields[2])).as("a system uid").isLessThan(1000);
    assertThat(fields[6]).endsWith("nologin");
  }

  @Test
  @Order(2)
  void giveTheDatabaseFolderToThatUserAlone() throws IOException {
    assertThat(HostPackages.ownerAndMode(STATE)).isEqualTo("labscan-controller:labscan-controller rwxr-x---");
  }

  @Test
  @Order(3)
  void installsJarLauncherUnitAndSettingsOwnedByRoot() throws IOException {
    assertThat(HostPackages.ownerAndMode(Path.of("/usr/share/labscan-controller/labscan-controller.jar")))
        .isEqualTo("root:root rw-r--r--");
    assertThat(HostPackages.ownerAndMode(Path.of("/usr/bin/labscan-controller"))).isEqualTo("root:root rwxr-xr-x");
    assertThat(HostPackages.ownerAndMode(UNIT)).isEqualTo("root:root rw-r--r--");
    assertThat(HostPackages.ownerAndMode(SETTINGS)).isEqualTo("root:root rw-r--r--");
    assertThat(HostPackages.ownerAndMode(Path.of("/usr/share/bash-completion/completions/labscan-controller")))
        .isEqualTo("root:root rw-r--r--");
    assertThat(HostPackages.ownerAndMode(Path.of("/usr/share/man/man1/labscan-controller.1.gz")))
        .isEqualTo("root:root rw-r--r--");
    assertThat(Command.run(List.of("dpkg-query", "-W", "-f=${Conffiles}", PACKAGE)).output())
        .contains("/etc/default/labscan-controller");
  }

  @Test
  @Order(4)
  void settingsNameEveryVariableTheUnitUses() throws IOException {
    String settings = Files.readString(SETTINGS);
    for (String variable : List.of("LABSCAN_DB", "LABSCAN_BIND", "LABSCAN_GRPC_PORT", "LABSCAN_HTTP_BIND",
        "LABSCAN_HTTP_PORT", "LABSCAN_CONTROLLER_FLAGS")) {
      assertThat(settings).containsPattern("(?m)^" + variable + "=");
      assertThat(Files.readString(UNIT)).containsPattern("\\$\\{?" + variable + "\\b");
    }
  }

  @Test
  @Order(5)
  void rootCanUseTheInstalledCommandWithoutTouchingTheServicesStateFolder(@TempDir Path home) {
    Command.Result result = Command.run(List.of("/usr/bin/labscan-controller", "--version"),
        Map.of("LABSCAN_JAVA_OPTS", "", "HOME", home.toString(), "XDG_STATE_HOME", ""), "", Duration.ofMinutes(2));

    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.output()).contains("0.1.0");
    assertThat(STATE.resolve("tmp")).as("a root-owned tmp/ would lock the service user out").doesNotExist();
    assertThat(home.resolve(".local/state/labscan-controller/tmp")).isDirectory();
  }

  @Test
  @Order(6)
  void unitPassesSystemdAnalyzeVerify() {
    Requirements.command("systemd-analyze", "systemd");
    Command.Result result = Command.run(List.of("systemd-analyze", "verify", UNIT.toString()));
    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.output()).doesNotContain("labscan-controller.service:");
  }

  @Test
  @Order(10)
  void purgeDeletesTheDatabaseFolderAndTheSettings() {
    Command.Result result = HostPackages.dpkg("--purge", PACKAGE);

    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(STATE).doesNotExist();
    assertThat(SETTINGS).doesNotExist();
    assertThat(UNIT).doesNotExist();
  }
}
