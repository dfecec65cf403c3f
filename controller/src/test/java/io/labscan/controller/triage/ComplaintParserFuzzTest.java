package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile complaints: mutated corpus files either parse or are rejected as not mail, with
 * no other exception. Seeded, so a failure reproduces.
 */
class ComplaintParserFuzzTest {
  private static final List<String> FILES = List.of(
      "postfix-relay-chain.eml", "exchange-online-multihop.eml", "gmail-submission.eml",
      "qmail-invoked.eml", "bounce-postfix-rfc822.eml", "bounce-rfc822-headers-ipv6.eml",
      "bounce-qmail-plain.eml", "arf-report.eml", "arf-source-ip-disagrees.eml",
      "headers-only-paste.txt", "spf-disagrees.eml");
  private static final byte[] INTERESTING = "\r\n\t :;()[]<>=-\"\0\u00ff--boundary".getBytes(
      java.nio.charset.StandardCharsets.ISO_8859_1);

  @Test
  void mutatedComplaintsParseOrAreRejectedAsNotMail() {
    Random random = new Random(3464L);
    for (String file : FILES) {
      byte[] original = Corpus.bytes(file);
      for (int round = 0; round < 60; round++) {
        byte[] input = mutate(original, random);
        try {
          ParsedComplaint c = ComplaintParser.parse(input, TrustConfig.of(List.of("198.51.100.0/24")));
          assertThat(c.hops()).allSatisfy(h -> assertThat(h.hop().raw()).isNotNull());
        } catch (NotAMailMessageException expected) {
          assertThat(expected.getMessage()).contains("not");
        } catch (RuntimeException e) {
          throw new AssertionError(file + " round " + round + " threw", e);
        }
      }
    }
  }

  private static byte[] mutate(byte[] in, Random random) {
    byte[] b = in.clone();
    int kind = random.nextInt(4);
    if (kind == 0) {
      // truncate anywhere
      return java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
    }
    int edits = 1 + random.nextInt(kind == 1 ? 3 : 40);
    for (int i = 0; i < edits; i++) {
      int at = random.nextInt(b.length);
      b[at] = random.nextBoolean() ? INTERESTING[random.nextInt(INTERESTING.length)] : (byte) random.nextInt(256);
    }
    if (kind == 3) {
      // splice a chunk of the file into another place (duplicated boundaries, headers …)
      int from = random.nextInt(b.length);
      int len = Math.min(b.length - from, random.nextInt(400));
      int to = random.nextInt(b.length);
      byte[] out = new byte[b.length + len];
      System.arraycopy(b, 0, out, 0, to);
      System.arraycopy(b, from, out, to, len);
      System.arraycopy(b, to, out, to + len, b.length - to);
      return out;
    }
    return b;
  }
}
