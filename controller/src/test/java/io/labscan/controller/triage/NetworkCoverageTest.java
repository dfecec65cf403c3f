package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A client covered only by a network or {@code *.} suffix entry shows itself an MTA, on its own
 * line, only by greeting with its own fully qualified name: the reverse DNS name the trusted
 * writer recorded. A NAT or proxy passes the sending machine's greeting (issue 15, red-team
 * round 5, R4). With no reverse DNS recorded, the greeting and the line below are both the
 * sender's words and show nothing (round 6, N0).
 */
class NetworkCoverageTest {
  private static ReceivedHop line(String value) {
    return ReceivedParser.parse(value);
  }

  private static final Optional<ReceivedHop> NONE = Optional.empty();

  @Test
  void aPostfixRelayGreetingWithItsReverseDnsNameShowsItsOwnName() {
    ReceivedHop hop = line("from relay.dept.campus.example.edu (relay.dept.campus.example.edu [10.20.0.25])"
        + " by mx.campus.example.edu (Postfix) with ESMTPS id 4F1E2D for <bob@campus.example.edu>;"
        + " Mon, 7 Dec 2026 16:40:12 +0000 (UTC)");

    assertThat(NetworkCoverage.ownName(hop, NONE)).hasValueSatisfying(s -> assertThat(s)
        .contains("relay.dept.campus.example.edu").contains("reverse DNS"));
  }

  @Test
  void aRelayGreetingWithTheFirstLabelOfItsReverseDnsNameShowsItsOwnName() {
    ReceivedHop hop = line("from relay (relay.example.edu [IPv6:2001:db8:25::5]) by mx.example.net (Postfix);"
        + " Mon, 15 Jan 2024 10:00:02 +0000");

    assertThat(NetworkCoverage.ownName(hop, NONE)).hasValueSatisfying(s -> assertThat(s).contains("first label"));
  }

  @Test
  void aBareHeloThatIsNotTheFirstLabelOfTheReverseDnsNameShowsNoOwnName() {
    ReceivedHop hop = line("from nat (nat-gw.campus.example.edu [192.0.2.77]) by mx.example.net (Postfix);"
        + " Mon, 15 Jan 2024 10:00:02 +0000");

    assertThat(NetworkCoverage.ownName(hop, NONE)).isEmpty();
  }

  @Test
  void anEximRelayWhoseHeloEqualsItsHostNameShowsItsOwnName() {
    // Exim writes helo= only when the greeting differs from the verified host name.
    ReceivedHop hop = line("from smtp1.campus.example.edu ([198.51.100.12]:41922) by mail.example.org"
        + " with esmtps (TLS1.3) (Exim 4.96) (envelope-from <harold@campus.example.edu>) id 1rAbCd-000123-4x"
        + " for bob@example.org; Mon, 07 Dec 2026 16:40:12 +0000");

    assertThat(NetworkCoverage.ownName(hop, NONE)).isPresent();
  }

  @Test
  void aNatGatewayPassingTheSendersBareHeloShowsNoOwnName() {
    ReceivedHop hop = line("from PC17 (nat-gw.campus.example.edu. [192.0.2.77]) by mx.google.com with SMTP"
        + " id a1si1234567ejb.200.2026.12.07.08.40.12 for <walt@gmail.com>; Mon, 07 Dec 2026 08:40:12 -0800 (PST)");
    ReceivedHop forgedBelow = line("from harold-pc (harold-pc.lab.campus.example.edu [10.20.3.12])"
        + " by nat-gw.campus.example.edu (Postfix) with ESMTP id 1122334432 for <walt@gmail.com>;"
        + " Mon, 07 Dec 2026 16:40:09 +0000 (UTC)");

    assertThat(NetworkCoverage.ownName(hop, Optional.of(forgedBelow))).isEmpty();
  }

  @Test
  void anEximWrittenNatLineWithTheSendersHeloShowsNoOwnName() {
    ReceivedHop hop = line("from vpn-gw.campus.example.edu ([198.51.100.9]:51234 helo=WKSTN-3) by mail.example.org"
        + " with esmtp (Exim 4.96) (envelope-from <harold@campus.example.edu>) id 1rAbCd-000999-7q"
        + " for bob@example.org; Mon, 07 Dec 2026 16:40:12 +0000");

    assertThat(NetworkCoverage.ownName(hop, NONE)).isEmpty();
  }

  @Test
  void aFullyQualifiedHeloThatIsNotTheRecordedReverseDnsNameShowsNoOwnName() {
    // The sender behind the NAT greets with a campus-looking name and writes it in its forged
    // line too; the reverse DNS the writer looked up is the gateway's.
    ReceivedHop hop = line("from mail.campus.example.edu (nat-gw.campus.example.edu [192.0.2.77]) by mx.google.com"
        + " with SMTP id x1; Mon, 07 Dec 2026 08:40:12 -0800 (PST)");
    ReceivedHop forgedBelow = line("from harold-pc ([10.20.3.12]) by mail.campus.example.edu (Postfix)"
        + " with ESMTP id 99; Mon, 07 Dec 2026 16:40:09 +0000 (UTC)");

    assertThat(NetworkCoverage.ownName(hop, Optional.of(forgedBelow))).isEmpty();
  }

  @Test
  void anExchangeRelayWithoutReverseDnsShowsNoOwnNameWhateverTheLineBelowSays() {
    // Exchange records the EHLO name and the IP, never a reverse DNS name. The line below names
    // the same host, but a worm behind a NAT writes exactly that too (round 6, N0).
    ReceivedHop hop = line("from EXCH01.ad.campus.example.edu (10.20.0.40) by mx.campus.example.edu"
        + " (10.20.0.10) with Microsoft SMTP Server (version=TLS1_2) id 15.1.2507.39; Mon, 7 Dec 2026 16:40:12 +0000");
    ReceivedHop itsOwn = line("from LAB-PC-07 (10.20.3.17) by EXCH01.ad.campus.example.edu (10.20.0.40)"
        + " with Microsoft SMTP Server id 15.1.2507.39; Mon, 7 Dec 2026 16:40:10 +0000");

    assertThat(NetworkCoverage.ownName(hop, Optional.of(itsOwn))).isEmpty();
  }

  @Test
  void aNatWithoutReverseDnsGreetingAsTheByNameOfTheWormsForgedLineShowsNoOwnName() {
    ReceivedHop hop = line("from nat-gw.campus.example.edu (unknown [198.51.100.77]) by mx.example.net (Postfix)"
        + " with ESMTP id 8C9D0E for <bob@example.net>; Mon, 07 Dec 2026 16:40:12 +0000");
    ReceivedHop forgedBelow = line("from harold-pc (harold-pc.lab.campus.example.edu [10.20.3.12])"
        + " by nat-gw.campus.example.edu (Postfix) with ESMTP id 1122334432 for <bob@example.net>;"
        + " Mon, 07 Dec 2026 16:40:09 +0000");

    assertThat(NetworkCoverage.ownName(hop, Optional.of(forgedBelow))).isEmpty();
  }

  @Test
  void withoutReverseDnsTheWarningSaysSoAndHowToTrustSuchARelay() {
    ReceivedHop hop = line("from EXCH01.ad.campus.example.edu (10.20.0.40) by mx.campus.example.edu"
        + " (10.20.0.10) with Microsoft SMTP Server id 15.1.2507.39; Mon, 7 Dec 2026 16:40:12 +0000");

    assertThat(NetworkCoverage.notShown(hop, "10.20.0.0/16")).contains("recorded no reverse DNS name");
    assertThat(NetworkCoverage.warning(1, hop, "10.20.0.0/16")).contains("no reverse DNS name was recorded")
        .contains("--trust 10.20.0.40").contains("mail-server role");
  }

  @Test
  void aClientWithoutReverseDnsWhoseHeloDiffersFromTheNameInTheLineBelowShowsNoOwnName() {
    ReceivedHop hop = line("from LAB-PC-12.ad.campus.example.edu (10.20.0.40) by mx.campus.example.edu"
        + " (10.20.0.10) with Microsoft SMTP Server id 15.1.2507.39; Mon, 7 Dec 2026 16:40:12 +0000");
    ReceivedHop below = line("from LAB-PC-07 (10.20.3.17) by EXCH01.ad.campus.example.edu (10.20.0.40)"
        + " with Microsoft SMTP Server id 15.1.2507.39; Mon, 7 Dec 2026 16:40:10 +0000");

    assertThat(NetworkCoverage.ownName(hop, Optional.of(below))).isEmpty();
    assertThat(NetworkCoverage.ownName(hop, NONE)).isEmpty();
  }

  @Test
  void aBareNameOrAnAddressLiteralIsNeverAFullyQualifiedName() {
    assertThat(NetworkCoverage.fullyQualified("PC17")).isFalse();
    assertThat(NetworkCoverage.fullyQualified("[192.0.2.77]")).isFalse();
    assertThat(NetworkCoverage.fullyQualified("192.0.2.77")).isFalse();
    assertThat(NetworkCoverage.fullyQualified("relay")).isFalse();
    assertThat(NetworkCoverage.fullyQualified("relay.campus.example.edu.")).isTrue();
  }

  @Test
  void aBareHeloMatchingABareByNameIsNoOwnFullyQualifiedName() {
    ReceivedHop hop = line("from RELAY (10.20.0.40) by mx.campus.example.edu (10.20.0.10) with Microsoft SMTP Server"
        + " id 15.1.2507.39; Mon, 7 Dec 2026 16:40:12 +0000");
    ReceivedHop below = line("from LAB-PC-07 (10.20.3.17) by RELAY (10.20.0.40) with Microsoft SMTP Server"
        + " id 15.1.2507.39; Mon, 7 Dec 2026 16:40:10 +0000");

    assertThat(NetworkCoverage.ownName(hop, Optional.of(below))).isEmpty();
  }

  @Test
  void theReasonNamesTheEntryTheHeloAndTheLikelyNat() {
    ReceivedHop hop = line("from PC17 (nat-gw.campus.example.edu. [192.0.2.77]) by mx.google.com with SMTP"
        + " id a1; Mon, 07 Dec 2026 08:40:12 -0800 (PST)");

    assertThat(NetworkCoverage.notShown(hop, "192.0.2.0/24")).contains("192.0.2.77").contains("--trust 192.0.2.0/24")
        .contains("HELO 'PC17'").contains("nothing shows it is an MTA");
    assertThat(NetworkCoverage.warning(1, hop, "192.0.2.0/24")).contains("entered from 192.0.2.77")
        .contains("a NAT or proxy?").contains("--trust 192.0.2.77");
  }
}
