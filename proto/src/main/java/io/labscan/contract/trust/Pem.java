package io.labscan.contract.trust;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM text (RFC 7468) for the few things LabScan keeps on disk: X.509 certificates and
 * unencrypted PKCS#8 private keys. Kept to the JDK so the files are readable by openssl and
 * by any other tool an operator reaches for.
 */
public final class Pem {
  public static final String CERTIFICATE = "CERTIFICATE";
  public static final String PRIVATE_KEY = "PRIVATE KEY";
  /** Largest PEM file read: a key or a short chain is a few KiB. */
  public static final int MAX_TEXT = 256 * 1024;

  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  private Pem() {}

  /** One PEM block, base64 in 64-character lines. */
  public static String encode(String label, byte[] der) {
    requireNonNull(label, "label");
    requireNonNull(der, "der");
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }

  /** Every block with this label, in file order. */
  public static List<byte[]> decode(String text, String label) {
    requireNonNull(text, "text");
    requireNonNull(label, "label");
    if (text.length() > MAX_TEXT) {
      throw new IllegalArgumentException("PEM text longer than " + MAX_TEXT + " characters");
    }
    List<byte[]> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(label)) {
        try {
          out.add(Base64.getMimeDecoder().decode(m.group(2)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("PEM block '" + label + "' is not valid base64", e);
        }
      }
    }
    return out;
  }

  public static String certificate(X509Certificate certificate) {
    try {
      return encode(CERTIFICATE, certificate.getEncoded());
    } catch (CertificateException e) {
      throw new IllegalArgumentException("Certificate cannot be encoded: " + e.getMessage(), e);
    }
  }

  public static String privateKey(PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException("Private key is not PKCS#8-encodable (" + key.getFormat() + ")");
    }
    return encode(PRIVATE_KEY, key.getEncoded());
  }

  /** The certificates in a PEM text, leaf first as written. */
  public static List<X509Certificate> readCertificates(String text) throws CertificateException {
    List<X509Certificate> out = new ArrayList<>();
    for (byte[] der : decode(text, CERTIFICATE)) {
      out.add(parseCertificate(der));
    }
    return out;
  }

  public static X509Certificate parseCertificate(byte[] der) throws CertificateException {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(der));
  }

  /** The one PKCS#8 private key of a PEM text ({@code algorithm}: "EC"). */
  public static PrivateKey readPrivateKey(String text, String algorithm) throws GeneralSecurityException {
    List<byte[]> keys = decode(text, PRIVATE_KEY);
    if (keys.size() != 1) {
      throw new GeneralSecurityException("expected one '-----BEGIN " + PRIVATE_KEY + "-----' block, found "
          + keys.size());
    }
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(keys.get(0)));
  }
}
