package io.labscan.agent.checks.av.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.agent.registry.RegistryValue;
import io.labscan.agent.registry.WindowsRegistryReader;
import io.labscan.agent.checks.av.AvContext;
import io.labscan.agent.checks.av.AvDetection;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The Windows readers against the real registry and WMI of the machine running the tests. Runs
 * only on Windows: the hosted {@code .github/workflows/platforms.yml} job on windows-latest; the
 * logic above these readers is tested everywhere on recorded fixtures ({@link RecordedRegistry},
 * {@link RecordedWmi}).
 */
@EnabledOnOs(OS.WINDOWS)
class LiveWindowsApisTest {

  enum OsProperty { Caption, BuildNumber }

  enum NoSuchProperty { Name }

  @Test
  void theRegistryReaderReadsTheWindowsVersionKey() throws Exception {
    Optional<RegistryKey> key = LocalMachineKeys.read(new WindowsRegistryReader(),
        "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion");

    assertThat(key).isPresent();
    assertThat(key.get().values()).containsKeys("ProductName", "CurrentBuildNumber");
    assertThat(key.get().values().get("ProductName")).isInstanceOf(RegistryValue.Text.class);
  }

  @Test
  void aMissingRegistryKeyIsEmptyNotAnError() throws Exception {
    assertThat(LocalMachineKeys.read(new WindowsRegistryReader(), "SOFTWARE\\LabScan-no-such-key-" + System.nanoTime()))
        .isEmpty();
  }

  @Test
  void wmiAnswersWithTheOperatingSystem() throws Exception {
    List<WmiRow<OsProperty>> rows = new JnaWmiReader().query("ROOT\\CIMV2", "Win32_OperatingSystem",
        OsProperty.class);

    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).string(OsProperty.Caption)).hasValueSatisfying(c -> assertThat(c).contains("Windows"));
  }

  @Test
  void aWmiClassThatDoesNotExistIsReportedAsNotPresent() {
    assertThatThrownBy(() -> new JnaWmiReader().query("ROOT\\CIMV2", "LabScan_NoSuchClass", NoSuchProperty.class))
        .isInstanceOfSatisfying(WmiReadException.class,
            e -> assertThat(e.kind()).isEqualTo(WmiReadException.Kind.NOT_PRESENT));
  }

  @Test
  void defenderIsDetectedOrItsAbsenceExplainedWithoutFailing() {
    AvDetection detection = new DefenderProvider(new WindowsRegistryReader(), new JnaWmiReader())
        .detect(new AvContext(Path.of("C:\\"), Instant.now(), Duration.ofDays(7), List.of()));

    // A hosted runner may have Defender on, off or stale; what matters is an answer, never a crash,
    // and every status it gives is Defender's.
    assertThat(detection.statuses()).allSatisfy(s -> assertThat(s.getProvider()).isEqualTo("defender"));
  }

  @Test
  void securityCenterOnAServerEditionIsAbsentNotBroken() {
    // Windows Server has no ROOT\SecurityCenter2; a workstation has it. Either way: an answer.
    AvDetection detection = new SecurityCenterProvider(new JnaWmiReader())
        .detect(new AvContext(Path.of("C:\\"), Instant.now(), Duration.ofDays(7), List.of()));

    assertThat(detection).isNotNull();
  }
}
