package io.labscan.agent.checks.av.clamav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CvdHeaderTest {
  private static final Instant BUILT = Instant.parse("2026-11-26T09:41:00Z");

  @Test
  void wellFormedHeaderYieldsEveryField() {
    CvdHeader.Result result = CvdHeader.parse(CvdFixtures.database(27470, BUILT));

    assertThat(result).isInstanceOf(CvdHeader.Parsed.class);
    CvdHeader header = ((CvdHeader.Parsed) result).header();
    assertThat(header.version()).isEqualTo(27470);
    assertThat(header.signatures()).isEqualTo(2077145);
    assertThat(header.functionalityLevel()).isEqualTo(90);
    assertThat(header.builder()).isEqualTo("raynman");
    assertThat(header.buildTime()).isEqualTo(BUILT);
    assertThat(header.buildTimeText()).isEqualTo("26 Nov 2026 09-41 +0000");
  }

  @Test
  void headerWithoutUnixTimeFallsBackToTheTextTime() {
    byte[] header = CvdFixtures.padded(
        "ClamAV-VDB:07 Mar 2017 08-02 -0500:23185:1758089:63:md5:dsig:neo");

    CvdHeader.Result result = CvdHeader.parse(header);

    assertThat(((CvdHeader.Parsed) result).header().buildTime())
        .isEqualTo(Instant.parse("2017-03-07T13:02:00Z"));
  }

  @Test
  void emptyInputIsMalformed() {
    assertThat(CvdHeader.parse(new byte[0]))
        .isEqualTo(new CvdHeader.Malformed("empty file"));
    assertThat(CvdHeader.parse(null)).isEqualTo(new CvdHeader.Malformed("empty file"));
  }

  @Test
  void truncatedHeaderIsMalformedWithItsLength() {
    byte[] truncated = Arrays.copyOf(CvdFixtures.database(1, BUILT), 100);

    assertThat(CvdHeader.parse(truncated))
        .isEqualTo(new CvdHeader.Malformed("header truncated: 100 of 512 bytes"));
  }

  @Test
  void textWithoutTheClamAvSignatureIsMalformed() {
    CvdHeader.Result result = CvdHeader.parse(CvdFixtures.padded("<html>not a database"));

    assertThat(((CvdHeader.Malformed) result).problem()).contains("no ClamAV-VDB:");
  }

  @Test
  void binaryGarbageIsMalformedNamingTheOffendingByte() {
    byte[] garbage = new byte[CvdHeader.LENGTH];
    garbage[0] = (byte) 0x89;
    garbage[1] = 'P';

    assertThat(((CvdHeader.Malformed) CvdHeader.parse(garbage)).problem())
        .isEqualTo("not a ClamAV database header (byte 0x89 at offset 0)");
  }

  @Test
  void nonNumericVersionIsMalformed() {
    String text = CvdFixtures.headerText(27470, BUILT).replace(":27470:", ":27x70:");

    assertThat(((CvdHeader.Malformed) CvdHeader.parse(CvdFixtures.padded(text))).problem())
        .isEqualTo("version is not a number: '27x70'");
  }

  @Test
  void nonNumericBuildTimeIsMalformed() {
    String text = CvdFixtures.headerText(27470, BUILT)
        .replace(":" + BUILT.getEpochSecond(), ":yesterday");

    assertThat(((CvdHeader.Malformed) CvdHeader.parse(CvdFixtures.padded(text))).problem())
        .isEqualTo("build time is not a Unix time: 'yesterday'");
  }

  @Test
  void negativeSignatureCountIsMalformed() {
    String text = CvdFixtures.headerText(27470, BUILT).replace(":2077145:", ":-5:");

    assertThat(((CvdHeader.Malformed) CvdHeader.parse(CvdFixtures.padded(text))).problem())
        .startsWith("signature count is not a number");
  }

  @Test
  void headerWithTooFewFieldsIsMalformed() {
    assertThat(((CvdHeader.Malformed) CvdHeader.parse(
        CvdFixtures.padded("ClamAV-VDB:07 Mar 2017 08-02 -0500:23185"))).problem())
        .isEqualTo("header has 2 fields after ClamAV-VDB:, expected at least 7");
  }

  @Test
  void anyBytesGiveAResultAndNeverAnException() {
    Random random = new Random(20261127L);
    byte[] valid = CvdFixtures.padded(CvdFixtures.headerText(27470, BUILT));
    for (int i = 0; i < 5_000; i++) {
      byte[] input = i % 2 == 0 ? mutate(valid, random) : randomBytes(random);
      assertThatCode(() -> assertThat(CvdHeader.parse(input)).isNotNull())
          .as("input %s", new String(input, StandardCharsets.ISO_8859_1))
          .doesNotThrowAnyException();
    }
  }

  private static byte[] mutate(byte[] valid, Random random) {
    byte[] copy = valid.clone();
    for (int n = random.nextInt(4) + 1; n > 0; n--) {
      int at = random.nextInt(120);
      copy[at] = (byte) (random.nextBoolean() ? ':' : random.nextInt(256));
    }
    return random.nextInt(10) == 0 ? Arrays.copyOf(copy, random.nextInt(copy.length)) : copy;
  }

  private static byte[] randomBytes(Random random) {
    byte[] bytes = new byte[random.nextInt(700)];
    random.nextBytes(bytes);
    return bytes;
  }
}
