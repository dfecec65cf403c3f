package io.labscan.controller.trust;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.trust.TlsManagers;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509ExtendedKeyManager;

/** The controller's TLS identity: its key, its certificate, and the CA that issued it. */
public record ServerIdentity(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
  public ServerIdentity {
    requireNonNull(key, "key");
    requireNonNull(certificate, "certificate");
    requireNonNull(ca, "ca");
  }

  /**
   * Presents the server certificate followed by the CA: an enrolling agent has only the CA's
   * fingerprint and must see the CA itself in the chain to match it.
   */
  public X509ExtendedKeyManager keyManager() {
    return TlsManagers.keyManager(key, certificate, ca);
  }
}
