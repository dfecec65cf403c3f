package io.labscan.controller.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.agent.trust.CertificateRequests;
import io.labscan.contract.trust.Certificates;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

/** Certificate signing requests are endpoint input: only a well-formed, self-signed request for the host passes. */
class SigningRequestsTest {
  private static final String HOST = "2f1c0e5e-8b7a-4c1e-9a57-1f0c7a3d9e11";

  @Test
  void aRequestForTheHostSignedByItsKeyYieldsThatKey() throws Exception {
    KeyPair keys = Certificates.newKeyPair();

    assertThat(SigningRequests.verify(CertificateRequests.create(keys, HOST), HOST).getEncoded())
        .isEqualTo(keys.getPublic().getEncoded());
  }

  @Test
  void bytesThatAreNotARequestAreRefused() {
    assertThatThrownBy(() -> SigningRequests.verify(new byte[] {0x30, 0x03, 0x02, 0x01, 0x07}, HOST))
        .isInstanceOf(SigningRequests.InvalidRequest.class)
        .hasMessageStartingWith("csr_der:");
  }

  @Test
  void aRequestNamingAnotherHostIsRefused() {
    byte[] csr = CertificateRequests.create(Certificates.newKeyPair(), "9d6f3a1e-0000-4000-8000-000000000001");

    assertThatThrownBy(() -> SigningRequests.verify(csr, HOST)).hasMessageContaining("CN=" + HOST);
  }

  @Test
  void aRequestWithATamperedSignatureIsRefused() {
    byte[] csr = CertificateRequests.create(Certificates.newKeyPair(), HOST);
    csr[csr.length - 3] ^= 0x01;

    assertThatThrownBy(() -> SigningRequests.verify(csr, HOST)).isInstanceOf(SigningRequests.InvalidRequest.class);
  }

  @Test
  void aRequestForAnRsaKeyIsRefused() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair keys = rsa.generateKeyPair();
    byte[] csr = new JcaPKCS10CertificationRequestBuilder(Certificates.commonNameSubject(HOST), keys.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())).getEncoded();

    assertThatThrownBy(() -> SigningRequests.verify(csr, HOST)).hasMessageContaining("P-256");
  }

  @Test
  void anOversizedRequestIsRefusedBeforeParsing() {
    assertThatThrownBy(() -> SigningRequests.verify(new byte[SigningRequests.MAX_DER + 1], HOST))
        .hasMessageContaining("longer than");
  }
}
