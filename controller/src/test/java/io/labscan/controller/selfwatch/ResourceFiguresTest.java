package io.labscan.controller.selfwatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.labscan.proto.v1.AgentResources;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a hostile or broken agent may put in its resource figures, and what the controller keeps. */
class ResourceFiguresTest {
  private static final Instant NOW = Instant.parse("2026-12-07T07:00:00Z");
  private static final long MIB = 1024 * 1024;

  private static AgentResources.Builder sane() {
    return AgentResources.newBuilder().setRssBytes(70 * MIB).setCpuPercent(0.5).setCpuPercentWindow(0.4)
        .setThreads(20).setMemoryBudgetBytes(96 * MIB).setCpuBudgetPercent(2);
  }

  @Test
  void saneFiguresAreKeptAsSent() {
    HostResources r = ResourceFigures.check(sane().build(), NOW).accepted().orElseThrow();

    assertThat(r.rssBytes()).isEqualTo(70 * MIB);
    assertThat(r.anonBytes()).isEmpty();
    assertThat(r.received()).isEqualTo(NOW);
  }

  @Test
  void aNegativeResidentSizeIsRefusedNamingTheField() {
    var checked = ResourceFigures.check(sane().setRssBytes(-1).build(), NOW);

    assertThat(checked.accepted()).isEmpty();
    assertThat(checked.refused()).isEqualTo("resources.rss_bytes is negative (-1)");
  }

  @Test
  void nanAndInfiniteCpuSharesAreRefusedNamingTheField() {
    assertThat(ResourceFigures.check(sane().setCpuPercent(Double.NaN).build(), NOW).refused())
        .isEqualTo("resources.cpu_percent is not a finite number (NaN)");
    assertThat(ResourceFigures.check(sane().setCpuPercentWindow(Double.POSITIVE_INFINITY).build(), NOW).refused())
        .contains("resources.cpu_percent_window is not a finite number");
    assertThat(ResourceFigures.check(sane().setCpuPercent(-0.5).build(), NOW).refused())
        .isEqualTo("resources.cpu_percent is negative (-0.5)");
  }

  @Test
  void aNegativeThreadCountIsRefused() {
    assertThat(ResourceFigures.check(sane().setThreads(-3).build(), NOW).refused()).contains("threads");
  }

  @Test
  void absurdButWellFormedNumbersAreClampedToTheirBounds() {
    HostResources r = ResourceFigures.check(sane().setRssBytes(Long.MAX_VALUE).setRssAnonBytes(Long.MAX_VALUE)
        .setCpuPercent(1e300).setThreads(Integer.MAX_VALUE).setMemoryOverMinutes(Integer.MAX_VALUE).build(), NOW)
        .accepted().orElseThrow();

    assertThat(r.rssBytes()).isEqualTo(ResourceFigures.MAX_BYTES);
    assertThat(r.anonBytes()).hasValue(ResourceFigures.MAX_BYTES);
    assertThat(r.cpuPercent()).isEqualTo(ResourceFigures.MAX_CPU_PERCENT);
    assertThat(r.threads()).isEqualTo(ResourceFigures.MAX_THREADS);
    assertThat(r.memoryOverMinutes()).isEqualTo(ResourceFigures.MAX_MINUTES);
  }

  @Test
  void aRestartTimeOutsideTheTimestampRangeIsDroppedNotStored() {
    HostResources r = ResourceFigures.check(sane().setRestartedForMemory(Timestamp.newBuilder()
        .setSeconds(Long.MAX_VALUE)).build(), NOW).accepted().orElseThrow();

    assertThat(r.restartedForMemory()).isEmpty();
  }

  @Test
  void aHostIsFlaggedByTheFleetsBudgetNotTheOneItClaimsToApply() {
    HostResources r = ResourceFigures.check(sane().setRssBytes(120 * MIB).setMemoryBudgetBytes(4096 * MIB).build(),
        NOW).accepted().orElseThrow();

    List<String> flags = r.flags(96 * MIB, 2, NOW);

    assertThat(flags).singleElement().asString().contains("memory budget").contains("120.0 MiB");
  }

  @Test
  void aRestartForMemoryIsFlaggedForADay() {
    HostResources r = ResourceFigures.check(sane().setRestartedForMemory(Timestamp.newBuilder()
        .setSeconds(NOW.minusSeconds(3600).getEpochSecond())).setMemoryRestarts(1).build(), NOW).accepted().orElseThrow();

    assertThat(r.flags(96 * MIB, 2, NOW)).singleElement().asString().contains("restarted itself for memory");
    assertThat(r.flags(96 * MIB, 2, NOW.plusSeconds(2 * 86_400))).isEmpty();
  }

  @Test
  void aLabsMedianAndMaximumComeFromItsAgents() {
    List<LabResources.Member> members = List.of(
        new LabResources.Member("physics", fig(60 * MIB, 0.2), false),
        new LabResources.Member("physics", fig(70 * MIB, 0.4), false),
        new LabResources.Member("physics", fig(300 * MIB, 5.0), true),
        new LabResources.Member("chem", fig(80 * MIB, 0.3), false));

    LabResources physics = LabResources.byLab(members).get("physics");

    assertThat(physics.agents()).isEqualTo(3);
    assertThat(physics.rssMedianBytes()).isEqualTo(70 * MIB);
    assertThat(physics.rssMaxBytes()).isEqualTo(300 * MIB);
    assertThat(physics.cpuMedianPercent()).isEqualTo(0.4);
    assertThat(physics.cpuMaxPercent()).isEqualTo(5.0);
    assertThat(physics.overBudget()).isEqualTo(1);
  }

  private static HostResources fig(long rss, double cpu) {
    return ResourceFigures.check(sane().setRssBytes(rss).setCpuPercentWindow(cpu).build(), NOW).accepted().orElseThrow();
  }
}
