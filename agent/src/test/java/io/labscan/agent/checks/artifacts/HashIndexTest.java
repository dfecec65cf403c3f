package io.labscan.agent.checks.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.rules.Eicar;
import io.labscan.contract.rules.HashAlgorithm;
import io.labscan.contract.rules.HashSignature;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HashIndexTest {
  private static final String EICAR_SHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
  private final HashIndex index = new HashIndex(List.of(
      new HashSignature(HashAlgorithm.SHA256, EICAR_SHA256, HashSignature.ANY_SIZE, "Eicar-Test-Signature", "test.hsb")));

  @Test
  void theExactDigestMatches() {
    assertThat(index.matches(68, Map.of(HashAlgorithm.SHA256, EICAR_SHA256)))
        .extracting(HashSignature::name).containsExactly("Eicar-Test-Signature");
  }

  @Test
  void aDigestThatSharesOnlyTheFirstSixteenDigitsDoesNotMatch() {
    String sameStart = EICAR_SHA256.substring(0, 16) + "0".repeat(48);

    assertThat(index.matches(68, Map.of(HashAlgorithm.SHA256, sameStart))).isEmpty();
  }

  @Test
  void textThatIsNotLowerCaseHexMatchesNothing() {
    assertThat(index.matches(68, Map.of(HashAlgorithm.SHA256, EICAR_SHA256.toUpperCase()))).isEmpty();
    assertThat(index.matches(68, Map.of(HashAlgorithm.SHA256, "zz"))).isEmpty();
  }
}
