package io.labscan.agent.checks.av.windows;

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

class SymantecProviderTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final String KEY_64 = "SOFTWARE\\Symantec\\Symantec Endpoint Protection\\AV";
  private static final String KEY_32 =
      "SOFTWARE\\WOW6432Node\\Symantec\\Symantec Endpoint Protection\\AV";
  /** 2026-11-20 revision 2. */
  private static final long NOV_20_REV_2 = 7_530_498L;
  /** 2026-11-26 revision 17. */
  private static final long NOV_26_REV_17 = (28L << 18) | (11 << 14) | (26 << 9) | 17;

  private final RecordedRegistry registry = new RecordedRegistry();
  private final RecordedWmi wmi = new RecordedWmi();

  private AvDetection detect() {
    return new SymantecProvider(registry, wmi)
        .detect(new AvContext(Path.of("C:\\"), NOW, Duration.ofDays(3), List.of()));
  }

  private AvStatus onlyStatus() {
    AvDetection detection = detect();
    assertThat(detection.statuses()).hasSize(1);
    return detection.statuses().get(0);
  }

  private void usingPattern(String key, long value) {
    registry.key(key, Map.of("UsingPattern", new RegistryValue.DWord(value)));
  }

  @Test
  void definitionsOlderThanTheLimitAreStaleWithSymantecsVersion() {
    usingPattern(KEY_64, NOV_20_REV_2);

    AvStatus status = onlyStatus();

    assertThat(status.getProvider()).isEqualTo("symantec");
    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_STALE);
    assertThat(status.getDefinitionsVersion()).isEqualTo("20261120.002");
    assertThat(status.getDefinitionsTime().getSeconds())
        .isEqualTo(Instant.parse("2026-11-20T00:00:00Z").getEpochSecond());
    assertThat(status.getReason()).isEqualTo(
        "definitions 20261120.002 dated 2026-11-20 (7 days 12 hours ago; limit 3 days)");
  }

  @Test
  void thirtyTwoBitKeyUnderWow6432NodeIsRead() {
    usingPattern(KEY_32, NOV_26_REV_17);

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_FRESH);
    assertThat(status.getDefinitionsVersion()).isEqualTo("20261126.017");
    assertThat(status.getSource()).isEqualTo("HKLM\\" + KEY_32 + "\\UsingPattern");
  }

  @Test
  void securityCenterSayingOffMakesItDisabled() {
    usingPattern(KEY_64, NOV_26_REV_17);
    wmi.instance("ROOT\\SecurityCenter2", "AntiVirusProduct", Map.of(
        "displayName", "Symantec Endpoint Protection",
        "productState", 393472));

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_DISABLED);
    assertThat(status.getReason())
        .startsWith("Security Center productState 393472 (0x60100): protection off; ");
  }

  @Test
  void usingPatternWithoutAValidDateIsUnknown() {
    usingPattern(KEY_64, 0x1FF);

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_UNKNOWN);
    assertThat(status.getReason()).isEqualTo("UsingPattern 0x000001FF does not hold a valid date");
  }

  @Test
  void keyWithoutUsingPatternIsUnknown() {
    registry.key(KEY_64, Map.of("ScanEngineVersion", new RegistryValue.Text("20.1")));

    assertThat(onlyStatus().getReason()).isEqualTo("the key has no UsingPattern value");
  }

  @Test
  void machineWithoutSymantecReportsNothing() {
    assertThat(detect().statuses()).isEmpty();
  }
}
