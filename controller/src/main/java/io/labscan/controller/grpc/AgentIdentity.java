package io.labscan.controller.grpc;

import io.grpc.Context;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The host id a call is authenticated as: the CN of the agent's client certificate, put in
 * the gRPC context by {@link AgentIdentityInterceptor}. Empty on a plaintext server, where
 * nobody is authenticated.
 */
public final class AgentIdentity {
  static final Context.Key<String> HOST_ID = Context.key("labscan-agent-host-id");
  static final Context.Key<X509Certificate> CERTIFICATE = Context.key("labscan-agent-certificate");

  private AgentIdentity() {}

  /** The authenticated host id of the current call, if the transport authenticated one. */
  public static Optional<String> current() {
    return Optional.ofNullable(HOST_ID.get());
  }

  /** The verified certificate the current call's agent presented (renewal reads its serial and expiry). */
  public static Optional<X509Certificate> certificate() {
    return Optional.ofNullable(CERTIFICATE.get());
  }
}
