package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What the Jazzer runs of {@code io.labscan.controller.fuzz.ReceivedLineFuzzTest} found, as
 * readable specifications (the crashing inputs themselves are replayed by that test).
 */
class ReceivedParserFuzzFindingsTest {
  @Test
  void aHeloOfOnlyTheRootDotIsNoHelo() {
    ReceivedHop hop = ReceivedParser.parseOrThrow(
        "from . (mail.example.org [192.0.2.1]) by mx.example.net; Mon, 15 Jan 2024 10:02:11 +0000");

    assertThat(hop.fromHelo()).isEmpty();
    assertThat(hop.fromRdns()).contains("mail.example.org");
    assertThat(hop.fromIp()).contains("192.0.2.1");
  }
}
