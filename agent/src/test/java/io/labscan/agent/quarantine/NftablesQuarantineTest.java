package io.labscan.agent.quarantine;

import io.labscan.contract.quarantine.QuarantineRules;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NftablesQuarantineTest {
  @Test
  void theRulesetRefusesOnlyNewSmtpConnectionsAndAcceptsAllowedUsersAndDestinationsFirst() {
    String text = NftablesQuarantine.rulesetText(QuarantineRules.of(Set.of(587, 25, 465), Set.of(107L, 1L),
        List.of("192.0.2.25", "2001:db8::25")));

    assertThat(text).startsWith("table inet labscan_quarantine\ndelete table inet labscan_quarantine\n");
    assertThat(text).contains("type filter hook output priority 10; policy accept;")
        .contains("tcp dport != { 25, 465, 587 } accept")
        .contains("tcp flags & (fin | syn | rst | ack) != syn accept")
        .contains("meta skuid { 1, 107 } accept")
        .contains("ip daddr { 192.0.2.25 } accept")
        .contains("ip6 daddr { 2001:db8::25 } accept");
    assertThat(text.indexOf("meta skuid")).isLessThan(text.indexOf("reject with tcp reset"));
    assertThat(text.indexOf("ip6 daddr { 2001")).isLessThan(text.indexOf("update @blocked4"));
    assertThat(text).doesNotContain("drop");
  }

  @Test
  void withNothingAllowedTheRulesetHasNoEmptySets() {
    String text = NftablesQuarantine.rulesetText(QuarantineRules.of(Set.of(25), Set.of(), List.of()));

    assertThat(text).doesNotContain("meta skuid {").doesNotContain("ip daddr {").doesNotContain("ip6 daddr {");
  }

  @Test
  void aDestinationInsideAnAllowedPrefixIsLeftOutBecauseNftRefusesOverlappingElements() {
    String text = NftablesQuarantine.rulesetText(QuarantineRules.of(Set.of(25), Set.of(),
        List.of("192.0.2.25", "192.0.2.0/24", "198.51.100.7")));

    assertThat(text).contains("ip daddr { 192.0.2.0/24, 198.51.100.7 } accept");
  }

  @Test
  void refusedAttemptsAreReadFromARecordedTableListing() throws IOException {
    String listing;
    try (InputStream in = getClass().getResourceAsStream("nft-list-table-quarantine.txt")) {
      listing = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    assertThat(NftablesQuarantine.parseBlocked(listing)).containsExactly(
        new QuarantineEnforcer.BlockedCount("10.9.9.2", 25, 0, 2),
        new QuarantineEnforcer.BlockedCount("10.9.9.2", 587, 0, 1),
        new QuarantineEnforcer.BlockedCount("10.9.9.3", 465, 65534, 1),
        new QuarantineEnforcer.BlockedCount("fd00::7", 465, 65534, 1));
  }

  @Test
  void aListingWithoutElementsCountsNothing() {
    assertThat(NftablesQuarantine.parseBlocked("table inet labscan_quarantine {\n\tset blocked4 {\n\t}\n}\n")).isEmpty();
  }
}
