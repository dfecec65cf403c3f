package io.labscan.controller.triage;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One outbound SMTP window a host reported (from SmtpEgressWindow).
 *
 * @param hostId the host's LabScan id
 * @param hostname the host's name as last reported (untrusted text)
 * @param windowStart start of the aggregation window
 * @param windowEnd end of the aggregation window
 * @param connections distinct connections in the window
 * @param destinations remote IPs contacted, canonical text, most contacted first
 * @param process owning process name, when the OS told
 * @param allowed whether policy allows this sender (a mail server, an allow-listed process)
 * @param endpoints the destinations as stored, with ports ({@code ip:port*connections}, separated
 *     by spaces): {@link SameConnection} needs the port; "" when not known
 */
public record EgressHit(
    String hostId,
    String hostname,
    Instant windowStart,
    Instant windowEnd,
    int connections,
    List<String> destinations,
    Optional<String> process,
    boolean allowed,
    String endpoints) {

  public EgressHit {
    Objects.requireNonNull(hostId, "hostId");
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(windowStart, "windowStart");
    Objects.requireNonNull(windowEnd, "windowEnd");
    destinations = List.copyOf(destinations);
    Objects.requireNonNull(process, "process");
    Objects.requireNonNull(endpoints, "endpoints");
  }

  /** A window whose destination ports are not known. */
  public EgressHit(String hostId, String hostname, Instant windowStart, Instant windowEnd, int connections,
      List<String> destinations, Optional<String> process, boolean allowed) {
    this(hostId, hostname, windowStart, windowEnd, connections, destinations, process, allowed, "");
  }

  /** True when the window and [from, to] share at least an instant. */
  public boolean overlaps(Instant from, Instant to) {
    return !windowEnd.isBefore(from) && !windowStart.isAfter(to);
  }
}
