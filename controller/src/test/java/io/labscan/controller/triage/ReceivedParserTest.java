package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReceivedParserTest {

  @Test
  void postfixLineGivesHeloReverseDnsIpAndClauses() {
    ReceivedHop hop = ReceivedParser.parse(
        "from helo.example.org (mail.example.org [192.0.2.1])\r\n\tby mx.example.net (Postfix)"
            + " with ESMTPS id 4N8xYz1AbC\r\n\tfor <bob@example.net>; Mon, 15 Jan 2024 10:02:11 +0000 (UTC)");

    assertThat(hop.fromHelo()).contains("helo.example.org");
    assertThat(hop.fromRdns()).contains("mail.example.org");
    assertThat(hop.fromIp()).contains("192.0.2.1");
    assertThat(hop.byHost()).contains("mx.example.net");
    assertThat(hop.with()).contains("ESMTPS");
    assertThat(hop.id()).contains("4N8xYz1AbC");
    assertThat(hop.forRecipient()).contains("bob@example.net");
    assertThat(hop.date()).contains(Instant.parse("2024-01-15T10:02:11Z"));
    assertThat(hop.software()).contains("Postfix");
    assertThat(hop.flags()).isEmpty();
  }

  @Test
  void postfixUnknownReverseDnsIsFlaggedAndLeftEmpty() {
    ReceivedHop hop = ReceivedParser.parse(
        "from PC17 (unknown [10.20.3.17]) by relay.lab.example.edu (Postfix) with SMTP id 7F3E2;"
            + " Mon, 15 Jan 2024 10:02:09 +0000");

    assertThat(hop.fromRdns()).isEmpty();
    assertThat(hop.fromIp()).contains("10.20.3.17");
    assertThat(hop.flags()).contains(HopFlag.NO_REVERSE_DNS);
  }

  @Test
  void ipv6LiteralIsCanonicalized() {
    ReceivedHop hop = ReceivedParser.parse(
        "from pc17 (unknown [IPv6:2001:0DB8:0000:0000:0000:0000:0000:0025]) by mx.example.net"
            + " (Postfix) with ESMTP id 1; Mon, 15 Jan 2024 10:30:00 +0000");

    assertThat(hop.fromIp()).contains("2001:db8::25");
  }

  @Test
  void sendmailMayBeForgedKeepsTheIpButDistrustsTheName() {
    ReceivedHop hop = ReceivedParser.parse(
        "from mail.example.org (dsl-203-0-113-77.example.com [203.0.113.77] (may be forged))"
            + " by mx.example.net (8.14.7/8.14.7) with ESMTP id h0EHF2a01234 for <hank@example.net>;"
            + " Tue, 14 Jan 2003 12:15:02 -0500");

    assertThat(hop.fromIp()).contains("203.0.113.77");
    assertThat(hop.fromRdns()).contains("dsl-203-0-113-77.example.com");
    assertThat(hop.verifiedRdns()).isEmpty();
    assertThat(hop.flags()).contains(HopFlag.MAY_BE_FORGED);
    assertThat(hop.software()).contains("Sendmail 8.14.7");
  }

  @Test
  void sendmailIdentPrefixIsNotPartOfTheName() {
    ReceivedHop hop = ReceivedParser.parse(
        "from pc17 (root@pc17.lab.example.edu [10.20.3.17]) by mail.lab.example.edu (8.9.3/8.9.3)"
            + " with SMTP id JAA01234; 14 Jan 03 09:15 PDT");

    assertThat(hop.fromRdns()).contains("pc17.lab.example.edu");
    assertThat(hop.date()).contains(Instant.parse("2003-01-14T16:15:00Z"));
  }

  @Test
  void eximNameIsTheVerifiedHostAndHeloComesFromHeloEquals() {
    ReceivedHop hop = ReceivedParser.parse(
        "from dsl-45.pool.example.com ([203.0.113.45]:51234 helo=PC17) by mx.example.org with esmtp"
            + " (Exim 4.96) (envelope-from <frank@example.edu>) id 1rPqRs-000AbC-2x for"
            + " grace@example.org; Mon, 15 Jan 2024 10:05:33 +0000");

    assertThat(hop.fromRdns()).contains("dsl-45.pool.example.com");
    assertThat(hop.fromHelo()).contains("PC17");
    assertThat(hop.fromIp()).contains("203.0.113.45");
    assertThat(hop.id()).contains("1rPqRs-000AbC-2x");
    assertThat(hop.forRecipient()).contains("grace@example.org");
    assertThat(hop.software()).contains("Exim 4.96");
  }

  @Test
  void eximWithoutReverseDnsForAClientThatSaidHeloWithItsOwnLiteralNamesThatLiteral() {
    // Exim leaves out "(helo=…)" when the HELO equals the connection's bracketed address.
    ReceivedHop hop = ReceivedParser.parse(
        "from [10.20.3.17] by mx.campus.example.edu with esmtp (Exim 4.96) id 1abc-000ABC-1x;"
            + " Mon, 07 Dec 2026 07:00:00 +0000");

    assertThat(hop.fromIp()).contains("10.20.3.17");
    assertThat(hop.flags()).doesNotContain(HopFlag.HELO_LITERAL_ONLY);
  }

  @Test
  void aBareLiteralWithoutAnEximWriterIsOnlyAHelo() {
    ReceivedHop hop = ReceivedParser.parse(
        "from [10.20.3.12] by mx.campus.example.edu with SMTP id 77; Mon, 07 Dec 2026 07:00:00 +0000");

    assertThat(hop.fromIp()).isEmpty();
    assertThat(hop.flags()).contains(HopFlag.HELO_LITERAL_ONLY);
  }

  @Test
  void eximWithoutReverseDnsNamesTheConnectionIpAfterFrom() {
    ReceivedHop hop = ReceivedParser.parse(
        "from [198.51.100.77] (helo=WORKSTATION) by mail.example.org with smtp (Exim 4.69)"
            + " id 1Zz9Yy-0001Xx-AB; Tue, 14 Jan 03 17:15:02 UT");

    assertThat(hop.fromIp()).contains("198.51.100.77");
    assertThat(hop.fromHelo()).contains("WORKSTATION");
    assertThat(hop.fromRdns()).isEmpty();
    assertThat(hop.flags()).doesNotContain(HopFlag.HELO_LITERAL_ONLY);
  }

  @Test
  void qmailLineReadsHeloCommentAndBareIp() {
    ReceivedHop hop = ReceivedParser.parse(
        "from unknown (HELO pc17) (203.0.113.9)\n  by mail.example.net with SMTP; 14 Jan 2003 17:15:02 -0000");

    assertThat(hop.fromHelo()).contains("pc17");
    assertThat(hop.fromRdns()).isEmpty();
    assertThat(hop.fromIp()).contains("203.0.113.9");
    assertThat(hop.byHost()).contains("mail.example.net");
  }

  @Test
  void qmailWithReverseDnsAndIdentKeepsTheName() {
    ReceivedHop hop = ReceivedParser.parse(
        "from dsl-9.example.com (HELO pc17) (user@203.0.113.9) by mail.example.net with SMTP;"
            + " 14 Jan 2003 17:15:02 -0000");

    assertThat(hop.fromRdns()).contains("dsl-9.example.com");
    assertThat(hop.fromIp()).contains("203.0.113.9");
  }

  @Test
  void contentFilterReinjectionOnLoopbackIsNotAHop() {
    ReceivedHop hop = ReceivedParser.parse("from localhost (localhost [127.0.0.1]) by mx.example.net"
        + " (Postfix) with ESMTP id 4TQ1cK2Xz9z1xyz for <carol@example.net>; Mon, 5 Feb 2024 10:00:07 +0000");

    assertThat(hop.fromIp()).contains("127.0.0.1");
    assertThat(hop.flags()).contains(HopFlag.LOOPBACK_CLIENT);
    assertThat(hop.recordsClient()).isFalse();
    assertThat(hop.passOver()).isTrue();
  }

  @Test
  void ipv6LoopbackClientIsNotAHop() {
    ReceivedHop hop = ReceivedParser.parse("from mx.example.net ([IPv6:::1]) by mx.example.net (Postfix)"
        + " with ESMTP id 2C3D; Tue, 6 Feb 2024 08:00:09 +0000");

    assertThat(hop.flags()).contains(HopFlag.LOOPBACK_CLIENT);
  }

  @Test
  void anEximHeloOfLoopbackNeverReplacesTheConnectionAddress() {
    ReceivedHop hop = ReceivedParser.parse("from [10.20.3.17] (helo=[127.0.0.1]) by mx1.campus.example.edu"
        + " with esmtp (Exim 4.96) id 1kXyZ-0001Ab-Cd; Sun, 6 Dec 2026 17:32:11 +0000");

    assertThat(hop.fromIp()).contains("10.20.3.17");
    assertThat(hop.flags()).doesNotContain(HopFlag.LOOPBACK_CLIENT);
  }

  @Test
  void aQmailHeloOfLoopbackNeverReplacesTheConnectionAddress() {
    ReceivedHop hop = ReceivedParser.parse("from unknown (HELO [127.0.0.1]) (10.20.3.17)"
        + " by mx1.campus.example.edu with SMTP; 6 Dec 2026 17:32:11 -0000");

    assertThat(hop.fromIp()).contains("10.20.3.17");
    assertThat(hop.flags()).doesNotContain(HopFlag.LOOPBACK_CLIENT);
  }

  @Test
  void anEximIdentTokenNeverGivesTheClientAddress() {
    ReceivedHop hop = ReceivedParser.parse("from lab-pc-17.campus.example.edu ([10.20.3.17]:50412"
        + " ident=[127.0.0.1] helo=[127.0.0.1]) by mx1.campus.example.edu with esmtp (Exim 4.96)"
        + " id 1kXyZ-0001Ab-Cd; Sun, 6 Dec 2026 17:32:11 +0000");

    assertThat(hop.fromIp()).contains("10.20.3.17");
    assertThat(hop.flags()).doesNotContain(HopFlag.LOOPBACK_CLIENT);
  }

  @Test
  void aHeloNamingFetchmailIsNoRetrieval() {
    ReceivedHop hop = ReceivedParser.parse("from x(fetchmail) (unknown [10.20.3.17]) by mx1.campus.example.edu"
        + " (Postfix) with SMTP id 4F1E for <x(fetchmail)@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000");

    assertThat(hop.flags()).doesNotContain(HopFlag.RETRIEVAL);
    assertThat(hop.fromIp()).contains("10.20.3.17");
  }

  @Test
  void aLoopbackHeloCannotMakeTheWormsLineBelowTheBoundary() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(ComplaintParserTest.mail(
        "Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5]) by"
            + " mailbox.campus.example.edu (Postfix) with ESMTP id 9A1B; Sun, 6 Dec 2026 17:32:13 +0000",
        "Received: from [10.20.3.17] (helo=[127.0.0.1]) by mx1.campus.example.edu with esmtp (Exim 4.96)"
            + " id 1kXyZ-0001Ab-Cd; Sun, 6 Dec 2026 17:32:11 +0000",
        "Received: from lab-pc-12 (lab-pc-12 [10.20.3.12]) by mx1.campus.example.edu (Postfix) with SMTP"
            + " id 1A2B; Sun, 6 Dec 2026 17:32:05 +0000",
        "From: harold@campus.example.edu", "To: janet@campus.example.edu", "Subject: honey", "", "x"),
        TrustConfig.of(List.of("198.51.100.0/24")));

    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(c.origin().orElseThrow().hop()).isEqualTo(1);
    assertThat(c.hops().get(2).trust()).isEqualTo(HopTrust.CLAIMED);
  }

  @Test
  void fetchmailRetrievalLineIsNotAHop() {
    ReceivedHop hop = ReceivedParser.parse("from pop.example.net [192.0.2.110] by laptop.home with POP3"
        + " (fetchmail-6.4.37) for <hal@localhost> (single-drop); Fri, 09 Feb 2024 18:29:59 +0000 (GMT)");

    assertThat(hop.flags()).contains(HopFlag.RETRIEVAL);
    assertThat(hop.recordsClient()).isFalse();
    assertThat(hop.date()).contains(Instant.parse("2024-02-09T18:29:59Z"));
  }

  @Test
  void lmtpAndLocalDeliveriesAreNotHops() {
    assertThat(ReceivedParser.parse("from mx.example.net ([10.0.0.25]) by mbox.example.net (Cyrus v2.4.17)"
        + " with LMTPA; Mon, 12 Feb 2024 10:20:05 +0000").flags()).contains(HopFlag.LOCAL_DELIVERY);
    assertThat(ReceivedParser.parse("from localhost by mail.example.net with local (Exim 4.96) id 1rZ"
        + " for carol@example.net; Tue, 13 Feb 2024 11:00:05 +0000").flags()).contains(HopFlag.LOCAL_DELIVERY);
  }

  @Test
  void anOrdinarySmtpHopIsNeitherLoopbackNorRetrievalNorLocal() {
    ReceivedHop hop = ReceivedParser.parse("from PC17 (unknown [10.20.3.17]) by relay.lab.example.edu"
        + " (Postfix) with SMTP id 7F3E21C0042; Mon, 15 Jan 2024 10:02:09 +0000");

    assertThat(hop.flags()).doesNotContain(HopFlag.LOOPBACK_CLIENT, HopFlag.RETRIEVAL, HopFlag.LOCAL_DELIVERY);
    assertThat(hop.recordsClient()).isTrue();
  }

  @Test
  void courierDateIsReadAlthoughItsQueueIdFollows() {
    ReceivedHop hop = ReceivedParser.parse("from LAB-PC-9 ([::ffff:203.0.113.109]) by courier.example.net"
        + " with SMTP; Tue, 14 Jan 2003 09:12:03 -0500\n  id 00000009.3E2415D3.00004A1B");

    assertThat(hop.fromIp()).contains("203.0.113.109");
    assertThat(hop.date()).contains(Instant.parse("2003-01-14T14:12:03Z"));
  }

  @Test
  void dominoDateOnTheNextLineIsRead() {
    ReceivedHop hop = ReceivedParser.parse("from LAB-PC-10 ([203.0.113.110])\n          by domino1.example.net"
        + " (Lotus Domino Release 5.0.11)\n          with SMTP id 2003011509120366:1234 ;\n"
        + "          Wed, 15 Jan 2003 09:12:03 -0500");

    assertThat(hop.date()).contains(Instant.parse("2003-01-15T14:12:03Z"));
  }

  @Test
  void qmailInvokedLineIsNotAHopButKeepsItsDate() {
    ReceivedHop hop = ReceivedParser.parse("(qmail 30219 invoked from network); 14 Jan 2003 17:15:03 -0000");

    assertThat(hop.flags()).contains(HopFlag.NOT_A_HOP);
    assertThat(hop.recordsClient()).isFalse();
    assertThat(hop.parsed()).isTrue();
    assertThat(hop.date()).contains(Instant.parse("2003-01-14T17:15:03Z"));
  }

  @Test
  void smtpsvcLineReadsHeloAndBracketedIp() {
    ReceivedHop hop = ReceivedParser.parse(
        "from PC17 ([10.20.3.17]) by exch.lab.example.edu with Microsoft SMTPSVC(5.0.2195.5329);\r\n"
            + "\t Tue, 14 Jan 2003 09:15:02 -0800");

    assertThat(hop.fromHelo()).contains("PC17");
    assertThat(hop.fromIp()).contains("10.20.3.17");
    assertThat(hop.with()).contains("Microsoft SMTPSVC");
    assertThat(hop.software()).contains("Microsoft SMTPSVC 5.0.2195.5329");
    assertThat(hop.date()).contains(Instant.parse("2003-01-14T17:15:02Z"));
  }

  @Test
  void exchangeOnlineLineReadsEhloAndBareIpsOnBothSides() {
    ReceivedHop hop = ReceivedParser.parse(
        "from relay.lab.example.edu (198.51.100.5) by\r\n CO1NAM11FT034.mail.protection.outlook.com"
            + " (10.13.174.248) with Microsoft SMTP\r\n Server (version=TLS1_2,"
            + " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n 15.20.7181.17 via Frontend"
            + " Transport; Mon, 15 Jan 2024 10:12:43 +0000");

    assertThat(hop.fromHelo()).contains("relay.lab.example.edu");
    assertThat(hop.fromRdns()).as("Exchange records no reverse DNS").isEmpty();
    assertThat(hop.fromIp()).contains("198.51.100.5");
    assertThat(hop.byHost()).contains("CO1NAM11FT034.mail.protection.outlook.com");
    assertThat(hop.byIp()).contains("10.13.174.248");
    assertThat(hop.with()).contains("Microsoft SMTP Server");
    assertThat(hop.id()).contains("15.20.7181.17");
    assertThat(hop.software()).contains("Microsoft Exchange 15.20.7181.17");
  }

  @Test
  void exchangeInternalIpv6HopIsRead() {
    ReceivedHop hop = ReceivedParser.parse(
        "from BN6PR1101MB2227.namprd11.prod.outlook.com (2603:10b6:405:5a::24) by"
            + " BYAPR11MB3477.namprd11.prod.outlook.com with HTTPS; Mon, 15 Jan 2024 10:12:45 +0000");

    assertThat(hop.fromIp()).contains("2603:10b6:405:5a::24");
    assertThat(hop.with()).contains("HTTPS");
  }

  @Test
  void gmailMxLineStripsTheTrailingDotOfTheReverseName() {
    ReceivedHop hop = ReceivedParser.parse(
        "from PC17 (nat.lab.example.edu. [203.0.113.1])\n        by mx.google.com with ESMTPS id"
            + " a1-20020a17sor.123\n        for <judy@example.com>\n        (version=TLS1_2"
            + " cipher=ECDHE-ECDSA-AES128-GCM-SHA256 bits=128/128);\n        Mon, 15 Jan 2024"
            + " 02:20:04 -0800 (PST)");

    assertThat(hop.fromRdns()).contains("nat.lab.example.edu");
    assertThat(hop.fromIp()).contains("203.0.113.1");
    assertThat(hop.byHost()).contains("mx.google.com");
    assertThat(hop.forRecipient()).contains("judy@example.com");
    assertThat(hop.date()).contains(Instant.parse("2024-01-15T10:20:04Z"));
    assertThat(hop.software()).contains("Google");
  }

  @Test
  void gmailInternalByLineHasNoFromPart() {
    ReceivedHop hop = ReceivedParser.parse(
        "by 2002:a05:6a10:a184:b0:5a8:4b1c:c9d0 with SMTP id g4csp1234567pxz;\n"
            + "        Mon, 15 Jan 2024 02:20:05 -0800 (PST)");

    assertThat(hop.flags()).contains(HopFlag.NO_FROM_PART);
    assertThat(hop.recordsClient()).isFalse();
    assertThat(hop.byIp()).contains("2002:a05:6a10:a184:b0:5a8:4b1c:c9d0");
    assertThat(hop.id()).contains("g4csp1234567pxz");
  }

  @Test
  void authenticatedSubmissionIsFlagged() {
    ReceivedHop hop = ReceivedParser.parse(
        "from [10.0.0.12] (pc.example.net. [198.51.100.200]) by smtp.gmail.com with ESMTPSA id x;"
            + " Mon, 15 Jan 2024 03:30:09 -0800 (PST)");

    assertThat(hop.flags()).contains(HopFlag.AUTHENTICATED);
    assertThat(hop.fromHelo()).contains("[10.0.0.12]");
    assertThat(hop.fromIp()).contains("198.51.100.200");
  }

  @Test
  void heloLiteralWithoutConnectionInfoIsNeverTakenAsTheIp() {
    ReceivedHop hop = ReceivedParser.parse("from [192.0.2.44] by mx.example.net with SMTP; Mon, 15 Jan 2024 10:00:00 +0000");

    assertThat(hop.fromIp()).isEmpty();
    assertThat(hop.fromHelo()).contains("[192.0.2.44]");
    assertThat(hop.flags()).contains(HopFlag.HELO_LITERAL_ONLY);
  }

  @Test
  void webmailHttpLineRecordsTheWebClientIp() {
    ReceivedHop hop = ReceivedParser.parse(
        "from 198.51.100.31 by sonic.gate.mail.ne1.yahoo.com with HTTP; Mon, 15 Jan 2024 10:00:00 +0000");

    assertThat(hop.fromIp()).contains("198.51.100.31");
  }

  @Test
  void keywordLookingHeloCannotShiftTheClauses() {
    ReceivedHop hop = ReceivedParser.parse(
        "from by (unknown [203.0.113.5]) by mx.example.net (Postfix) with SMTP id 1; Mon, 15 Jan 2024 10:00:00 +0000");

    assertThat(hop.fromHelo()).contains("by");
    assertThat(hop.fromIp()).contains("203.0.113.5");
    assertThat(hop.byHost()).contains("mx.example.net");
  }

  @Test
  void localSubmissionWithoutFromIsNoFromPart() {
    ReceivedHop hop = ReceivedParser.parse(
        "by mail.example.net (Postfix, from userid 1000) id 3F2E1D; Mon, 15 Jan 2024 10:00:00 +0000 (UTC)");

    assertThat(hop.flags()).contains(HopFlag.NO_FROM_PART);
    assertThat(hop.software()).contains("Postfix");
  }

  @Test
  void lineWithoutFromOrByIsUnparsedAndKeepsItsText() {
    ReceivedHop hop = ReceivedParser.parse("via fax gateway on a Tuesday, nothing to read here");

    assertThat(hop.parsed()).isFalse();
    assertThat(hop.flags()).contains(HopFlag.UNPARSED);
    assertThat(hop.raw()).isEqualTo("via fax gateway on a Tuesday, nothing to read here");
  }

  @Test
  void missingDateIsFlaggedNotFatal() {
    ReceivedHop hop = ReceivedParser.parse("from pc (unknown [192.0.2.3]) by mx.example.net with SMTP");

    assertThat(hop.fromIp()).contains("192.0.2.3");
    assertThat(hop.date()).isEmpty();
    assertThat(hop.flags()).contains(HopFlag.NO_DATE);
  }

  @Test
  void headerNameAndFoldingAreRemovedFromRaw() {
    ReceivedHop hop = ReceivedParser.parse("Received: from a (b [192.0.2.9])\r\n\tby c; Mon, 15 Jan 2024 10:00:00 +0000");

    assertThat(hop.raw()).isEqualTo("from a (b [192.0.2.9]) by c; Mon, 15 Jan 2024 10:00:00 +0000");
  }

  @Test
  void overlongLineIsCutAndFlagged() {
    String value = "from pc (unknown [192.0.2.3]) by mx.example.net " + "x".repeat(20_000);

    ReceivedHop hop = ReceivedParser.parse(value);

    assertThat(hop.flags()).contains(HopFlag.TRUNCATED);
    assertThat(hop.raw().length()).isLessThanOrEqualTo(ReceivedParser.MAX_LENGTH);
    assertThat(hop.fromIp()).contains("192.0.2.3");
  }

  @Test
  void parseAllKeepsOrderTopFirst() {
    List<ReceivedHop> hops = ReceivedParser.parseAll(List.of(
        "from a (unknown [192.0.2.1]) by top.example.net; Mon, 15 Jan 2024 10:00:01 +0000",
        "from b (unknown [192.0.2.2]) by a.example.net; Mon, 15 Jan 2024 10:00:00 +0000"));

    assertThat(hops).extracting(ReceivedHop::fromIp)
        .containsExactly(Optional.of("192.0.2.1"), Optional.of("192.0.2.2"));
  }

  // ---- HELO text never gives the connection (red-team finding F1) --------------------------

  @Test
  void aParenthesisInsideTheHeloWordIsPartOfTheHeloNotAComment() {
    ReceivedHop hop = ReceivedParser.parse("from x(10.20.3.12) (unknown [10.20.3.17]) by mx1.campus.example.edu"
        + " (Postfix) with SMTP id 4F1E; Sun, 6 Dec 2026 17:32:11 +0000");

    assertThat(hop.fromHelo()).contains("x(10.20.3.12)");
    assertThat(hop.fromIp()).contains("10.20.3.17");
    assertThat(hop.fromRdns()).isEmpty();
  }

  @Test
  void aHeloWithSpacesAndAFakeConnectionCommentLosesToTheCommentTheMtaWroteLast() {
    ReceivedHop hop = ReceivedParser.parse("from x (mx1.campus.example.edu [10.20.0.25]) (unknown [203.0.113.66])"
        + " by mx1.campus.example.edu (Postfix) with ESMTP id 4F1E; Sun, 6 Dec 2026 17:32:11 +0000");

    assertThat(hop.fromIp()).contains("203.0.113.66");
    assertThat(hop.fromRdns()).isEmpty();
    assertThat(hop.fromHelo()).contains("x (mx1.campus.example.edu [10.20.0.25])");
  }

  @Test
  void keywordsInTheHeloNeverBecomeClauses() {
    ReceivedHop hop = ReceivedParser.parse("from x by mail.campus.example.edu with POP3 id 1 for <a@b> (unknown"
        + " [10.20.3.17]) by mx1.campus.example.edu (Postfix) with SMTP id 4F1E for <janet@campus.example.edu>;"
        + " Sun, 6 Dec 2026 17:32:11 +0000");

    assertThat(hop.byHost()).contains("mx1.campus.example.edu");
    assertThat(hop.with()).contains("SMTP");
    assertThat(hop.id()).contains("4F1E");
    assertThat(hop.forRecipient()).contains("janet@campus.example.edu");
    assertThat(hop.flags()).doesNotContain(HopFlag.RETRIEVAL);
    assertThat(hop.fromIp()).contains("10.20.3.17");
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      // Sendmail: (authenticated bits=0) after the connection comment
      "from laptop (c-203-0-113-77.example.com [203.0.113.77]) (authenticated bits=256) by mail.example.org"
          + " (8.15.2/8.15.2) with ESMTP id 0B6HWBx1 for <it@example.org>; Sun, 6 Dec 2026 17:32:11 GMT",
      // Courier: (AUTH: LOGIN user, TLS: ...)
      "from pc30.campus.example.edu ([10.20.3.30]) (AUTH: LOGIN janet, TLS: TLSv1.3,256bits,TLS_AES_256_GCM_SHA384)"
          + " by mail.campus.example.edu with ESMTP; Sun, 06 Dec 2026 17:32:11 +0000 id 0000A1B2.674F2E3B",
      // OpenSMTPD: "auth=yes user=janet" in its own text right of by
      "from lab-pc-30 (lab-pc-30.campus.example.edu [10.20.3.30]) by mx1.campus.example.edu (OpenSMTPD) with"
          + " ESMTP id 5c3e8f0c (TLSv1.3:AEAD-AES256-GCM-SHA384:256:NO) auth=yes user=janet for"
          + " <it@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)",
      // (authenticated as …)
      "from lab-pc-30 (lab-pc-30.campus.example.edu [10.20.3.30]) (authenticated as janet) by"
          + " mx1.campus.example.edu with ESMTP id 9F1; Sun, 6 Dec 2026 17:32:11 +0000",
      // RFC 6531 type of an authenticated, TLS-protected session
      "from [10.20.3.30] (lab-pc-30.campus.example.edu [10.20.3.30]) by mx1.campus.example.edu (Postfix)"
          + " with UTF8SMTPSA id 7A1; Sun, 6 Dec 2026 17:32:11 +0000",
      // Exim: with esmtpsa
      "from lab-pc-30.campus.example.edu ([10.20.3.30]:50122 helo=[10.20.3.30]) by mx1.campus.example.edu"
          + " with esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <janet@campus.example.edu>)"
          + " id 1rPq2x-0004Ab-1Q; Sun, 06 Dec 2026 17:32:11 +0000"})
  void eachMtasWayOfWritingAnAuthenticatedSubmissionIsFlagged(String line) {
    assertThat(ReceivedParser.parse(line).flags()).contains(HopFlag.AUTHENTICATED);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      // the client's HELO holds the words; the MTA wrote none
      "from x (authenticated bits=0) (AUTH: LOGIN x) (unknown [10.20.3.17]) by mx1.campus.example.edu (Postfix)"
          + " with SMTP id 4F1E; Sun, 6 Dec 2026 17:32:11 +0000",
      "from auth=yes (unknown [10.20.3.17]) by mx1.campus.example.edu (Postfix) with SMTP id 4F1E;"
          + " Sun, 6 Dec 2026 17:32:11 +0000",
      // an envelope recipient the sender chose
      "from PC07 (unknown [10.20.3.17]) by mx1.campus.example.edu (Postfix) with SMTP id 4F1E"
          + " for <\"(authenticated as janet) auth=yes\"@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000",
      // a quoted local part holding ">" does not close the address early (Postfix)
      "from Wqkrtz (unknown [10.20.3.17]) by mx1.campus.example.edu (Postfix) with SMTP id 3F9A11C2D0"
          + " for <\"abuse+>(authenticated bits=0)\"@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)",
      // nor in Exim's envelope-from
      "from [10.20.3.17] (helo=Wqkrtz) by mx1.campus.example.edu with smtp (Exim 4.96)"
          + " (envelope-from <\"a>b (authenticated bits=0)\"@evil.example>)"
          + " id 1rPq3K-000Abc-2x for abuse@campus.example.edu; Sun, 6 Dec 2026 17:32:11 +0000",
      // an unbracketed envelope recipient is the client's too
      "from [10.20.3.17] (helo=Wqkrtz) by mx1.campus.example.edu with smtp (Exim 4.96)"
          + " id 1rPq3K-000Abc-2x for abuse(authenticated)@campus.example.edu; Sun, 6 Dec 2026 17:32:11 +0000"})
  void wordsOfAuthenticationTheClientWroteGiveNoFlag(String line) {
    ReceivedHop hop = ReceivedParser.parse(line);

    assertThat(hop.fromIp()).contains("10.20.3.17");
    assertThat(hop.flags()).doesNotContain(HopFlag.AUTHENTICATED);
  }

  @Test
  void aHeloNamingEximOrAuthenticationGivesNoSoftwareHintAndNoFlag() {
    ReceivedHop hop = ReceivedParser.parse("from [10.20.3.12] Exim 4.96 Authenticated sender: x (unknown"
        + " [10.20.3.17]) by mx1.campus.example.edu (Postfix) with SMTP id 4F1E; Sun, 6 Dec 2026 17:32:11 +0000");

    assertThat(hop.software()).containsExactly("Postfix");
    assertThat(hop.flags()).doesNotContain(HopFlag.AUTHENTICATED);
    assertThat(hop.fromIp()).contains("10.20.3.17");
  }

  @Test
  void aQuotedRecipientHoldingAFakeClauseNeverMovesTheCut() {
    ReceivedHop hop = ReceivedParser.parse("from PC07 (unknown [10.20.3.17]) by mx1.campus.example.edu (Postfix)"
        + " with SMTP id 4F1E for <\"janet+(unknown [10.20.3.12]) by mx1\"@campus.example.edu>;"
        + " Sun, 6 Dec 2026 17:32:11 +0000");

    assertThat(hop.fromIp()).contains("10.20.3.17");
    assertThat(hop.byHost()).contains("mx1.campus.example.edu");
    assertThat(hop.date()).contains(Instant.parse("2026-12-06T17:32:11Z"));
  }

  @Test
  void qmailNameWithoutItsHeloCommentIsNotTakenAsReverseDns() {
    ReceivedHop hop = ReceivedParser.parse("from mx1.campus.example.edu (203.0.113.66) by mail.example.net"
        + " with SMTP; 6 Dec 2026 17:32:11 -0000");

    assertThat(hop.fromIp()).contains("203.0.113.66");
    assertThat(hop.fromRdns()).as("an MTA writing 'from NAME (IP)' may be writing the HELO").isEmpty();
  }

  // ---- legitimate shapes with parentheses still read -----------------------------------------

  @Test
  void postfixTlsAndAuthenticationCommentsAfterTheConnectionAreNotTheConnection() {
    ReceivedHop hop = ReceivedParser.parse("from [192.168.1.10] (dsl-5.example.net [198.51.100.201])\n"
        + "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
        + "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\n"
        + "\t(Client CN \"[10.20.3.12]\", Issuer \"Campus CA\" (not verified))\n"
        + "\t(Authenticated sender: harold)\n"
        + "\tby smtp.campus.example.edu (Postfix) with ESMTPSA id 4QZ1x;\n\tSun, 6 Dec 2026 17:32:11 +0000");

    assertThat(hop.fromHelo()).contains("[192.168.1.10]");
    assertThat(hop.fromRdns()).contains("dsl-5.example.net");
    assertThat(hop.fromIp()).contains("198.51.100.201");
    assertThat(hop.byHost()).contains("smtp.campus.example.edu");
    assertThat(hop.flags()).contains(HopFlag.AUTHENTICATED);
  }

  @Test
  void sendmailMayBeForgedFollowedByItsAuthenticationCommentIsRead() {
    ReceivedHop hop = ReceivedParser.parse("from laptop (c-203-0-113-77.example.com [203.0.113.77] (may be forged))"
        + " (authenticated bits=0) by mail.example.org (8.15.2/8.15.2) with ESMTP id 0B6HWBx1; Sun, 6 Dec 2026"
        + " 17:32:11 GMT");

    assertThat(hop.fromIp()).contains("203.0.113.77");
    assertThat(hop.flags()).contains(HopFlag.MAY_BE_FORGED);
    assertThat(hop.verifiedRdns()).isEmpty();
    assertThat(hop.software()).contains("Sendmail 8.15.2");
  }

  @Test
  void eximCommentWithPortIdentAndHeloGivesTheVerifiedNameAndTheConnection() {
    ReceivedHop hop = ReceivedParser.parse("from lab-pc-17.campus.example.edu ([10.20.3.17]:50412 helo=x(y)"
        + " ident=root) by mx1.campus.example.edu with esmtp (Exim 4.96) (envelope-from <h@campus.example.edu>)"
        + " id 1kXyZ-0001Ab-Cd; Sun, 6 Dec 2026 17:32:11 +0000");

    assertThat(hop.fromRdns()).contains("lab-pc-17.campus.example.edu");
    assertThat(hop.fromIp()).contains("10.20.3.17");
    assertThat(hop.id()).contains("1kXyZ-0001Ab-Cd");
  }

  @Test
  void eximLiteralWithPortAndHeloGivesTheConnection() {
    ReceivedHop hop = ReceivedParser.parse("from [198.51.100.77] (port=50412 helo=WORKSTATION) by mail.example.org"
        + " with esmtp (Exim 4.96) id 1Zz9Yy-0001Xx-AB; Sun, 6 Dec 2026 17:32:11 +0000");

    assertThat(hop.fromIp()).contains("198.51.100.77");
    assertThat(hop.fromHelo()).contains("WORKSTATION");
  }

  @Test
  void microsoft365DoubleCommentsOverIpv6AreRead() {
    ReceivedHop hop = ReceivedParser.parse("from DM6PR11MB4691.namprd11.prod.outlook.com (2603:10b6:5:2a1::18) by"
        + " SN6PR11MB3504.namprd11.prod.outlook.com (2603:10b6:805:d0::22) with Microsoft SMTP Server"
        + " (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7228.28; Sun, 6 Dec 2026"
        + " 17:32:12 +0000");

    assertThat(hop.fromIp()).contains("2603:10b6:5:2a1::18");
    assertThat(hop.fromHelo()).contains("DM6PR11MB4691.namprd11.prod.outlook.com");
    assertThat(hop.fromRdns()).isEmpty();
    assertThat(hop.byIp()).contains("2603:10b6:805:d0::22");
    assertThat(hop.with()).contains("Microsoft SMTP Server");
  }

  @Test
  void postfixIpv6ClientWithAReverseNameIsRead() {
    ReceivedHop hop = ReceivedParser.parse("from pc17 (pc17.lab.example.edu [IPv6:2001:db8:20::17]) by"
        + " mx.example.org (Postfix) with ESMTPS id 4QZ; Sun, 6 Dec 2026 17:32:11 +0000");

    assertThat(hop.fromIp()).contains("2001:db8:20::17");
    assertThat(hop.fromRdns()).contains("pc17.lab.example.edu");
  }
}
