package io.labscan.agent.checks.av.macos;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.checks.av.AvContext;
import io.labscan.agent.checks.av.AvDetection;
import io.labscan.proto.v1.AvState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The plist reader and the XProtect provider against the real files of the Mac running the tests.
 * Runs only on macOS: the hosted {@code .github/workflows/platforms.yml} job on macos-latest; the
 * logic is tested everywhere on recorded plists ({@link PlistReaderTest}, {@link
 * XProtectProviderTest}).
 */
@EnabledOnOs(OS.MAC)
class LiveMacApisTest {

  @Test
  void theSystemVersionPlistIsReadWithItsProductVersion() throws Exception {
    PlistValue plist = PlistReader.parse(
        Files.readAllBytes(Path.of("/System/Library/CoreServices/SystemVersion.plist")));

    assertThat(plist).isInstanceOfSatisfying(PlistValue.Dict.class,
        d -> assertThat(d.text("ProductVersion")).hasValueSatisfying(v -> assertThat(v).matches("\\d+(\\.\\d+)*")));
  }

  @Test
  void xprotectOnThisMacIsFoundWithAVersion() {
    AvDetection detection = new XProtectProvider()
        .detect(new AvContext(Path.of("/"), Instant.now(), Duration.ofDays(30), List.of()));

    // Every supported macOS ships XProtect in one of the bundles the provider knows.
    assertThat(detection.statuses()).isNotEmpty();
    assertThat(detection.statuses()).allSatisfy(s -> {
      assertThat(s.getProvider()).isEqualTo(XProtectProvider.NAME);
      if (s.getState() != AvState.AV_STATE_UNKNOWN) {
        assertThat(s.getDefinitionsVersion()).as("a readable copy has a version").isNotBlank();
      }
    });
  }
}
