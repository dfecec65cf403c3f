package io.labscan.agent.checks.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.labscan.contract.rules.RuleSet;
import io.labscan.proto.v1.Policy;
import org.junit.jupiter.api.Test;

class ActiveRuleSetTest {
  private static final String GOOD = """
      format: 1
      version: "campus-7"
      folders:
        tools: ["opt/tools"]
      files:
        - id: campus.banned-tool
          in: tools
          name: "badtool.exe"
          detail: banned
      """;

  private static Policy policy(String name, String rules) {
    return Policy.newBuilder().setArtifactRulesName(name).setArtifactRules(ByteString.copyFromUtf8(rules)).build();
  }

  @Test
  void withoutAPushedRuleSetTheBuiltInOneIsInForce() {
    ActiveRuleSet active = ActiveRuleSet.builtIn();
    assertThat(active.apply(Policy.getDefaultInstance())).isEmpty();
    assertThat(active.get().version()).isEqualTo(RuleSet.builtIn().version());
  }

  @Test
  void aPushedRuleSetReplacesTheBuiltInOne() {
    ActiveRuleSet active = ActiveRuleSet.builtIn();
    assertThat(active.apply(policy("campus.yaml", GOOD))).isEmpty();
    assertThat(active.get().version()).isEqualTo("campus-7");
    assertThat(active.get().source()).isEqualTo("campus.yaml");
  }

  @Test
  void aBrokenPushedRuleSetIsRefusedAndThePreviousStays() {
    ActiveRuleSet active = ActiveRuleSet.builtIn();
    active.apply(policy("campus.yaml", GOOD));
    assertThat(active.apply(policy("typo.yaml", "format: 1\nfiles: [ {id: x, in: nowhere} ]\n")))
        .hasValueSatisfying(problem -> assertThat(problem).contains("typo.yaml").contains("keeping campus.yaml"));
    assertThat(active.get().version()).isEqualTo("campus-7");
  }

  @Test
  void anEmptyPushedRuleSetMeansBackToTheBuiltInOne() {
    ActiveRuleSet active = ActiveRuleSet.builtIn();
    active.apply(policy("campus.yaml", GOOD));
    active.apply(Policy.getDefaultInstance());
    assertThat(active.get().version()).isEqualTo(RuleSet.builtIn().version());
  }
}
