package io.labscan.agent.trust;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.trust.Certificates;
import java.io.IOException;
import java.security.KeyPair;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** PKCS#10 certificate signing requests, signed with the JDK's own EC implementation. */
public final class CertificateRequests {
  private CertificateRequests() {}

  /** A DER-encoded request for {@code keys}, subject {@code CN=<hostId>}. */
  public static byte[] create(KeyPair keys, String hostId) {
    requireNonNull(keys, "keys");
    requireNonNull(hostId, "hostId");
    try {
      return new JcaPKCS10CertificationRequestBuilder(Certificates.commonNameSubject(hostId), keys.getPublic())
          .build(new JcaContentSignerBuilder(Certificates.SIGNATURE).build(keys.getPrivate()))
          .getEncoded();
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException("Cannot build a certificate signing request: " + e.getMessage(), e);
    }
  }
}
