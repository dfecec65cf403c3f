package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class HmacTest {

  @Test
  void normalizationTrimsStripsAngleBracketsAndLowerCases() {
    assertThat(Hmac.normalize("  <Alice@Example.EDU> ")).isEqualTo("alice@example.edu");
    assertThat(Hmac.normalize("bob@example.net")).isEqualTo("bob@example.net");
  }

  @Test
  void digestIsStandardHmacSha256() {
    // RFC 4231 test case 2.
    byte[] digest = Hmac.sha256("Jefe".getBytes(StandardCharsets.US_ASCII), "what do ya want for nothing?");

    assertThat(HexFormat.of().formatHex(digest))
        .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }

  @Test
  void sameAddressInAnotherSpellingGivesTheSameDigestAfterNormalization() {
    byte[] key = "k".getBytes(StandardCharsets.US_ASCII);

    assertThat(Hmac.sha256(key, Hmac.normalize("<Bob@Example.NET>")))
        .isEqualTo(Hmac.sha256(key, Hmac.normalize("bob@example.net")));
  }

  @Test
  void emptyKeyIsRejected() {
    assertThatThrownBy(() -> Hmac.sha256(new byte[0], "a@example.edu"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
