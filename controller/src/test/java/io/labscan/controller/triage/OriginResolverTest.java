package io.labscan.controller.triage;

import static io.labscan.controller.triage.ComplaintParserTest.mail;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trust walk on hand-made header blocks. */
class OriginResolverTest {

  private static ParsedComplaint parse(TrustConfig trust, String... receivedThenRest) throws Exception {
    return ComplaintParser.parse(mail(receivedThenRest), trust);
  }

  @Test
  void heloNamingATrustedHostIsNeverTrusted() throws Exception {
    ParsedComplaint c = parse(TrustConfig.of(List.of("relay.lab.example.edu")),
        "Received: from relay.lab.example.edu (unknown [203.0.113.66]) by mx.example.net (Postfix); Mon, 15 Jan 2024 10:00:02 +0000",
        "Received: from pc (unknown [10.20.3.17]) by relay.lab.example.edu (Postfix); Mon, 15 Jan 2024 10:00:01 +0000",
        "From: a@example.edu", "", "x");

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("203.0.113.66");
    assertThat(c.origin().orElseThrow().trustedBecause()).contains("HELO relay.lab.example.edu, never trusted");
    assertThat(c.hops().get(1).trust()).isEqualTo(HopTrust.CLAIMED);
  }

  @Test
  void trustedReverseNameFlaggedMayBeForgedDoesNotExtendTrust() throws Exception {
    ParsedComplaint c = parse(TrustConfig.of(List.of("relay.lab.example.edu")),
        "Received: from x (relay.lab.example.edu [203.0.113.66] (may be forged)) by mx.example.net (8.14.7/8.14.7); Mon, 15 Jan 2024 10:00:02 +0000",
        "Received: from pc (unknown [10.20.3.17]) by relay.lab.example.edu (Postfix); Mon, 15 Jan 2024 10:00:01 +0000",
        "From: a@example.edu", "", "x");

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("203.0.113.66");
  }

  @Test
  void ipv6CidrExtendsTrust() throws Exception {
    ParsedComplaint c = parse(TrustConfig.of(List.of("2001:db8:25::/48")),
        "Received: from relay (relay.example.edu [IPv6:2001:db8:25::5]) by mx.example.net (Postfix); Mon, 15 Jan 2024 10:00:02 +0000",
        "Received: from pc (unknown [10.20.3.17]) by relay.example.edu (Postfix); Mon, 15 Jan 2024 10:00:01 +0000",
        "From: a@example.edu", "", "x");

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(c.origin().orElseThrow().trustedBecause()).contains("--trust 2001:db8:25::/48");
  }

  @Test
  void privateClientRecordedByAProviderIsInsideThatProvider() throws Exception {
    ParsedComplaint c = parse(TrustConfig.none(),
        "Received: from smtp.gmail.com ([10.9.8.7]) by mx.google.com with ESMTPS id 1; Mon, 15 Jan 2024 10:00:02 +0000",
        "Received: from pc (pc.example.net. [198.51.100.201]) by smtp.gmail.com with ESMTPSA id 2; Mon, 15 Jan 2024 10:00:01 +0000",
        "From: a@example.net", "", "x");

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("198.51.100.201");
    assertThat(c.origin().orElseThrow().trustedBecause()).contains("hop 0 is inside google");
  }

  @Test
  void providerWalkNeverFollowsAClientThatOnlyClaimsTheProviderInHelo() throws Exception {
    ParsedComplaint c = parse(TrustConfig.none(),
        "Received: from mail-sor-f41.google.com (unknown [203.0.113.66]) by mx.google.com with ESMTPS id 1; Mon, 15 Jan 2024 10:00:02 +0000",
        "Received: from x (y.google.com [192.0.2.41]) by smtp.gmail.com with ESMTPSA id 2; Mon, 15 Jan 2024 10:00:01 +0000",
        "From: a@example.net", "", "x");

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("203.0.113.66");
  }

  @Test
  void withProvidersSwitchedOffTheTopmostHopIsTheBoundary() {
    ParsedComplaint c = Corpus.parse("gmail-submission.eml");
    ParsedComplaint plain;
    try {
      plain = ComplaintParser.parse(Corpus.bytes("gmail-submission.eml"),
          TrustConfig.none().withProviders(MailProviders.none()));
    } catch (NotAMailMessageException e) {
      throw new AssertionError(e);
    }

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("198.51.100.200");
    assertThat(plain.origin().orElseThrow().ip()).isEqualTo("192.0.2.41");
    assertThat(plain.origin().orElseThrow().hop()).isEqualTo(1);
  }

  @Test
  void trustedClientWithNothingBelowIsTheOrigin() throws Exception {
    ParsedComplaint c = parse(TrustConfig.of(List.of("198.51.100.5")),
        "Received: from relay (relay.lab.example.edu [198.51.100.5]) by mx.example.net (Postfix); Mon, 15 Jan 2024 10:00:02 +0000",
        "Received: by relay.lab.example.edu (Postfix, from userid 1000) id 1; Mon, 15 Jan 2024 10:00:01 +0000",
        "From: a@example.edu", "", "x");

    Origin o = c.origin().orElseThrow();
    assertThat(o.ip()).isEqualTo("198.51.100.5");
    assertThat(o.hop()).isZero();
    assertThat(o.trustedBecause()).contains("no lower line records a client");
    assertThat(c.hops().get(1).trust()).isEqualTo(HopTrust.CLAIMED);
  }

  @Test
  void unreadableLineWrittenByATrustedMtaStopsTheWalkWithoutGuessing() throws Exception {
    ParsedComplaint c = parse(TrustConfig.of(List.of("198.51.100.5")),
        "Received: from relay (relay.lab.example.edu [198.51.100.5]) by mx.example.net (Postfix); Mon, 15 Jan 2024 10:00:02 +0000",
        "Received: garbled beyond repair",
        "Received: from pc (unknown [10.20.3.17]) by relay.lab.example.edu (Postfix); Mon, 15 Jan 2024 10:00:01 +0000",
        "From: a@example.edu", "", "x");

    assertThat(c.origin()).isEmpty();
    assertThat(c.warnings()).anyMatch(w -> w.contains("hop 1 was written by a trusted MTA but could not be read"));
    assertThat(c.hops().get(1).trust()).isEqualTo(HopTrust.BOUNDARY);
  }

  @Test
  void onlyHandOffLinesGiveNoOrigin() throws Exception {
    ParsedComplaint c = parse(TrustConfig.none(),
        "Received: by 2002:a05:6a10:a184:b0:5a8:4b1c:c9d0 with SMTP id g4csp1; Mon, 15 Jan 2024 10:00:02 +0000",
        "Received: by mail.example.net (Postfix, from userid 1000) id 1; Mon, 15 Jan 2024 10:00:01 +0000",
        "From: a@example.edu", "", "x");

    assertThat(c.origin()).isEmpty();
    assertThat(c.warnings()).anyMatch(w -> w.contains("no Received: line records an SMTP client"));
  }

  @Test
  void boundaryWithoutClientIpGivesNoOrigin() throws Exception {
    ParsedComplaint c = parse(TrustConfig.none(),
        "Received: from pc17 by mx.example.net with SMTP; Mon, 15 Jan 2024 10:00:02 +0000",
        "From: a@example.edu", "", "x");

    assertThat(c.origin()).isEmpty();
    assertThat(c.warnings()).anyMatch(w -> w.contains("records no client IP") && w.contains("pc17"));
  }

  @Test
  void undatedBoundaryTakesTheNearestTrustedDateAbove() throws Exception {
    ParsedComplaint c = parse(TrustConfig.of(List.of("198.51.100.5")),
        "Received: from relay (relay.lab.example.edu [198.51.100.5]) by mx.example.net (Postfix); Mon, 15 Jan 2024 10:00:02 +0000",
        "Received: from pc (unknown [10.20.3.17]) by relay.lab.example.edu (Postfix)",
        "From: a@example.edu", "", "x");

    Origin o = c.origin().orElseThrow();
    assertThat(o.time()).isEqualTo(Instant.parse("2024-01-15T10:00:02Z"));
    assertThat(o.timeSource()).contains("hop 0").contains("upper bound");
  }

  @Test
  void undatedPathFallsBackToTheClaimedDateHeaderAndSaysSo() throws Exception {
    ParsedComplaint c = parse(TrustConfig.none(),
        "Received: from pc (unknown [203.0.113.5]) by mx.example.net (Postfix)",
        "Date: Mon, 15 Jan 2024 09:59:00 +0000", "From: a@example.edu", "", "x");

    Origin o = c.origin().orElseThrow();
    assertThat(o.time()).isEqualTo(Instant.parse("2024-01-15T09:59:00Z"));
    assertThat(o.timeSource()).contains("sender's own clock");
  }

  @Test
  void qmailInvokedLinesAreSkippedByTheWalk() {
    ParsedComplaint c = Corpus.parse("qmail-invoked.eml");

    assertThat(c.hops().get(0).hop().flags()).contains(HopFlag.NOT_A_HOP);
    assertThat(c.hops().get(0).trust()).isEqualTo(HopTrust.TRUSTED);
    assertThat(c.origin().orElseThrow().hop()).isEqualTo(1);
  }
}
