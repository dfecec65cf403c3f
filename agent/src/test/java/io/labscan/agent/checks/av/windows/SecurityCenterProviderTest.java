package io.labscan.agent.checks.av.windows;

import static org.assertj.core.api.Assertions.assertThat;

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

class SecurityCenterProviderTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final String NS = "ROOT\\SecurityCenter2";
  private static final String CLASS = "AntiVirusProduct";

  private final RecordedWmi wmi = new RecordedWmi();

  private AvDetection detect(List<AvStatus> earlier) {
    return new SecurityCenterProvider(wmi)
        .detect(new AvContext(Path.of("C:\\"), NOW, Duration.ofDays(3), earlier));
  }

  private void product(String name, int state, String exe) {
    wmi.instance(NS, CLASS, Map.of(
        "displayName", name,
        "productState", state,
        "pathToSignedProductExe", exe,
        "timestamp", "Fri, 27 Nov 2026 08:00:00 GMT"));
  }

  private void defender() {
    product("Windows Defender", 393472, "windowsdefender://");
  }

  private AvStatus only(AvDetection detection) {
    assertThat(detection.statuses()).hasSize(1);
    return detection.statuses().get(0);
  }

  @Test
  void productOnAndUpToDateIsFresh() {
    product("Avast Antivirus", 397568, "C:\\Program Files\\Avast Software\\Avast\\wsc_proxy.exe");

    AvStatus status = only(detect(List.of()));

    assertThat(status.getProvider()).isEqualTo("securitycenter");
    assertThat(status.getProduct()).isEqualTo("Avast Antivirus");
    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_FRESH);
    assertThat(status.getDefinitionsAgeSeconds()).isZero();
    assertThat(status.getReason()).isEqualTo("Security Center productState 397568 (0x61100):"
        + " on, definitions up to date by the product's own judgement (its age is not known"
        + " to Windows); state last reported 2026-11-27 08:00 UTC");
    assertThat(status.getSource()).isEqualTo("WMI ROOT\\SecurityCenter2 AntiVirusProduct"
        + " (C:\\Program Files\\Avast Software\\Avast\\wsc_proxy.exe)");
  }

  @Test
  void productOnWithOutOfDateDefinitionsIsStale() {
    product("ESET Security", 266256, "C:\\Program Files\\ESET\\ESET Security\\ecmds.exe");

    AvStatus status = only(detect(List.of()));

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_STALE);
    assertThat(status.getReason()).contains("on, definitions out of date");
  }

  @Test
  void snoozedProductIsDisabledAndSaysSnoozed() {
    product("Avast Antivirus", 401664, "C:\\avast.exe");

    AvStatus status = only(detect(List.of()));

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_DISABLED);
    assertThat(status.getReason()).startsWith(
        "Security Center productState 401664 (0x62100): protection snoozed");
  }

  @Test
  void expiredProductIsDisabledAndSaysExpired() {
    product("Norton 360", 405760, "C:\\norton.exe");

    assertThat(only(detect(List.of())).getReason()).contains("protection expired");
  }

  @Test
  void defendersEntryIsLeftOutWhenTheDefenderProviderReported() {
    defender();
    product("Avast Antivirus", 397568, "C:\\avast.exe");
    AvStatus fromDefender = AvStatus.newBuilder().setProvider("defender").build();

    AvStatus status = only(detect(List.of(fromDefender)));

    assertThat(status.getProduct()).isEqualTo("Avast Antivirus");
  }

  @Test
  void defendersEntryIsKeptWhenNoDefenderProviderReported() {
    defender();

    AvStatus status = only(detect(List.of()));

    assertThat(status.getProduct()).isEqualTo("Windows Defender");
    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_DISABLED);
  }

  @Test
  void windowsServerWithoutSecurityCenterReportsNothing() {
    AvDetection detection = detect(List.of());

    assertThat(detection.statuses()).isEmpty();
    assertThat(detection.problems()).isEmpty();
  }

  @Test
  void failingQueryIsAProblemNotAProduct() {
    wmi.failing(NS, CLASS, WmiReadException.Kind.FAILED, "timed out");

    AvDetection detection = detect(List.of());

    assertThat(detection.statuses()).isEmpty();
    assertThat(detection.problems()).containsExactly(
        "WMI ROOT\\SecurityCenter2 AntiVirusProduct could not be read: timed out");
  }

  @Test
  void entryWithoutProductStateIsUnknown() {
    wmi.instance(NS, CLASS, Map.of("displayName", "Odd AV"));

    AvStatus status = only(detect(List.of()));

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_UNKNOWN);
    assertThat(status.getReason()).isEqualTo("Security Center gives no productState for this product");
  }
}
