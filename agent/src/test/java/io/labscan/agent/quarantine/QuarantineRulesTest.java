package io.labscan.agent.quarantine;

import io.labscan.contract.quarantine.QuarantineRules;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QuarantineRulesTest {
  @Test
  void addressesAndPrefixesOfBothFamiliesAreReadInCanonicalForm() {
    assertThat(QuarantineRules.parseDestination("192.0.2.25")).get().extracting(QuarantineRules.Destination::text)
        .isEqualTo("192.0.2.25");
    assertThat(QuarantineRules.parseDestination(" 192.0.2.77/24 ")).get()
        .extracting(QuarantineRules.Destination::text).isEqualTo("192.0.2.0/24");
    assertThat(QuarantineRules.parseDestination("2001:DB8:0:0::25")).get()
        .extracting(QuarantineRules.Destination::text).isEqualTo("2001:db8::25");
    assertThat(QuarantineRules.parseDestination("2001:db8::/32")).get()
        .extracting(QuarantineRules.Destination::text).isEqualTo("2001:db8::/32");
    assertThat(QuarantineRules.parseDestination("::ffff:192.0.2.25")).get()
        .extracting(QuarantineRules.Destination::text).isEqualTo("192.0.2.25");
  }

  @Test
  void hostNamesAndRuleTextNeverPassForDestinations() {
    for (String bad : List.of("relay.example.edu", "localhost", "1", "192.0.2.25/33", "192.0.2.25 } accept; drop {",
        "10.0.0.1\naccept", "", "2001:db8::/129", "192.0.2.25/", "999.1.1.1")) {
      assertThat(QuarantineRules.parseDestination(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void destinationsThatDoNotParseAreListedAsIgnoredAndNotUsed() {
    QuarantineRules rules = QuarantineRules.of(Set.of(25), Set.of(), List.of("192.0.2.25", "relay.example.edu"));

    assertThat(rules.allowedDestinations()).extracting(QuarantineRules.Destination::text).containsExactly("192.0.2.25");
    assertThat(rules.ignored()).containsExactly("relay.example.edu");
  }
}
