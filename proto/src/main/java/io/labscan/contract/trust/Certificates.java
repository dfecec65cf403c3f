package io.labscan.contract.trust;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
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
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Small certificate helpers both ends share: key generation and subject names. JDK only, as
 * the whole contract module is; the BouncyCastle builders on each side take the subject's DER.
 */
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

  /**
   * A subject holding a single common name, encoded as one RDN with one UTF8String value
   * (the DER BouncyCastle's {@code X500Name} writes for the same name, byte for byte).
   *
   * <p>Why by hand: the subject of an agent certificate is contract (the controller reads the
   * host id back from it), and the contract module keeps to the JDK. {@link X500Principal}'s
   * own string constructor would pick PrintableString for plain names, a different encoding.
   * BouncyCastle callers take {@code X500Name.getInstance(subject.getEncoded())}.
   */
  public static X500Principal commonNameSubject(String commonName) {
    requireNonNull(commonName, "commonName");
    byte[] cnOid = {0x06, 0x03, 0x55, 0x04, 0x03}; // 2.5.4.3, id-at-commonName
    byte[] value = der(0x0C, commonName.getBytes(StandardCharsets.UTF_8)); // UTF8String
    byte[] attribute = der(0x30, concat(cnOid, value)); // AttributeTypeAndValue
    byte[] rdn = der(0x31, attribute); // SET OF, one member
    return new X500Principal(der(0x30, rdn)); // RDNSequence
  }

  /**
   * The common name of a certificate's subject, when it has exactly one, single-valued RDN
   * holding it, and that value is a string; empty otherwise (two CNs, a multi-valued RDN or a
   * binary value name no host).
   */
  public static Optional<String> commonName(X509Certificate certificate) {
    requireNonNull(certificate, "certificate");
    return commonName(certificate.getSubjectX500Principal());
  }

  /** {@link #commonName(X509Certificate)} for a bare subject (a signing request's, say). */
  public static Optional<String> commonName(X500Principal subject) {
    requireNonNull(subject, "subject");
    List<Rdn> rdns;
    try {
      // RFC 2253 text writes string values as text and any other value as #hex, which LdapName
      // hands back as a byte[]: exactly the "is it a string" question asked below.
      rdns = new LdapName(subject.getName(X500Principal.RFC2253)).getRdns();
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    Rdn only = null;
    for (Rdn rdn : rdns) {
      boolean holdsCn = false;
      for (String type : Collections.list(rdn.toAttributes().getIDs())) {
        holdsCn |= type.equalsIgnoreCase("CN") || type.equals("2.5.4.3");
      }
      if (holdsCn) {
        if (only != null) {
          return Optional.empty();
        }
        only = rdn;
      }
    }
    if (only == null || only.size() != 1) {
      return Optional.empty();
    }
    return only.getValue() instanceof String text ? Optional.of(text) : Optional.empty();
  }

  private static byte[] der(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >>> 8);
      out.write(n & 0xFF);
    } else {
      out.write(0x83);
      out.write(n >>> 16);
      out.write((n >>> 8) & 0xFF);
      out.write(n & 0xFF);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
