package io.labscan.contract.trust;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;

/**
 * The CA fingerprint an enrolment token pins: SHA-256 of the CA certificate's DER encoding,
 * base64url without padding (43 characters). Like kubeadm's discovery hash, it lets an agent
 * that knows nothing else recognise its controller on first contact.
 */
public final class Fingerprints {
  /** Length of a fingerprint in characters. */
  public static final int LENGTH = 43;

  private Fingerprints() {}

  public static String sha256(X509Certificate certificate) {
    requireNonNull(certificate, "certificate");
    try {
      return sha256(certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
    }
  }

  public static String sha256(byte[] der) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(digest(der));
  }

  /** SHA-256 of {@code bytes} (the raw digest both fingerprints and token secret hashes use). */
  public static byte[] digest(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }

  /** Constant-time comparison of two fingerprints. */
  public static boolean same(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        b.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }
}
