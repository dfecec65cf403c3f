package io.labscan.contract.trust;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * JSSE key and trust managers built from in-memory keys and certificates, for both ends of
 * LabScan's TLS. The trust managers are the JDK's PKIX ones: they check signatures, validity
 * periods, basic constraints and extended key usage (a client certificate must say
 * clientAuth, a server certificate serverAuth).
 */
public final class TlsManagers {
  /** Password of the throw-away in-memory key store; it protects nothing. */
  private static final char[] IN_MEMORY = "labscan".toCharArray();

  private TlsManagers() {}

  /** A key manager presenting {@code chain} (leaf first) for {@code key}. */
  public static X509ExtendedKeyManager keyManager(PrivateKey key, X509Certificate... chain) {
    requireNonNull(key, "key");
    requireNonNull(chain, "chain");
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("labscan", key, IN_MEMORY, chain);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
      kmf.init(store, IN_MEMORY);
      for (KeyManager km : kmf.getKeyManagers()) {
        if (km instanceof X509ExtendedKeyManager x509) {
          return x509;
        }
      }
      throw new GeneralSecurityException("no X.509 key manager available");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("Cannot build a TLS key manager: " + e.getMessage(), e);
    }
  }

  /** A trust manager that accepts exactly the certificates issued by {@code ca}. */
  public static X509ExtendedTrustManager trustManager(X509Certificate ca) {
    requireNonNull(ca, "ca");
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("labscan-ca", ca);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(store);
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x509) {
          return x509;
        }
      }
      throw new GeneralSecurityException("no X.509 trust manager available");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("Cannot build a TLS trust manager: " + e.getMessage(), e);
    }
  }
}
