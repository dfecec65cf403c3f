package io.labscan.controller.grpc;

import io.grpc.stub.StreamObserver;
import io.labscan.proto.v1.RenewCertificateResponse;
import java.security.cert.X509Certificate;

/**
 * Issues an agent a certificate for a new key before its current one runs out. Implemented by
 * the trust machinery (it holds the CA); a plaintext controller has none.
 */
@FunctionalInterface
public interface CertificateRenewer {

  /**
   * Answers {@code response} with the new certificate, or with the status saying why not.
   *
   * @param hostId the authenticated host (the presented certificate's CN)
   * @param presented the certificate the agent presented in this call's TLS handshake
   * @param csrDer the agent's PKCS#10 request for its new key (hostile input)
   */
  void renew(String hostId, X509Certificate presented, byte[] csrDer,
      StreamObserver<RenewCertificateResponse> response);
}
