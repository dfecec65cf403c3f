package io.labscan.agent.checks.egress;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Shared builders for egress tests. */
final class EgressTestData {
  static final ProcessInfo WORM = new ProcessInfo(4242, "winkabcd", "/home/ann/.cache/winkabcd", "ann");
  static final ProcessInfo POSTFIX = new ProcessInfo(777, "smtp", "/usr/lib/postfix/sbin/smtp", "postfix");
  static final Endpoint LOCAL = ep("10.0.0.5", 0);

  private EgressTestData() {}

  static Endpoint ep(String ip, int port) {
    return Endpoint.parse(ip, port).orElseThrow();
  }

  static ConnectionObservation obs(int localPort, String remoteIp, int remotePort, TcpState state, ProcessInfo owner) {
    return new ConnectionObservation(ep("10.0.0.5", localPort), ep(remoteIp, remotePort), state, owner);
  }

  static EgressPolicy policy() {
    return new EgressPolicy(Set.of(25, 465, 587), List.of(), false, false, Duration.ofMillis(250),
        Duration.ofSeconds(60), false);
  }
}
