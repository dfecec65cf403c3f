package io.labscan.agent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks shared by the fuzz tests on text that ends up in reports and logs. */
final class Text {
  private Text() {}

  /**
   * Text derived from hostile input that is shown to people: bounded, and free of control
   * characters (no forged log lines, no terminal escapes).
   */
  static void assertReportable(String text, int maxLength) {
    assertThat(text).isNotNull();
    assertThat(text.length()).as("length of %s", text).isLessThanOrEqualTo(maxLength);
    assertThat(text.chars().noneMatch(Character::isISOControl))
        .as("control character in %s", text).isTrue();
  }
}
