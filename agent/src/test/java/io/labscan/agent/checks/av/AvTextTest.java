package io.labscan.agent.checks.av;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AvTextTest {

  @Test
  void agesUseTheLargestUsefulUnit() {
    assertThat(AvText.age(Duration.ofDays(7).plusHours(3))).isEqualTo("7 days 3 hours");
    assertThat(AvText.age(Duration.ofDays(12).plusHours(3))).isEqualTo("12 days");
    assertThat(AvText.age(Duration.ofDays(1))).isEqualTo("1 day");
    assertThat(AvText.age(Duration.ofMinutes(125))).isEqualTo("2 hours");
    assertThat(AvText.age(Duration.ofSeconds(61))).isEqualTo("1 minute");
  }

  @Test
  void limitsUseTheLargestExactUnit() {
    assertThat(AvText.limit(Duration.ofDays(3))).isEqualTo("3 days");
    assertThat(AvText.limit(Duration.ofHours(36))).isEqualTo("36 hours");
    assertThat(AvText.limit(Duration.ofSeconds(90))).isEqualTo("90 seconds");
  }

  @Test
  void untrustedTextLosesControlCharactersAndExcessLength() {
    assertThat(AvText.clean("evil\r\nname\u202e", 100)).isEqualTo("evil??name?");
    assertThat(AvText.clean("abcdef", 3)).isEqualTo("abc…");
  }
}
