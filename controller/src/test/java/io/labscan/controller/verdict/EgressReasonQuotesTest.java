package io.labscan.controller.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * An smtp-egress reason quotes a bounded number of its window's destinations: reasons are stored
 * with every verdict, and a window may hold hundreds (issue 15, red-team round 3).
 */
class EgressReasonQuotesTest {
  @Test
  void aWindowWithOneHundredFiftyDestinationsQuotesTheFirstEightAndCountsTheRest() {
    String destinations = IntStream.range(0, 150).mapToObj(i -> "198.51.100." + i + ":25*6")
        .collect(Collectors.joining(" "));

    String quoted = VerdictRules.quoted(destinations, VerdictRules.MAX_QUOTED_DESTINATIONS);

    assertThat(quoted).startsWith("198.51.100.0:25*6 198.51.100.1:25*6").contains("198.51.100.7:25*6")
        .doesNotContain("198.51.100.8:").endsWith(" and 142 more");
  }

  @Test
  void aShortListIsQuotedWhole() {
    assertThat(VerdictRules.quoted("192.0.2.25:25*40 [2001:db8::25]:25*2", 8))
        .isEqualTo("192.0.2.25:25*40 [2001:db8::25]:25*2");
  }
}
