package io.labscan.agent.checks.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NftablesRulesTest {
  @Test
  void rulesetLogsTheSynOfEveryConnectionToTheWatchedPortsWithTheUid() {
    String text = NftablesRules.forPorts(Set.of(587, 25, 465)).rulesetText();

    assertThat(text).contains("table inet labscan {")
        .contains("type filter hook output priority 0; policy accept;")
        .contains("tcp dport { 25, 465, 587 } tcp flags & (fin | syn | rst | ack) == syn")
        .contains("log prefix \"labscan-smtp \" level debug flags skuid");
  }

  @Test
  void rulesetNeverDropsOrRejects() {
    String text = NftablesRules.forPorts(Set.of(25)).rulesetText();

    assertThat(text).doesNotContain("drop").doesNotContain("reject");
  }

  @Test
  void installReplacesAnOldTableInOneTransaction() {
    String text = NftablesRules.forPorts(Set.of(25)).rulesetText();

    assertThat(text).startsWith("table inet labscan\ndelete table inet labscan\ntable inet labscan {");
  }

  @Test
  void removalSucceedsEvenWhenTheTableIsGone() {
    // declaring the table first makes the delete valid whether or not it existed
    assertThat(NftablesRules.removalText("labscan")).isEqualTo("table inet labscan\ndelete table inet labscan\n");
  }

  @Test
  void namesThatCouldInjectRulesAreRefused() {
    assertThatThrownBy(() -> new NftablesRules(List.of(), "x; flush ruleset", "p ", Set.of(25)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NftablesRules(List.of(), "labscan", "p\" drop #", Set.of(25)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NftablesRules(List.of(), "labscan", "p ", Set.of(0)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
