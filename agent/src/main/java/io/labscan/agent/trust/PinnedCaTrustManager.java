package io.labscan.agent.trust;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.trust.Fingerprints;
import io.labscan.contract.trust.TlsManagers;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust on first contact, pinned: the agent trusts the enrolment port only when the chain
 * the controller presents contains a CA certificate whose SHA-256 equals the fingerprint in
 * the enrolment token. That CA then becomes the anchor of an ordinary PKIX check (signature,
 * validity, serverAuth, host name), so a pin match alone never accepts a broken chain.
 */
public final class PinnedCaTrustManager extends X509ExtendedTrustManager {
  private final String pinnedFingerprint;
  private final AtomicReference<String> refusal = new AtomicReference<>();

  public PinnedCaTrustManager(String pinnedFingerprint) {
    this.pinnedFingerprint = requireNonNull(pinnedFingerprint, "pinnedFingerprint");
  }

  /** Why the last server chain was refused for not matching the pin, if it was. */
  public Optional<String> refusal() {
    return Optional.ofNullable(refusal.get());
  }

  private X509ExtendedTrustManager pinnedAnchor(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw refuse("the controller presented no certificate");
    }
    for (X509Certificate c : chain) {
      if (c.getBasicConstraints() >= 0 && Fingerprints.same(Fingerprints.sha256(c), pinnedFingerprint)) {
        return TlsManagers.trustManager(c);
      }
    }
    X509Certificate top = chain[chain.length - 1];
    throw refuse("the controller's CA (fingerprint " + Fingerprints.sha256(top) + ", "
        + top.getSubjectX500Principal().getName() + ") does not match the fingerprint pinned in the token ("
        + pinnedFingerprint + "): refusing to trust it");
  }

  private CertificateException refuse(String message) {
    refusal.set(message);
    return new CertificateException(message);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    pinnedAnchor(chain).checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    pinnedAnchor(chain).checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    pinnedAnchor(chain).checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("an agent never accepts clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("an agent never accepts clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("an agent never accepts clients");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
