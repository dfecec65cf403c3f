package io.labscan.controller.grpc;

import io.grpc.Context;
import java.util.Optional;

/**
 * The host id a call is authenticated as: the CN of the agent's client certificate, put in
 * the gRPC context by {@link AgentIdentityInterceptor}. Empty on a plaintext server, where
 * nobody is authenticated.
 */
public final class AgentIdentity {
  static final Context.Key<String> HOST_ID = Context.key("labscan-agent-host-id");

  private AgentIdentity() {}

  /** The authenticated host id of the current call, if the transport authenticated one. */
  public static Optional<String> current() {
    return Optional.ofNullable(HOST_ID.get());
  }
}
