package io.labscan.contract.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RuleParseExceptionTest {
  @Test
  void aProblemQuotingHugeInputIsCutToABoundedMessage() {
    String key = "HKLM\\" + "\\".repeat(100_000);

    RuleParseException e = new RuleParseException("rules.yaml", 3, "registry path '" + key + "' has an empty key name");

    assertThat(e.getMessage())
        .startsWith("rules.yaml line 3: registry path 'HKLM\\")
        .endsWith("...")
        .hasSize("rules.yaml line 3: ".length() + RuleParseException.MAX_PROBLEM_CHARS);
  }

  @Test
  void aShortProblemIsKeptWhole() {
    RuleParseException e = new RuleParseException("main.ndb", 7, "the hex signature is empty");

    assertThat(e.getMessage()).isEqualTo("main.ndb line 7: the hex signature is empty");
  }
}
