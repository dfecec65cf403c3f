package io.labscan.installers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The controller's unit: its settings file, its own unprivileged user, only its database writable. */
class ControllerServiceUnitTest {
  private static SystemdUnit unit;

  @BeforeAll
  static void read() throws IOException {
    unit = SystemdUnit.read(InstallerFiles.file("linux/systemd/labscan-controller.service"));
  }

  @Test
  void takesItsSettingsFromTheEnvironmentFile() {
    assertThat(unit.value("Service", "EnvironmentFile")).isEqualTo("/etc/default/labscan-controller");
    assertThat(unit.value("Service", "ExecStart"))
        .startsWith("/usr/bin/labscan-controller serve --db ${LABSCAN_DB}")
        .contains("--grpc-port ${LABSCAN_GRPC_PORT}", "--http-bind ${LABSCAN_HTTP_BIND}")
        .endsWith(" $LABSCAN_CONTROLLER_FLAGS");
  }

  @Test
  void runsUnprivilegedWithoutCapabilities() {
    assertThat(unit.value("Service", "User")).isEqualTo("labscan-controller");
    assertThat(unit.value("Service", "CapabilityBoundingSet")).isEmpty();
    assertThat(unit.values("Service", "CapabilityBoundingSet")).hasSize(1);
    assertThat(unit.value("Service", "ProtectHome")).isEqualTo("yes");
  }

  @Test
  void writesOnlyItsDatabaseFolder() {
    assertThat(unit.value("Service", "ProtectSystem")).isEqualTo("strict");
    assertThat(unit.value("Service", "ReadWritePaths")).isEqualTo("/var/lib/labscan-controller");
  }

  @Test
  void restartsAfterACrashAndStartsAtBoot() {
    assertThat(unit.value("Service", "Restart")).isEqualTo("on-failure");
    assertThat(unit.value("Service", "SuccessExitStatus")).isEqualTo("143");
    assertThat(unit.value("Install", "WantedBy")).isEqualTo("multi-user.target");
    assertThat(unit.values("Unit", "After")).contains("network-online.target");
  }
}
