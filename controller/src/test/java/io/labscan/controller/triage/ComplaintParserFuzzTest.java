package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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
      "headers-only-paste.txt", "spf-disagrees.eml", "fwd-attached-nested-3.eml",
      "fwd-attached-of-bounce.eml", "fwd-inline-quoted-twice.eml", "fwd-inline-outlook-nested.eml",
      "paste-gmail-show-original.txt", "paste-outlook-internet-headers.txt", "arf-source-ip-deeper.eml",
      "amavis-reinjection.eml");
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

  @Test
  void forwardsNestedDeeperThanTheLimitAreCutOffWithAWarning() throws Exception {
    byte[] msg = Corpus.bytes("postfix-single-hop.eml");
    for (int level = 0; level < 40; level++) {
      msg = forwardOf(msg, level);
    }

    ParsedComplaint c = ComplaintParser.parse(msg, TrustConfig.none());

    assertThat(c.origin()).isEmpty();
    assertThat(c.warnings()).anyMatch(w -> w.contains("nested more than " + ComplaintParser.MAX_FORWARD_DEPTH));
    assertThat(c.tracedPart().split("; in it, ")).hasSize(ComplaintParser.MAX_FORWARD_DEPTH + 1);
  }

  @Test
  void inlineForwardsNestedThousandsDeepAreCutOffWithAWarning() throws Exception {
    StringBuilder sb = new StringBuilder("From: a@example.net\nTo: b@example.edu\nSubject: FW: x\n\n");
    for (int i = 0; i < 5000; i++) {
      sb.append("-----Original Message-----\nFrom: u").append(i).append("@example.net\nSubject: FW: x\n\n");
    }

    ParsedComplaint c = ComplaintParser.parse(sb.toString().getBytes(StandardCharsets.ISO_8859_1), TrustConfig.none());

    assertThat(c.origin()).isEmpty();
    assertThat(c.warnings()).anyMatch(w -> w.contains("nested more than"));
    assertThat(c.warnings().size()).isLessThanOrEqualTo(c.hops().size() + 16);
  }

  private static byte[] forwardOf(byte[] inner, int level) {
    String head = "From: fwd" + level + "@example.org\r\nTo: abuse@example.edu\r\nSubject: Fwd: x\r\n"
        + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"L" + level + "\"\r\n\r\n"
        + "--L" + level + "\r\nContent-Type: message/rfc822\r\n\r\n";
    String tail = "\r\n--L" + level + "--\r\n";
    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
    byte[] t = tail.getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[h.length + inner.length + t.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(inner, 0, out, h.length, inner.length);
    System.arraycopy(t, 0, out, h.length + inner.length, t.length);
    return out;
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
