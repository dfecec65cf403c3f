package io.labscan.agent.quarantine;

import io.labscan.agent.checks.egress.Endpoint;
import io.labscan.agent.checks.egress.ProcessInfo;
import java.util.Optional;

/**
 * Which process last tried to reach a destination as a user: the quarantine's firewall rule sees
 * a refused connection's user only (Linux: {@code meta skuid}), while the egress watch, which sees
 * the same first packet earlier (its log rule runs at a higher priority), attributes it to a
 * process. The answer is the egress watch's report, so it is as trustworthy as that: a name and a
 * path the process may have chosen.
 */
@FunctionalInterface
public interface SenderLookup {
  /** Knows nothing (no egress watch running). */
  SenderLookup NONE = (remote, user) -> Optional.empty();

  /** The process last attributed to a connection to {@code remote} by {@code user}, if any. */
  Optional<ProcessInfo> lastSender(Endpoint remote, String user);
}
