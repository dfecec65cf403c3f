package io.labscan.agent.checks.av.windows;

import static io.labscan.agent.checks.av.windows.RecordedRegistry.fileTime;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.registry.RegistryValue;
import io.labscan.agent.checks.av.AvContext;
import io.labscan.agent.checks.av.AvDetection;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefenderProviderTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final Instant UPDATED = Instant.parse("2026-11-27T03:14:00Z");
  private static final String NS = "ROOT\\Microsoft\\Windows\\Defender";
  private static final String CLASS = "MSFT_MpComputerStatus";

  private final RecordedRegistry registry = new RecordedRegistry();
  private final RecordedWmi wmi = new RecordedWmi();

  private AvDetection detect() {
    return new DefenderProvider(registry, wmi)
        .detect(new AvContext(Path.of("C:\\"), NOW, Duration.ofDays(3), List.of()));
  }

  private AvStatus onlyStatus() {
    AvDetection detection = detect();
    assertThat(detection.statuses()).hasSize(1);
    return detection.statuses().get(0);
  }

  private void defenderKey(Instant updated) {
    registry.key("SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates", Map.of(
        "AVSignatureVersion", new RegistryValue.Text("1.421.1370.0"),
        "EngineVersion", new RegistryValue.Text("1.1.24090.11"),
        "SignaturesLastUpdated", fileTime(updated)));
  }

  private void wmiStatus(Instant updated, boolean antivirus, boolean realTime) {
    wmi.instance(NS, CLASS, Map.of(
        "AntivirusSignatureLastUpdated", cim(updated),
        "AntivirusSignatureVersion", "1.421.1370.0",
        "AMEngineVersion", "1.1.24090.11",
        "AntivirusEnabled", antivirus,
        "RealTimeProtectionEnabled", realTime));
  }

  private static String cim(Instant instant) {
    return java.time.format.DateTimeFormatter.ofPattern("uuuuMMddHHmmss'.000000+000'")
        .withZone(java.time.ZoneOffset.UTC).format(instant);
  }

  @Test
  void recentSignaturesWithProtectionOnAreFresh() {
    defenderKey(UPDATED);
    wmiStatus(UPDATED, true, true);

    AvStatus status = onlyStatus();

    assertThat(status.getProvider()).isEqualTo("defender");
    assertThat(status.getProduct()).isEqualTo("Microsoft Defender Antivirus");
    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_FRESH);
    assertThat(status.getDefinitionsVersion()).isEqualTo("1.421.1370.0");
    assertThat(status.getEngineVersion()).isEqualTo("1.1.24090.11");
    assertThat(status.getDefinitionsTime().getSeconds()).isEqualTo(UPDATED.getEpochSecond());
    assertThat(status.getDefinitionsAgeSeconds())
        .isEqualTo(Duration.between(UPDATED, NOW).toSeconds());
    assertThat(status.getReason())
        .isEqualTo("signatures updated 2026-11-27 03:14 UTC (8 hours ago; limit 3 days)");
    assertThat(status.getSource()).isEqualTo(
        "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates; "
            + "WMI ROOT\\Microsoft\\Windows\\Defender MSFT_MpComputerStatus");
  }

  @Test
  void signaturesOlderThanTheLimitAreStale() {
    Instant old = Instant.parse("2026-11-12T10:00:00Z");
    defenderKey(old);
    wmiStatus(old, true, true);

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_STALE);
    assertThat(status.getReason()).startsWith("signatures updated 2026-11-12 10:00 UTC (15 days");
  }

  @Test
  void realTimeProtectionOffIsDisabledEvenWithFreshSignatures() {
    defenderKey(UPDATED);
    wmiStatus(UPDATED, true, false);

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_DISABLED);
    assertThat(status.getReason())
        .startsWith("real-time protection is off (RealTimeProtectionEnabled=false); ");
  }

  @Test
  void antivirusSwitchedOffIsDisabled() {
    defenderKey(UPDATED);
    wmiStatus(UPDATED, false, false);

    assertThat(onlyStatus().getReason())
        .startsWith("antivirus is switched off (AntivirusEnabled=false)");
  }

  @Test
  void disagreeingWmiDateIsNamedInTheReasonAndTheOlderDateIsJudged() {
    Instant wmiSays = Instant.parse("2026-11-19T09:00:00Z");
    defenderKey(UPDATED);
    wmiStatus(wmiSays, true, true);

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_STALE);
    assertThat(status.getDefinitionsTime().getSeconds()).isEqualTo(wmiSays.getEpochSecond());
    assertThat(status.getReason()).contains("the sources disagree: registry says signatures"
        + " updated 2026-11-27 03:14 UTC, WMI says 2026-11-19 09:00 UTC; the older date is used");
  }

  @Test
  void olderAntimalwareKeyIsReadWhenDefendersKeyIsAbsent() {
    registry.key("SOFTWARE\\Microsoft\\Microsoft Antimalware\\Signature Updates", Map.of(
        "AVSignatureVersion", new RegistryValue.Text("1.231.0.0"),
        "SignaturesLastUpdated", fileTime(UPDATED)));
    wmi.noInstances(NS, CLASS);

    AvStatus status = onlyStatus();

    assertThat(status.getProduct()).isEqualTo("Microsoft Antimalware");
    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_FRESH);
    assertThat(status.getSource())
        .isEqualTo("HKLM\\SOFTWARE\\Microsoft\\Microsoft Antimalware\\Signature Updates");
  }

  @Test
  void signatureDateThatIsNotAFiletimeIsUnknownWithoutWmi() {
    registry.key("SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates", Map.of(
        "SignaturesLastUpdated", new RegistryValue.Binary(new byte[] {1, 2, 3})));

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_UNKNOWN);
    assertThat(status.getReason()).contains("SignaturesLastUpdated is not an 8-byte FILETIME");
  }

  @Test
  void unavailableWmiIsNamedAndTheRegistryStillCounts() {
    defenderKey(UPDATED);
    wmi.failing(NS, CLASS, WmiReadException.Kind.FAILED, "0x80041003 access denied");

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_FRESH);
    assertThat(status.getReason()).endsWith("WMI ROOT\\Microsoft\\Windows\\Defender"
        + " MSFT_MpComputerStatus unavailable (0x80041003 access denied),"
        + " so whether protection is on was not checked");
  }

  @Test
  void machineWithoutDefenderReportsNothing() {
    wmi.failing(NS, CLASS, WmiReadException.Kind.NOT_PRESENT, "invalid namespace");

    AvDetection detection = detect();

    assertThat(detection.statuses()).isEmpty();
    assertThat(detection.problems()).isEmpty();
  }
}
