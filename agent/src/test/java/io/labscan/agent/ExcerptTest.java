package io.labscan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExcerptTest {
  @Test
  void controlAndNonAsciiCharactersBecomeQuestionMarks() {
    assertThat(Excerpt.of("ab\u001b[2Jc\u202eé\n")).isEqualTo("ab?[2Jc???");
  }

  @Test
  void longTextIsCutToFortyCharactersAndMarked() {
    assertThat(Excerpt.of("x".repeat(100))).isEqualTo("x".repeat(40) + "...");
  }

  @Test
  void shortPrintableTextIsKeptAsIs() {
    assertThat(Excerpt.of("lab-pc-07")).isEqualTo("lab-pc-07");
  }
}
