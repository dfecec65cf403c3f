package io.labscan.contract.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RuleFingerprintTest {

  @Test
  void setsAreTakenInSortedOrderSoEveryJvmAgrees() {
    // Set.of iterates in a per-JVM random order; the scan worker is another JVM.
    assertThat(RuleFingerprint.canonical(Set.of("pif", "exe", "scr")))
        .isEqualTo(RuleFingerprint.canonical(new LinkedHashSet<>(List.of("scr", "exe", "pif"))))
        .isEqualTo("{exe,pif,scr}");
  }

  @Test
  void theSameRulesGiveTheSameFingerprint() {
    assertThat(RuleSet.builtIn().fingerprint()).isEqualTo(RuleSet.builtIn().fingerprint());
  }

  @Test
  void anAddedSignatureChangesTheFingerprint() throws Exception {
    Signatures extra = Signatures.load("local.hsb", new ByteArrayInputStream(
        (Eicar.SHA256 + ":68:Local.Copy:73\n").getBytes(StandardCharsets.US_ASCII)));

    assertThat(RuleSet.builtIn().withSignatures(extra).fingerprint()).isNotEqualTo(RuleSet.builtIn().fingerprint());
  }
}
