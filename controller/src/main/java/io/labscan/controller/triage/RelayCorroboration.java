package io.labscan.controller.triage;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The fleet's word that a line below the boundary is true (issue 15, red-team round 7, S1 and S5).
 *
 * <p>A line an undeclared relay or a re-sender wrote is that host's claim: it could be a forgery
 * naming an innocent host. It becomes evidence only when the host the line names as its client
 * corroborates it with a claim of its own, one its own agent made: that it held the client address
 * then (a reported holding, not a back-filled or silent one) and that it sent SMTP (port 25 or
 * 587, by a process policy does not allow) to the writer of the line within the line's time
 * window. A forger can write any line; it cannot make another host's agent report a connection to
 * the forger. A host whose agent lies to blame itself gains nothing.
 *
 * <p>Only one such host may match: behind a shared address (NAT, two claimants) the fleet does not
 * say which of them sent, so nothing is corroborated.
 */
final class RelayCorroboration {
  /** The ports a lab host hands mail in on: SMTP relay and submission. */
  static final Set<Integer> SMTP_PORTS = Set.of(25, 587);

  private RelayCorroboration() {}

  /**
   * A lab host that held {@code clientIp} at {@code at}, by its own report, and whose own
   * unallowed SMTP (port 25/587) reached one of {@code writers} within {@code slack} of {@code at}.
   *
   * @param exclude hosts that cannot corroborate (the writer itself: its claims are the ones in doubt)
   * @return the unique such holding; empty when none or more than one host matches
   */
  static Optional<AddressHolding> sender(TriageEvidence fleet, Set<String> exclude, String clientIp, Instant at,
      Collection<String> writers, Duration slack) {
    if (writers.isEmpty() || Ips.isLoopback(clientIp)) {
      return Optional.empty();
    }
    Set<String> servers = fleet.mailServerIds();
    Map<String, AddressHolding> holders = new LinkedHashMap<>();
    for (AddressHolding h : fleet.holdersOf(clientIp, at)) {
      if (h.covers(at) && !h.assumedAt(at) && !exclude.contains(h.hostId()) && !servers.contains(h.hostId())
          && Ips.canonical(h.ip()).map(clientIp::equals).orElse(false) && holders.size() < VirtualHolding.MAX_HOLDERS) {
        holders.putIfAbsent(h.hostId(), h);
      }
    }
    if (holders.isEmpty()) {
      return Optional.empty();
    }
    Instant from = at.minus(slack);
    Instant to = at.plus(slack);
    Map<String, AddressHolding> sent = new LinkedHashMap<>();
    for (EgressHit e : fleet.egressNear(holders.keySet(), from, to)) {
      if (holders.containsKey(e.hostId()) && !e.allowed() && e.overlaps(from, to) && reaches(e.endpoints(), writers)) {
        sent.putIfAbsent(e.hostId(), holders.get(e.hostId()));
      }
    }
    return sent.size() == 1 ? sent.values().stream().findFirst() : Optional.empty();
  }

  /**
   * Whether {@code hostId}'s own agent reported unallowed SMTP (port 25/587) to one of {@code
   * writers} within {@code slack} of {@code at}: the host sent mail to our MTA itself.
   */
  static boolean sentItself(TriageEvidence fleet, String hostId, Collection<String> writers, Instant at,
      Duration slack) {
    Instant from = at.minus(slack);
    Instant to = at.plus(slack);
    return fleet.egressNear(Set.of(hostId), from, to).stream().anyMatch(e -> e.hostId().equals(hostId)
        && !e.allowed() && e.overlaps(from, to) && reaches(e.endpoints(), writers));
  }

  /** Whether the stored endpoints ({@code ip:port*connections}, space separated) reach one of {@code ips} on an SMTP port. */
  static boolean reaches(String endpoints, Collection<String> ips) {
    for (String d : endpoints.split(" ")) {
      int star = d.lastIndexOf('*');
      String dest = (star >= 0 ? d.substring(0, star) : d).trim();
      int colon = dest.lastIndexOf(':');
      if (colon <= 0) {
        continue;
      }
      int port;
      try {
        port = Integer.parseInt(dest.substring(colon + 1));
      } catch (NumberFormatException e) {
        continue;
      }
      String ip = dest.substring(0, colon);
      if (ip.startsWith("[") && ip.endsWith("]")) {
        ip = ip.substring(1, ip.length() - 1);
      }
      if (SMTP_PORTS.contains(port) && Ips.canonical(ip).map(ips::contains).orElse(false)) {
        return true;
      }
    }
    return false;
  }
}
