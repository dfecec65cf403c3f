package io.labscan.agent.trust;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/** Small certificate helpers both ends share: key generation and subject names. */
public final class Certificates {
  /** The only key type LabScan issues and accepts: EC on NIST P-256. */
  public static final String CURVE = "secp256r1";
  public static final String SIGNATURE = "SHA256withECDSA";

  private Certificates() {}

  /** A fresh EC P-256 key pair. */
  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(CURVE));
      return g.generateKeyPair();
    } catch (NoSuchAlgorithmException | InvalidAlgorithmParameterException e) {
      throw new IllegalStateException("EC P-256 is missing from this JVM", e);
    }
  }

  /** True when {@code key} is the private half of {@code publicKey} (signs a probe, verifies it). */
  public static boolean keyMatches(PrivateKey key, PublicKey publicKey) {
    requireNonNull(key, "key");
    requireNonNull(publicKey, "publicKey");
    try {
      byte[] probe = "labscan-key-check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(SIGNATURE);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(SIGNATURE);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** A subject holding a single common name. */
  public static X500Name commonNameSubject(String commonName) {
    requireNonNull(commonName, "commonName");
    return new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String(commonName))});
  }

  /** The common name of a certificate's subject, when it has exactly one. */
  public static Optional<String> commonName(X509Certificate certificate) {
    requireNonNull(certificate, "certificate");
    return commonName(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()));
  }

  public static Optional<String> commonName(X500Name name) {
    RDN[] cns = name.getRDNs(BCStyle.CN);
    if (cns.length != 1 || cns[0].isMultiValued()) {
      return Optional.empty();
    }
    ASN1Encodable value = cns[0].getFirst().getValue();
    return value instanceof ASN1String text ? Optional.of(text.getString()) : Optional.empty();
  }
}
