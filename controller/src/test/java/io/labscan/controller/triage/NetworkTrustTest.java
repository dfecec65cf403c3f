package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A trusted network ({@code --trust 10.20.0.0/16}) says where MTAs may be, not that every machine
 * in it is one: an address whose most recent holder was a lab host, and no mail server since, is
 * never an MTA under it, even after the lab host's agent fell silent (issue 15, red-team round 3,
 * F2). Only an entry that is exactly one address is not affected; an exact name gives way too (it is
 * DNS's word about the address, round 4, F2).
 */
class NetworkTrustTest {
  private static final byte[] KEY = "fleet key for tests".getBytes(StandardCharsets.UTF_8);
  private static final Instant DAY = Instant.parse("2026-12-06T00:00:00Z");

  private static final byte[] WORM_MAIL = """
      Received: from Wqkrtz (unknown [10.20.3.17])\r
      \tby mx1.campus.example.edu (Postfix) with SMTP id 3F9A11C2D0\r
      \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)\r
      Received: from LAB-PC-12 (lab-pc-12.campus.example.edu [10.20.3.12])\r
      \tby Wqkrtz (Postfix) with ESMTP id 2B7E90C411\r
      \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:05 +0000 (UTC)\r
      From: Harold <harold@campus.example.edu>\r
      To: abuse@campus.example.edu\r
      Subject: meeting notice\r
      Date: Sun, 6 Dec 2026 17:32:09 +0000\r
      \r
      See you at the meeting.\r
      """.getBytes(StandardCharsets.ISO_8859_1);

  private static FakeEvidence silentWorm() {
    return new FakeEvidence(KEY)
        .host("mx", "mx1").held("mx", "198.51.100.5", DAY, null).mailServer("mx", "mx1.campus.example.edu")
        .host("pc07", "lab-pc-07")
        .heldThenSilent("pc07", "10.20.3.17", DAY, Instant.parse("2026-12-06T14:00:00Z"), Duration.ofHours(2))
        .host("pc12", "lab-pc-12").held("pc12", "10.20.3.12", DAY, null);
  }

  @Test
  void theWalkStopsAtASilentLabHostsAddressUnderATrustedNetworkAndSaysWhy() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(WORM_MAIL,
        TrustConfig.of(List.of("mx1.campus.example.edu", "10.20.0.0/16")).withFleet(silentWorm()));

    Origin o = c.origin().orElseThrow();
    assertThat(o.hop()).isZero();
    assertThat(o.trustedBecause()).contains("last held before").contains("lab-pc-07")
        .contains("--trust 10.20.0.0/16 is a network");
  }

  @Test
  void aTrustedNetworkStillTrustsARelayAddressAMailServerHeldAfterTheLabHost() throws Exception {
    // 10.20.3.17 went from a lab PC to a relay with the mail-server role at 16:30; the relay's
    // agent last reported at 16:30 and never reported the address gone (its grace ran out at 17:00).
    // A holding the relay closed by a later report without the address would not count (round 6, N0b).
    FakeEvidence fleet = silentWorm()
        .host("relay", "relay1").heldThenSilent("relay", "10.20.3.17", Instant.parse("2026-12-06T16:30:00Z"),
            Instant.parse("2026-12-06T16:30:00Z"), Duration.ofMinutes(30))
        .mailServer("relay", "relay1.campus.example.edu");

    ParsedComplaint c = ComplaintParser.parse(WORM_MAIL,
        TrustConfig.of(List.of("mx1.campus.example.edu", "10.20.0.0/16")).withFleet(fleet));

    assertThat(c.origin().orElseThrow().hop()).isEqualTo(1);
  }

  @Test
  void aSingleAddressEntryStillTrustsTheAddressWhateverHeldItBefore() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(WORM_MAIL,
        TrustConfig.of(List.of("mx1.campus.example.edu", "10.20.3.17")).withFleet(silentWorm()));

    assertThat(c.origin().orElseThrow().hop()).isEqualTo(1);
  }

  @Test
  void anExactNameEntryForTheClientGivesWayToTheSilentLabHostLikeTheNetwork() throws Exception {
    // The administrator trusts the network and, by name, the relay whose verified reverse DNS
    // mx1 recorded for 10.20.3.17. Which address carries that name is DNS's word, not the
    // administrator's (a stale PTR, a name the PC registered), so the lab host that held the
    // address last, and fell silent holding it, still makes this line the boundary (round 4, F2).
    // Only an exact address entry outranks it (aSingleAddressEntryStillTrustsTheAddress…).
    byte[] viaNamedRelay = new String(WORM_MAIL, StandardCharsets.ISO_8859_1)
        .replace("from Wqkrtz (unknown [10.20.3.17])", "from relay1 (relay1.campus.example.edu [10.20.3.17])")
        .getBytes(StandardCharsets.ISO_8859_1);

    ParsedComplaint c = ComplaintParser.parse(viaNamedRelay, TrustConfig.of(
        List.of("mx1.campus.example.edu", "10.20.0.0/16", "relay1.campus.example.edu")).withFleet(silentWorm()));

    assertThat(c.origin().orElseThrow().hop()).isZero();
    assertThat(c.origin().orElseThrow().trustedBecause()).contains("lab-pc-07").contains("silent since");
  }
  private static final byte[] GMAIL_THROUGH_NAT = """
      Received: from PC17 (nat-gw.campus.example.edu. [192.0.2.77])\r
      \tby mx.google.com with SMTP id a1si1234567ejb.200.2026.12.07.08.40.12\r
      \tfor <walt@gmail.com>; Mon, 07 Dec 2026 08:40:12 -0800 (PST)\r
      Received: from harold-pc (harold-pc.lab.campus.example.edu [10.20.3.12])\r
      \tby nat-gw.campus.example.edu (Postfix) with ESMTP id 1122334432\r
      \tfor <walt@gmail.com>; Mon, 07 Dec 2026 16:40:09 +0000 (UTC)\r
      From: "Harold" <harold@campus.example.edu>\r
      To: walt@gmail.com\r
      Subject: a funny game\r
      Date: Mon, 07 Dec 2026 16:40:00 +0000\r
      \r
      Hi.\r
      """.getBytes(StandardCharsets.ISO_8859_1);

  @Test
  void aNetworkCoveredClientThatDidNotGreetWithItsOwnNameIsTheBoundaryEvenWithoutAFleet() throws Exception {
    // Red-team round 5, R4: the campus NAT in the trusted public /24 passed the worm's HELO PC17.
    ParsedComplaint c = ComplaintParser.parse(GMAIL_THROUGH_NAT, TrustConfig.of(List.of("192.0.2.0/24")));

    Origin o = c.origin().orElseThrow();
    assertThat(o.ip()).isEqualTo("192.0.2.77");
    assertThat(o.recordable()).isFalse();
    assertThat(c.warnings()).anySatisfy(w -> assertThat(w).contains("a NAT or proxy?"));
  }

  @Test
  void aNetworkCoveredClientThatGreetedWithItsReverseDnsNameIsStillAnMtaOfOurs() throws Exception {
    byte[] viaRelay = new String(GMAIL_THROUGH_NAT, StandardCharsets.ISO_8859_1)
        .replace("from PC17 (nat-gw", "from nat-gw.campus.example.edu (nat-gw").getBytes(StandardCharsets.ISO_8859_1);

    ParsedComplaint c = ComplaintParser.parse(viaRelay, TrustConfig.of(List.of("192.0.2.0/24")));

    assertThat(c.origin().orElseThrow().hop()).isEqualTo(1);
  }
}
