package io.labscan.controller.trust;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.trust.Certificates;
import java.io.IOException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Reads an agent's PKCS#10 request as hostile input: it must parse, carry an EC P-256 key,
 * be signed by that key (proof the agent holds it), and name exactly the host id the agent
 * enrols as. Anything else is an {@link InvalidRequest} with the reason.
 */
public final class SigningRequests {
  /** A request for one P-256 key is a few hundred bytes. */
  public static final int MAX_DER = 8 * 1024;

  private SigningRequests() {}

  /** The public key of a verified request. */
  public static PublicKey verify(byte[] der, String expectedHostId) throws InvalidRequest {
    requireNonNull(der, "der");
    requireNonNull(expectedHostId, "expectedHostId");
    if (der.length == 0) {
      throw new InvalidRequest("csr_der: missing");
    }
    if (der.length > MAX_DER) {
      throw new InvalidRequest("csr_der: longer than " + MAX_DER + " bytes");
    }
    JcaPKCS10CertificationRequest csr;
    try {
      csr = new JcaPKCS10CertificationRequest(der);
    } catch (IOException | RuntimeException e) {
      throw new InvalidRequest("csr_der: not a DER PKCS#10 certificate signing request");
    }
    AlgorithmIdentifier keyAlgorithm = csr.getSubjectPublicKeyInfo().getAlgorithm();
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(keyAlgorithm.getAlgorithm())
        || !(keyAlgorithm.getParameters() instanceof ASN1ObjectIdentifier curve)
        || !(SECObjectIdentifiers.secp256r1.equals(curve))) {
      throw new InvalidRequest("csr_der: the key must be EC on P-256 (secp256r1)");
    }
    PublicKey key;
    try {
      key = csr.getPublicKey();
      if (!(key instanceof ECPublicKey)) {
        throw new InvalidRequest("csr_der: the key must be EC on P-256 (secp256r1)");
      }
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        throw new InvalidRequest("csr_der: the signature does not verify with the request's own key");
      }
    } catch (OperatorCreationException | PKCSException | java.security.GeneralSecurityException | RuntimeException e) {
      throw new InvalidRequest("csr_der: the signature cannot be checked (" + e.getMessage() + ")");
    }
    Optional<String> cn;
    try {
      cn = Certificates.commonName(new X500Principal(csr.getSubject().getEncoded()));
    } catch (IOException | IllegalArgumentException e) {
      cn = Optional.empty();
    }
    if (csr.getSubject().getRDNs().length != 1 || cn.isEmpty() || !cn.get().equals(expectedHostId)) {
      throw new InvalidRequest("csr_der: the subject must be exactly CN=" + expectedHostId + " (the host_id)");
    }
    return key;
  }

  /** A request the controller refuses; the message names the field and the reason. */
  public static final class InvalidRequest extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidRequest(String message) {
      super(message);
    }
  }
}
