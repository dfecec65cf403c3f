package io.labscan.contract.harvest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AddressDigestTest {
  private static final byte[] KEY = "k".getBytes(StandardCharsets.US_ASCII);

  @Test
  void normalizationTrimsStripsAngleBracketsAndLowerCases() {
    assertThat(AddressDigest.normalize("  <HAROLD@Lab.Example.edu> "))
        .isEqualTo("harold@lab.example.edu");
    assertThat(AddressDigest.normalize("< harold@lab.example.edu >"))
        .isEqualTo("harold@lab.example.edu");
  }

  @Test
  void normalizationLeavesDisplayNamesAlone() {
    // Callers extract the address; the digest does not parse "Name <addr>" forms.
    assertThat(AddressDigest.normalize("Harold <harold@x>")).isEqualTo("harold <harold@x>");
  }

  @Test
  void lowerCasingIsLocaleIndependent() {
    assertThat(AddressDigest.normalize("IRMA@X.EDU")).isEqualTo("irma@x.edu");
  }

  @Test
  void spellingsOfOneAddressShareADigest() {
    assertThat(AddressDigest.digest(KEY, "<Harold@LAB.example.edu>"))
        .isEqualTo(AddressDigest.digest(KEY, "harold@lab.example.edu"))
        .hasSize(AddressDigest.DIGEST_BYTES);
  }

  @Test
  void digestIsStandardHmacSha256OverTheNormalizedAddress() {
    // RFC 4231 test case 2 (its data is already in normalized form).
    byte[] digest = AddressDigest.digest("Jefe".getBytes(StandardCharsets.US_ASCII),
        "what do ya want for nothing?");

    assertThat(HexFormat.of().formatHex(digest))
        .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }

  @Test
  void differentKeysGiveDifferentDigests() {
    assertThat(AddressDigest.digest(KEY, "a@b.c"))
        .isNotEqualTo(AddressDigest.digest("other".getBytes(StandardCharsets.US_ASCII), "a@b.c"));
  }

  @Test
  void emptyKeyIsRefused() {
    assertThatThrownBy(() -> AddressDigest.digest(new byte[0], "a@b.c"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
