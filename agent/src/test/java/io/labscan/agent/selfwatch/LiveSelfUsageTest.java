package io.labscan.agent.selfwatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.agent.platform.Platform;
import io.labscan.agent.platform.services.PlatformServices;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The platform's own meter ({@code PlatformServices.selfUsage()}) reading this test JVM: /proc/self
 * on Linux (here and in .ci/run), GetProcessMemoryInfo/GetProcessTimes on Windows and task_info on
 * macOS (the hosted .github/workflows/platforms.yml jobs). The budget logic above it is tested
 * on scripted readings ({@link SelfWatchTest}, {@link ResourceBudgetTest}); this is the one place
 * the native calls and their fixed structure offsets meet a real process.
 */
@EnabledOnOs({OS.LINUX, OS.WINDOWS, OS.MAC})
class LiveSelfUsageTest {
  private static final long MIB = 1024 * 1024;

  private final SelfUsageMeter meter = PlatformServices.current().selfUsage();

  @Test
  void theResidentSizeOfARunningJvmIsBetweenItsFloorAndTheMachinesMemory() {
    SelfUsage usage = meter.measure();

    // A JVM that ran tests has at least its heap and class metadata resident: over 16 MiB
    // (a misread offset gives 0, a page count or kilobytes far less); far under 64 GiB.
    assertThat(usage.rssBytes()).isBetween(16 * MIB, 64L * 1024 * MIB);
    assertThat(usage.threads()).isPositive();
  }

  @Test
  void cpuTimeGrowsWhileThisThreadWorks() {
    Duration before = meter.measure().cpuTime();

    await().atMost(Duration.ofSeconds(30)).until(() -> {
      long x = 0;
      for (int i = 0; i < 5_000_000; i++) {
        x += Long.numberOfTrailingZeros(i ^ x);
      }
      return x != 1 && meter.measure().cpuTime().compareTo(before) > 0;
    });
  }

  @Test
  void theAnonymousAndFileBackedPartsWhereKnownAreAtMostTheWhole() {
    SelfUsage usage = meter.measure();

    long parts = usage.anonBytes().orElse(0) + usage.fileBytes().orElse(0);
    assertThat(parts).isLessThanOrEqualTo(usage.rssBytes());
    if (Platform.current().isLinux()) {
      assertThat(usage.anonBytes()).as("Linux 4.5+ splits VmRSS").isPresent();
    }
  }
}
