package io.labscan.agent.checks.egress;

import static java.util.Objects.requireNonNull;

/** One socket seen to a watched port, with what is known of its owner. */
public record ConnectionObservation(Endpoint local, Endpoint remote, TcpState state, ProcessInfo owner) {
  public ConnectionObservation {
    requireNonNull(local, "local");
    requireNonNull(remote, "remote");
    requireNonNull(state, "state");
    requireNonNull(owner, "owner");
  }
}
