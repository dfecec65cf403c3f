package io.labscan.agent.checks.av.windows;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CimDateTimeTest {

  @Test
  void offsetInMinutesIsApplied() {
    assertThat(CimDateTime.parse("20261127083000.000000+060"))
        .contains(Instant.parse("2026-11-27T07:30:00Z"));
    assertThat(CimDateTime.parse("20261127083000.500000-300"))
        .contains(Instant.parse("2026-11-27T13:30:00.5Z"));
  }

  @Test
  void otherTextIsRejected() {
    assertThat(CimDateTime.parse("2026-11-27 08:30")).isEmpty();
    assertThat(CimDateTime.parse("20261327083000.000000+000")).isEmpty();
  }
}
