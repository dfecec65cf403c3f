package io.labscan.agent.checks.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.rules.BodySignature;
import io.labscan.contract.rules.ClamAvParser;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BodyMatcherTest {

  private static BodyMatcher matcher(String... ndbLines) throws Exception {
    List<BodySignature> sigs = new ArrayList<>();
    for (int i = 0; i < ndbLines.length; i++) {
      sigs.add(ClamAvParser.ndbLine("t.ndb", i + 1, ndbLines[i]));
    }
    return new BodyMatcher(sigs);
  }

  private static boolean matches(String offset, String hexSig, String dataHex) throws Exception {
    byte[] data = HexFormat.of().parseHex(dataHex.replace(" ", ""));
    BodyMatcher.Result r = matcher("T:0:" + offset + ":" + hexSig).scan(data, data.length);
    assertThat(r.gaveUp()).isFalse();
    return !r.matches().isEmpty();
  }

  @Test
  void fixedBytesAreFoundAnywhere() throws Exception {
    assertThat(matches("*", "aabbcc", "00 11 aa bb cc 22")).isTrue();
    assertThat(matches("*", "aabbcc", "00 11 aa bb cd 22")).isFalse();
  }

  @Test
  void signatureAtTheVeryStartAndEndOfTheFileIsFound() throws Exception {
    assertThat(matches("*", "aabb", "aa bb 00")).isTrue();
    assertThat(matches("*", "aabb", "00 aa bb")).isTrue();
  }

  @Test
  void doubleQuestionMarkMatchesAnyOneByte() throws Exception {
    assertThat(matches("*", "aabb??dd", "aa bb 77 dd")).isTrue();
    assertThat(matches("*", "aabb??dd", "aa bb dd")).isFalse();
  }

  @Test
  void nibbleWildcardsMatchHalfAByte() throws Exception {
    assertThat(matches("*", "aabbc?", "aa bb c7")).isTrue();
    assertThat(matches("*", "aabbc?", "aa bb d7")).isFalse();
    assertThat(matches("*", "aabb?7", "aa bb e7")).isTrue();
    assertThat(matches("*", "aabb?7", "aa bb e8")).isFalse();
  }

  @Test
  void starGapAllowsAnyDistanceIncludingNone() throws Exception {
    assertThat(matches("*", "aabb*ccdd", "aa bb cc dd")).isTrue();
    assertThat(matches("*", "aabb*ccdd", "aa bb 00 00 00 00 cc dd")).isTrue();
    assertThat(matches("*", "aabb*ccdd", "cc dd aa bb")).isFalse();
  }

  @Test
  void exactGapNeedsExactlyThatManyBytes() throws Exception {
    assertThat(matches("*", "aabb{2}ccdd", "aa bb 00 00 cc dd")).isTrue();
    assertThat(matches("*", "aabb{2}ccdd", "aa bb 00 cc dd")).isFalse();
    assertThat(matches("*", "aabb{2}ccdd", "aa bb 00 00 00 cc dd")).isFalse();
  }

  @Test
  void rangeGapAcceptsEveryDistanceInTheRange() throws Exception {
    assertThat(matches("*", "aabb{1-3}ccdd", "aa bb 00 cc dd")).isTrue();
    assertThat(matches("*", "aabb{1-3}ccdd", "aa bb 00 00 00 cc dd")).isTrue();
    assertThat(matches("*", "aabb{1-3}ccdd", "aa bb cc dd")).isFalse();
    assertThat(matches("*", "aabb{1-3}ccdd", "aa bb 00 00 00 00 cc dd")).isFalse();
  }

  @Test
  void upToGapAcceptsZeroToN() throws Exception {
    assertThat(matches("*", "aabb{-2}ccdd", "aa bb cc dd")).isTrue();
    assertThat(matches("*", "aabb{-2}ccdd", "aa bb 00 00 cc dd")).isTrue();
    assertThat(matches("*", "aabb{-2}ccdd", "aa bb 00 00 00 cc dd")).isFalse();
  }

  @Test
  void atLeastGapAcceptsNOrMore() throws Exception {
    assertThat(matches("*", "aabb{2-}ccdd", "aa bb 00 00 00 00 00 cc dd")).isTrue();
    assertThat(matches("*", "aabb{2-}ccdd", "aa bb 00 cc dd")).isFalse();
  }

  @Test
  void boundedGapsConsiderEveryPlacementNotJustTheFirst() throws Exception {
    // The first b1 (at 3) leaves c1c2 one byte short; only the second (at 4) completes it.
    assertThat(matches("*", "a1a2{1-2}b1{1}c1c2", "a1 a2 00 b1 b1 00 c1 c2")).isTrue();
    // Same before the anchor: the backward search must keep both candidates for "11".
    assertThat(matches("*", "11{0-1}22{1}3344", "11 11 22 00 33 44")).isTrue();
    assertThat(matches("*", "11{0-1}22{1}3344", "11 00 00 22 00 33 44")).isFalse();
  }

  @Test
  void absoluteOffsetMatchesOnlyThere() throws Exception {
    assertThat(matches("2", "aabb", "00 00 aa bb")).isTrue();
    assertThat(matches("2", "aabb", "00 00 00 aa bb")).isFalse();
  }

  @Test
  void offsetWithShiftAllowsThatMuchSlack() throws Exception {
    assertThat(matches("1,2", "aabb", "00 00 00 aa bb")).isTrue();
    assertThat(matches("1,2", "aabb", "00 00 00 00 aa bb")).isFalse();
  }

  @Test
  void endOfFileOffsetCountsFromTheEnd() throws Exception {
    assertThat(matches("EOF-3", "aabb", "00 aa bb 00")).isTrue();
    assertThat(matches("EOF-3", "aabb", "aa bb 00 00")).isFalse();
    assertThat(matches("EOF-9", "aabb", "aa bb")).isFalse();
  }

  @Test
  void fixedOffsetSignaturesMayHaveGapsToo() throws Exception {
    assertThat(matches("0", "4d5a*50450000", "4d 5a 90 00 03 50 45 00 00")).isTrue();
  }

  @Test
  void peTargetOnlyMatchesFilesWithAnMzHeader() throws Exception {
    BodyMatcher m = matcher("T:1:*:cafebabe");
    byte[] pe = HexFormat.of().parseHex("4d5a00cafebabe");
    byte[] text = HexFormat.of().parseHex("000000cafebabe");

    assertThat(m.scan(pe, pe.length).matches()).hasSize(1);
    assertThat(m.scan(text, text.length).matches()).isEmpty();
  }

  @Test
  void manySignaturesAreMatchedInOnePassEachAtMostOnce() throws Exception {
    BodyMatcher m = matcher("One:0:*:aabb", "Two:0:*:bbcc", "Three:0:*:ddee");
    byte[] data = HexFormat.of().parseHex("aabbccaabbcc");

    assertThat(m.scan(data, data.length).matches()).extracting(BodySignature::name)
        .containsExactlyInAnyOrder("One", "Two");
  }

  @Test
  void onlyTheGivenLengthOfTheBufferIsScanned() throws Exception {
    byte[] data = HexFormat.of().parseHex("0000aabb");

    assertThat(matcher("T:0:*:aabb").scan(data, 3).matches()).isEmpty();
  }

  @Test
  void pathologicalInputExhaustsTheBudgetInsteadOfStallingTheScan() throws Exception {
    BodyMatcher m = matcher("T:0:*:0000{0-60000}0000{0-60000}0101");
    byte[] zeros = new byte[1 << 20];

    BodyMatcher.Result r = m.scan(zeros, zeros.length);

    assertThat(r.gaveUp()).isTrue();
    assertThat(r.matches()).isEmpty();
  }

  @Test
  void longStarChainsOverRepetitiveDataStillComplete() throws Exception {
    BodyMatcher m = matcher("T:0:*:aabb*ccdd*eeff");
    byte[] data = new byte[1 << 20];
    for (int i = 0; i + 1 < data.length - 4; i += 2) {
      data[i] = (byte) 0xaa;
      data[i + 1] = (byte) 0xbb;
    }

    BodyMatcher.Result none = m.scan(data, data.length);
    data[data.length - 4] = (byte) 0xcc;
    data[data.length - 3] = (byte) 0xdd;
    data[data.length - 2] = (byte) 0xee;
    data[data.length - 1] = (byte) 0xff;
    BodyMatcher.Result found = m.scan(data, data.length);

    assertThat(none.gaveUp()).isFalse();
    assertThat(none.matches()).isEmpty();
    assertThat(found.gaveUp()).isFalse();
    assertThat(found.matches()).hasSize(1);
  }

  /** Random small signatures on random small data agree with a brute-force reference. */
  @Test
  void agreesWithBruteForceOnRandomSignaturesAndData() throws Exception {
    Random random = new Random(20020406);
    int compared = 0;
    int matched = 0;
    for (int round = 0; round < 3000; round++) {
      Sig sig = Sig.random(random);
      byte[] data = new byte[random.nextInt(24)];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) random.nextInt(3);
      }
      String offset = random.nextInt(3) == 0 ? Integer.toString(random.nextInt(6)) : "*";
      BodySignature compiled;
      try {
        compiled = ClamAvParser.ndbLine("r.ndb", 1, "R:0:" + offset + ":" + sig.text);
      } catch (ClamAvParser.Unsupported e) {
        continue; // no two-byte anchor for a floating signature
      }
      boolean expected = sig.bruteForce(data, offset);
      boolean actual = !new BodyMatcher(List.of(compiled)).scan(data, data.length).matches().isEmpty();
      assertThat(actual).as("signature %s offset %s on %s", sig.text, offset, HexFormat.of().formatHex(data))
          .isEqualTo(expected);
      compared++;
      matched += expected ? 1 : 0;
    }
    assertThat(compared).isGreaterThan(1000);
    assertThat(matched).isBetween(100, compared - 100); // both outcomes well represented
  }

  /** A random signature over bytes 00-02 and its meaning, for the brute-force reference. */
  private record Sig(String text, List<int[]> segments, List<long[]> gaps) {
    static Sig random(Random r) {
      StringBuilder text = new StringBuilder();
      List<int[]> segments = new ArrayList<>();
      List<long[]> gaps = new ArrayList<>();
      int count = 1 + r.nextInt(3);
      for (int s = 0; s < count; s++) {
        if (s > 0) {
          long[] gap = switch (r.nextInt(5)) {
            case 0 -> new long[] {0, Long.MAX_VALUE};
            case 1 -> {
              int n = r.nextInt(3);
              yield new long[] {n, n};
            }
            case 2 -> {
              int lo = r.nextInt(3);
              yield new long[] {lo, lo + r.nextInt(3)};
            }
            case 3 -> new long[] {0, r.nextInt(3)};
            default -> new long[] {r.nextInt(3), Long.MAX_VALUE};
          };
          gaps.add(gap);
          text.append(gap[1] == Long.MAX_VALUE && gap[0] == 0 ? "*"
              : gap[1] == Long.MAX_VALUE ? "{" + gap[0] + "-}"
              : gap[0] == 0 && r.nextBoolean() ? "{-" + gap[1] + "}"
              : gap[0] == gap[1] ? "{" + gap[0] + "}" : "{" + gap[0] + "-" + gap[1] + "}");
        }
        int len = 1 + r.nextInt(3);
        int[] seg = new int[len];
        for (int i = 0; i < len; i++) {
          seg[i] = r.nextInt(5) == 0 ? -1 : r.nextInt(3);
          text.append(seg[i] < 0 ? "??" : String.format("%02x", seg[i]));
        }
        segments.add(seg);
      }
      return new Sig(text.toString(), segments, gaps);
    }

    boolean bruteForce(byte[] data, String offset) {
      for (int start = 0; start <= data.length; start++) {
        if (!offset.equals("*") && start != Integer.parseInt(offset)) {
          continue;
        }
        if (from(data, 0, start)) {
          return true;
        }
      }
      return false;
    }

    private boolean from(byte[] data, int segment, int pos) {
      int[] seg = segments.get(segment);
      if (pos + seg.length > data.length) {
        return false;
      }
      for (int i = 0; i < seg.length; i++) {
        if (seg[i] >= 0 && data[pos + i] != seg[i]) {
          return false;
        }
      }
      int end = pos + seg.length;
      if (segment == segments.size() - 1) {
        return true;
      }
      long[] gap = gaps.get(segment);
      for (long g = gap[0]; g <= Math.min(gap[1], data.length); g++) {
        if (from(data, segment + 1, (int) (end + g))) {
          return true;
        }
      }
      return false;
    }
  }
}
