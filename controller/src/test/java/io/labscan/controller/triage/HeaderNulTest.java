package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue #15, red-team round 4, F7: a worm controls its own header bytes, so no single byte it can
 * write may make its mail unreadable. Whether input is mail is decided by "is there a header
 * block?" (the first lines parse as fields), not by "is there any NUL?"; NUL bytes in a header
 * section are replaced and the answer says so, while real binary input is still refused.
 */
class HeaderNulTest {
  private static final String NUL_WARNING = "the header section contains NUL bytes (not valid mail; replaced";

  @Test
  void aNulInTheWormsHeloStillTracesTheClientOurMxRecordedWithAWarning() {
    ParsedComplaint c = Corpus.parse("nul-in-helo.eml", "mx.campus.example.edu");

    assertThat(c.origin()).as("warnings %s", c.warnings()).isPresent();
    assertThat(c.origin().get().ip()).isEqualTo("10.20.3.17");
    assertThat(c.warnings()).anySatisfy(w -> assertThat(w).contains(NUL_WARNING));
  }

  @Test
  void aNulInTheSubjectOfAForwardedWormMailStillTracesTheAttachedMessage() {
    ParsedComplaint c = Corpus.parse("fwd-attached-nul-in-inner-subject.eml", "mx.campus.example.edu");

    assertThat(c.origin()).as("warnings %s", c.warnings()).isPresent();
    assertThat(c.origin().get().ip()).isEqualTo("10.20.3.17");
    assertThat(c.tracedPart()).contains("attachment 1");
    assertThat(c.warnings()).anySatisfy(w -> assertThat(w).contains(NUL_WARNING));
  }

  @Test
  void manyNulsInAFieldNameAndValueOfAShortHeaderDoNotMakeTheMailBinary() throws Exception {
    // A short header where the worm's NULs are more than 1 % of the bytes, one inside a field name.
    String nuls = "\0".repeat(40);
    byte[] mail = String.join("\r\n",
        "Received: from PC17 (unknown [10.20.3.17])",
        "\tby mx.campus.example.edu (Postfix) with SMTP id 9A1B2C3D4E",
        "\tfor <carol@campus.example.edu>; Mon, 07 Dec 2026 16:40:11 +0000 (UTC)",
        "X-Mai\0ler: " + nuls,
        "From: \"Harold\" <harold@campus.example.edu>",
        "Subject: a funny" + nuls + " game",
        "",
        "Hi.",
        "").getBytes(StandardCharsets.ISO_8859_1);

    ParsedComplaint c = ComplaintParser.parse(mail, TrustConfig.of(List.of("mx.campus.example.edu")));

    assertThat(c.origin()).as("warnings %s", c.warnings()).isPresent();
    assertThat(c.origin().get().ip()).isEqualTo("10.20.3.17");
    assertThat(c.subject()).hasValueSatisfying(s -> assertThat(s).doesNotContain("\0").contains("a funny"));
    assertThat(c.warnings()).anySatisfy(w -> assertThat(w).contains(NUL_WARNING));
  }

  @Test
  void aNulOnlyInTheBodyNeedsNoWarning() {
    byte[] mail = ("Received: from PC17 (unknown [10.20.3.17])\r\n"
        + "\tby mx.campus.example.edu (Postfix) with SMTP id 9A1B2C3D4E;\r\n"
        + "\tMon, 07 Dec 2026 16:40:11 +0000 (UTC)\r\n"
        + "From: harold@campus.example.edu\r\nSubject: a funny game\r\n\r\nHi.\0\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);

    ParsedComplaint c = parse(mail);

    assertThat(c.origin()).isPresent();
    assertThat(c.warnings()).noneSatisfy(w -> assertThat(w).contains("NUL"));
  }

  @Test
  void aJpegIsStillRefusedAsBinaryData() {
    byte[] jpeg = bytes(0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x01, 0x00, 0x48,
        0x00, 0x48, 0x00, 0x00, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08, '\n', 'X');

    assertRefusedAsBinary(jpeg);
  }

  @Test
  void aZipArchiveIsStillRefusedAsBinaryData() {
    byte[] zip = bytes('P', 'K', 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x21, 0x4C, 0x87, 0x59, 0x00,
        0x00, 0x00, 0x00, 0x0B, 0x00, 0x00, 0x00, 'r', 'e', 'a', 'd', 'm', 'e', '.', 'e', 'x', 'e', '\n', 0x00);

    assertRefusedAsBinary(zip);
  }

  @Test
  void randomBytesAreStillRefusedAsBinaryData() {
    Random random = new Random(15L);
    for (int round = 0; round < 50; round++) {
      byte[] noise = new byte[4096];
      random.nextBytes(noise);
      noise[0] = (byte) 0x9c; // not white space, not a field name character
      assertRefusedAsBinary(noise);
    }
  }

  @Test
  void aHeaderBlockWhoseFieldNamesAreMostlyBrokenByNulsIsStillNotMail() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      sb.append("Fi\0eld").append(i).append(": value\r\n");
    }
    sb.append("Subject: x\r\n\r\nbody\r\n");

    assertThatThrownBy(() -> ComplaintParser.parse(sb.toString().getBytes(StandardCharsets.ISO_8859_1),
        TrustConfig.none()))
        .isInstanceOf(NotAMailMessageException.class)
        .hasMessageContaining("not a mail message");
  }

  private static void assertRefusedAsBinary(byte[] input) {
    assertThatThrownBy(() -> ComplaintParser.parse(input, TrustConfig.none()))
        .isInstanceOf(NotAMailMessageException.class)
        .hasMessageContaining("binary data")
        .hasMessageContaining("not a mail message");
  }

  private static ParsedComplaint parse(byte[] mail) {
    try {
      return ComplaintParser.parse(mail, TrustConfig.of(List.of("mx.campus.example.edu")));
    } catch (NotAMailMessageException e) {
      throw new AssertionError("rejected: " + e.getMessage(), e);
    }
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }
}
