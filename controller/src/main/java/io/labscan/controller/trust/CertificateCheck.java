package io.labscan.controller.trust;

import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * A check of an agent's certificate beyond the TLS handshake (which proves only that the
 * controller's CA issued it and that it has not run out): e.g. that a renewal has not replaced it.
 */
@FunctionalInterface
public interface CertificateCheck {

  /**
   * Why the call must be refused, if it must.
   *
   * @param renewal whether the call is {@code RenewCertificate} (the replaced certificate may repeat it)
   */
  Optional<String> refusal(String hostId, X509Certificate certificate, boolean renewal);

  /** Accepts every certificate the handshake accepted. */
  static CertificateCheck none() {
    return (hostId, certificate, renewal) -> Optional.empty();
  }
}
