package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Totality: the parser (without its safety net) and the date reader never throw, whatever
 * they are fed. Seeded, so a failure reproduces.
 */
class ReceivedParserFuzzTest {
  private static final List<String> SEEDS = List.of(
      "from helo.example.org (mail.example.org [192.0.2.1]) by mx.example.net (Postfix) with ESMTPS id 4N8 for <b@example.net>; Mon, 15 Jan 2024 10:02:11 +0000 (UTC)",
      "from mail.example.org (dsl.example.com [203.0.113.77] (may be forged)) by mx (8.14.7/8.14.7) with ESMTP id h0; Tue, 14 Jan 2003 12:15:02 -0500",
      "from dsl.example.com ([203.0.113.45]:51234 helo=PC17) by mx.example.org with esmtp (Exim 4.96) id 1r for g@example.org; Mon, 15 Jan 2024 10:05:33 +0000",
      "from unknown (HELO pc17) (203.0.113.9) by mail.example.net with SMTP; 14 Jan 2003 17:15:02 -0000",
      "(qmail 30219 invoked from network); 14 Jan 2003 17:15:03 -0000",
      "from PC17 ([10.20.3.17]) by exch with Microsoft SMTPSVC(5.0.2195.5329); Tue, 14 Jan 2003 09:15:02 -0800",
      "from r (198.51.100.5) by CO1.mail.protection.outlook.com (10.13.174.248) with Microsoft SMTP Server (version=TLS1_2, cipher=X) id 15.20.7181.17 via Frontend Transport; Mon, 15 Jan 2024 10:12:43 +0000",
      "by 2002:a05:6a10:a184:b0:5a8:4b1c:c9d0 with SMTP id g4csp1234567pxz; Mon, 15 Jan 2024 02:20:05 -0800 (PST)",
      "from pc (unknown [IPv6:2001:db8::25]) by mx; 14 Jan 03 09:15 PDT");
  private static final String ALPHABET = "()[];:@<>=.,- \t\r\n\"\\/+fromby1234567890abcdefIPv6:xyz\u00e9\u0000\u202e";

  @Test
  void mutatedRealLinesNeverThrow() {
    Random random = new Random(20240115L);
    for (int round = 0; round < 5_000; round++) {
      String seed = SEEDS.get(random.nextInt(SEEDS.size()));
      String input = mutate(seed, random);
      assertThatCode(() -> ReceivedParser.parseOrThrow(input)).as(input).doesNotThrowAnyException();
      assertThatCode(() -> MailDates.parse(input)).as(input).doesNotThrowAnyException();
    }
  }

  @Test
  void randomTextNeverThrows() {
    Random random = new Random(7L);
    for (int round = 0; round < 5_000; round++) {
      StringBuilder sb = new StringBuilder();
      int length = random.nextInt(200);
      for (int i = 0; i < length; i++) {
        sb.append(random.nextInt(8) == 0 ? (char) random.nextInt(0x3000) : ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      String input = sb.toString();
      assertThatCode(() -> ReceivedParser.parseOrThrow(input)).as(input).doesNotThrowAnyException();
    }
  }

  @Test
  void pathologicalNestingAndLengthAreHandled() {
    String deep = "from " + "(".repeat(50_000) + " by x; Mon, 15 Jan 2024 10:00:00 +0000";
    String closers = "from a " + ")".repeat(50_000) + " by b";
    String semis = ";".repeat(50_000);

    for (String input : List.of(deep, closers, semis)) {
      ReceivedHop hop = ReceivedParser.parseOrThrow(input);
      assertThat(hop.raw().length()).isLessThanOrEqualTo(ReceivedParser.MAX_LENGTH);
    }
  }

  private static String mutate(String seed, Random random) {
    StringBuilder sb = new StringBuilder(seed);
    int edits = 1 + random.nextInt(8);
    for (int i = 0; i < edits && sb.length() > 0; i++) {
      int at = random.nextInt(sb.length());
      switch (random.nextInt(4)) {
        case 0 -> sb.deleteCharAt(at);
        case 1 -> sb.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        case 2 -> sb.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        default -> {
          int end = Math.min(sb.length(), at + random.nextInt(20));
          sb.insert(random.nextInt(sb.length()), sb.substring(at, end));
        }
      }
    }
    return sb.toString();
  }
}
