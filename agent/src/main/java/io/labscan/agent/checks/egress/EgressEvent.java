package io.labscan.agent.checks.egress;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One outgoing connection attempt reported by the kernel or the OS audit log: seen however
 * short the session, but with less about the owner than a socket sample (Linux logs only
 * the uid; Windows the pid and executable but not the user).
 */
public record EgressEvent(Instant time, Endpoint local, Endpoint remote, ProcessInfo owner) {
  public EgressEvent {
    requireNonNull(time, "time");
    requireNonNull(local, "local");
    requireNonNull(remote, "remote");
    requireNonNull(owner, "owner");
  }
}
