package io.labscan.agent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.labscan.contract.rules.RuleParseException;
import io.labscan.contract.rules.RuleSet;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * A rule set pushed by the controller (YAML or JSON) either loads completely or is refused
 * with a {@link RuleParseException} whose message can be shown as is; no other exception or
 * error escapes {@link RuleSet#load}. Seeds: the built-in Klez rules and small variants.
 */
class RuleSetFuzzTest {
  @FuzzTest
  void ruleSetsLoadOrAreRefused(byte[] file) {
    RuleSet rules;
    try {
      rules = RuleSet.load("fuzz.yaml", new ByteArrayInputStream(file));
    } catch (RuleParseException refused) {
      Text.assertReportable(refused.getMessage(), 1024);
      return;
    } catch (IOException e) {
      throw new AssertionError("reading from memory cannot fail", e);
    }
    assertThat(rules.version()).isNotBlank();
    assertThat(rules.warnings().size()).isLessThanOrEqualTo(file.length);
  }
}
