package io.labscan.agent.checks.av.windows;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class UsingPatternTest {

  @Test
  void knownValueDecodesToItsDateAndRevision() {
    // (2026 - 1998) << 18 | 11 << 14 | 20 << 9 | 2
    UsingPattern pattern = UsingPattern.decode(7_530_498L).orElseThrow();

    assertThat(pattern.date()).isEqualTo(LocalDate.of(2026, 11, 20));
    assertThat(pattern.revision()).isEqualTo(2);
    assertThat(pattern.version()).isEqualTo("20261120.002");
  }

  @Test
  void valueWithMonthZeroHoldsNoDate() {
    assertThat(UsingPattern.decode((28L << 18) | (20 << 9))).isEmpty();
  }

  @Test
  void valueWithFebruaryThirtiethHoldsNoDate() {
    assertThat(UsingPattern.decode((28L << 18) | (2 << 14) | (30 << 9))).isEmpty();
  }

  @Test
  void valuesOutsideADwordAreRejected() {
    assertThat(UsingPattern.decode(-1)).isEmpty();
    assertThat(UsingPattern.decode(1L << 32)).isEmpty();
  }
}
