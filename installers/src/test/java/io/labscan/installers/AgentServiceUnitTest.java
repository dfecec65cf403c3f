package io.labscan.installers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The agent's unit: starts at boot, survives crashes, sees everything, writes only its state. */
class AgentServiceUnitTest {
  private static SystemdUnit unit;

  @BeforeAll
  static void read() throws IOException {
    unit = SystemdUnit.read(InstallerFiles.file("linux/systemd/labscan-agent.service"));
  }

  @Test
  void startsAtBootOnceTheNetworkIsUp() {
    assertThat(unit.value("Install", "WantedBy")).isEqualTo("multi-user.target");
    assertThat(unit.values("Unit", "After")).contains("network-online.target");
    assertThat(unit.values("Unit", "Wants")).contains("network-online.target");
  }

  @Test
  void runsTheInstalledLauncherWithTheInstalledConfig() {
    assertThat(unit.value("Service", "ExecStart"))
        .isEqualTo("/usr/bin/labscan-agent run --config /etc/labscan/agent.yaml");
    assertThat(unit.values("Service", "Environment")).contains("LABSCAN_STATE_DIR=/var/lib/labscan-agent");
  }

  @Test
  void restartsAfterACrashButNotAfterACleanStopOrABrokenConfig() {
    assertThat(unit.value("Service", "Restart")).isEqualTo("on-failure");
    assertThat(unit.value("Service", "SuccessExitStatus")).isEqualTo("143");
    assertThat(unit.value("Service", "RestartPreventExitStatus")).isEqualTo("2");
  }

  @Test
  void runsAsRootToSeeEveryProcesssSockets() {
    assertThat(unit.value("Service", "User")).isIn("", "root");
    assertThat(unit.values("Service", "CapabilityBoundingSet")).isEmpty();
  }

  @Test
  void writesOnlyItsStateFolder() {
    assertThat(unit.value("Service", "ProtectSystem")).isEqualTo("strict");
    assertThat(unit.value("Service", "ReadWritePaths")).isEqualTo("/var/lib/labscan-agent");
    assertThat(unit.value("Service", "PrivateTmp")).isEqualTo("yes");
    assertThat(unit.value("Service", "NoNewPrivileges")).isEqualTo("yes");
  }

  @Test
  void canStillReadHomeFoldersAndEveryProcessInProc() {
    assertThat(unit.value("Service", "ProtectHome")).isEqualTo("read-only");
    assertThat(unit.value("Service", "ProcSubset")).isIn("", "all");
    assertThat(unit.value("Service", "ProtectProc")).isIn("", "default");
    assertThat(unit.value("Service", "PrivateNetwork")).isIn("", "no");
    assertThat(unit.value("Service", "InaccessiblePaths")).isEmpty();
  }

  @Test
  void doesNotForbidTheJitCompilersWritableExecutableMemory() {
    assertThat(unit.value("Service", "MemoryDenyWriteExecute")).isIn("", "no");
  }

  @Test
  void mayUseNetlinkForItsNftablesTable() {
    List<String> families = Arrays.asList(unit.value("Service", "RestrictAddressFamilies").split("\\s+"));
    assertThat(families).contains("AF_NETLINK", "AF_INET", "AF_INET6", "AF_UNIX");
  }
}
