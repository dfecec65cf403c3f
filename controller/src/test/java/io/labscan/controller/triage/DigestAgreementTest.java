package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.policy.PolicyProvider;
import io.labscan.contract.harvest.AddressDigest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Triage ranks hosts by the digests their agents reported; it only works if the controller
 * digests a complaint's addresses exactly as agents digest harvested ones.
 */
class DigestAgreementTest {
  private static final byte[] FLEET_KEY = "fleet-key-for-the-physics-labs!!".getBytes(StandardCharsets.US_ASCII);

  @Test
  void theClaimedSenderOfAComplaintDigestsToWhatAnAgentHarvestedFromAHeader() throws Exception {
    String complaint = """
        Received: from lab-pc-07 (unknown [10.20.3.17]) by mx.lab.example.edu (Postfix) with SMTP id 4F1;
        \tWed, 25 Nov 2026 10:32:11 +0000 (UTC)
        From: "Harold" <HAROLD@Lab.Example.EDU>
        To: janet@lab.example.edu
        Subject: let's be friends
        Date: Wed, 25 Nov 2026 10:32:09 +0000

        hello
        """;
    ParsedComplaint parsed = ComplaintParser.parse(complaint.getBytes(StandardCharsets.US_ASCII), TrustConfig.none());

    // What an agent reports after reading "Harold <harold@lab.example.edu>" from an address book.
    byte[] agentDigest = AddressDigest.digest(FLEET_KEY, " <harold@lab.example.edu> ");

    assertThat(AddressDigest.digest(FLEET_KEY, parsed.claimedSender().orElseThrow())).isEqualTo(agentDigest);
  }

  @Test
  void theFleetKeyIdIsStableForAKey() {
    assertThat(PolicyProvider.keyId(FLEET_KEY)).isEqualTo(PolicyProvider.keyId(FLEET_KEY.clone())).hasSize(16);
    assertThat(List.of(PolicyProvider.keyId(FLEET_KEY))).doesNotContain(PolicyProvider.keyId(new byte[32]));
  }
}
