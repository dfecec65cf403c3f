package io.labscan.contract.enrolment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EnrolmentTokenTest {
  private static final String FINGERPRINT = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg";

  @Test
  void aTokenReadsBackFromItsText() {
    EnrolmentToken token = EnrolmentToken.generate(FINGERPRINT);

    assertThat(EnrolmentToken.parse("  " + token.text() + "\n")).isEqualTo(token);
    assertThat(token.text()).startsWith("LS1." + token.tokenId() + ".").endsWith("." + FINGERPRINT);
  }

  @Test
  void itsPrintedFormNeverShowsTheSecret() {
    EnrolmentToken token = EnrolmentToken.generate(FINGERPRINT);

    assertThat(token.toString()).doesNotContain(token.secret()).contains(token.tokenId());
  }

  @Test
  void textThatIsNotATokenIsRefusedWithoutRepeatingIt() {
    String pasted = "LS1.0a1b2c3d4e5f.this-secret-is-too-short." + FINGERPRINT;

    assertThatThrownBy(() -> EnrolmentToken.parse(pasted))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("secret")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("this-secret-is-too-short"));
  }

  @Test
  void anotherFormatVersionIsRefused() {
    String v2 = EnrolmentToken.generate(FINGERPRINT).text().replaceFirst("^LS1", "LS2");

    assertThatThrownBy(() -> EnrolmentToken.parse(v2)).hasMessageContaining("not a LabScan enrolment token");
  }

  @Test
  void twoTokensForTheSameCaShareNothingButThePin() {
    EnrolmentToken a = EnrolmentToken.generate(FINGERPRINT);
    EnrolmentToken b = EnrolmentToken.generate(FINGERPRINT);

    assertThat(a.tokenId()).isNotEqualTo(b.tokenId());
    assertThat(a.secret()).isNotEqualTo(b.secret());
  }
}
