package io.labscan.controller.triage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Whether a host's own SMTP egress and the trusted {@code Received:} line of the MTA that recorded
 * a complaint's origin describe the <em>same connection</em> (issue 15, N7): the host connected
 * to that MTA's address, on the port where an MTA takes unauthenticated mail from other machines
 * (25), in a window that covers the line's time within the egress slack.
 *
 * <p>This is specific evidence from two independent witnesses: the MTA wrote the line (a trusted
 * hop), the host's agent reported the connection. It is what lets a worm, or a spam bot, that
 * delivers all its copies in one SMTP session through the campus MX (one connection, one
 * destination, many {@code RCPT TO}) be told from a person's mail client, which a count of
 * connections or destinations ({@code CarrierSender#wormLike}) cannot do.
 *
 * <p>What an innocent machine's stray connection can and cannot match:
 * <ul>
 *   <li>A connection to any other server (a personal provider, another MX) never matches: only the
 *       address of the MTA that wrote the boundary line counts, as that line and the one above it
 *       give it ({@link #recordingMta}), not "any SMTP".
 *   <li>A mail client's submission (587, 465) never matches: submission is where people hand in
 *       mail, and an authenticated boundary (the account's act, R2) gives no recording MTA at all.
 *   <li>A connection outside the slack around the line's time never matches.
 *   <li>Egress that policy allows never matches (callers pass only windows policy does not
 *       allow).
 *   <li>Behind a NAT several hosts share the address the MTA saw: a match counts only when exactly
 *       one host matches ({@link #unique}); two hosts that both reached the MTA then are a tie, and
 *       neither is the sender by this rule.
 * </ul>
 */
public final class SameConnection {
  /** The port an MTA accepts mail from other machines on without a login (RFC 5321). */
  public static final int MTA_PORT = 25;

  private SameConnection() {}

  /**
   * The addresses of the MTA that wrote the boundary line, as the trusted lines give them: its
   * own address in that line ({@code by host (192.0.2.25)}), and the client address the next
   * trusted MTA above recorded when that MTA handed the message on. Empty when the origin's line
   * records an authenticated submission (the account's act, not the machine's, R2) or no address.
   */
  public static List<String> recordingMta(List<TracedHop> hops, Origin origin) {
    List<String> out = new ArrayList<>();
    Optional<TracedHop> boundary = hops.stream().filter(h -> h.index() == origin.hop()).findFirst();
    if (boundary.isEmpty() || boundary.get().hop().flags().contains(HopFlag.AUTHENTICATED)) {
      return out;
    }
    boundary.get().hop().byIp().flatMap(Ips::canonical).ifPresent(out::add);
    TracedHop above = null;
    for (TracedHop h : hops) {
      if (h.index() < origin.hop() && h.trust() == HopTrust.TRUSTED && h.hop().fromIp().isPresent()
          && (above == null || h.index() > above.index())) {
        above = h;
      }
    }
    if (above != null) {
      above.hop().fromIp().flatMap(Ips::canonical).filter(ip -> !out.contains(ip)).ifPresent(out::add);
    }
    return out;
  }

  /**
   * The first of {@code destinations} (the stored form, {@code ip:port*connections} separated by
   * spaces, IPv6 in brackets) that is one of {@code mta} on {@link #MTA_PORT}.
   */
  public static Optional<String> toMta(String destinations, Collection<String> mta) {
    if (mta.isEmpty()) {
      return Optional.empty();
    }
    for (String d : destinations.split(" ")) {
      int star = d.lastIndexOf('*');
      String dest = (star >= 0 ? d.substring(0, star) : d).trim();
      int colon = dest.lastIndexOf(':');
      if (colon <= 0 || !dest.substring(colon + 1).equals(Integer.toString(MTA_PORT))) {
        continue;
      }
      String ip = dest.substring(0, colon);
      if (ip.startsWith("[") && ip.endsWith("]")) {
        ip = ip.substring(1, ip.length() - 1);
      }
      Optional<String> canonical = Ips.canonical(ip);
      if (canonical.isPresent() && mta.contains(canonical.get())) {
        return Optional.of(dest);
      }
    }
    return Optional.empty();
  }

  /** The submission ports (RFC 6409 and implicit TLS, RFC 8314): an MTA takes mail there only after a login. */
  public static final java.util.Set<Integer> SUBMISSION_PORTS = java.util.Set.of(587, 465);

  /**
   * Whether every destination of {@code destinations} (the stored form) is on a submission port:
   * such connections hand mail in after a login, so they cannot be the unauthenticated hand-in a
   * boundary line without an authentication mark records (issue 15, red-team round 7, S2). False
   * when the ports are not known (an old store, an agent that did not say).
   */
  public static boolean onlySubmissionPorts(String destinations) {
    boolean any = false;
    for (String d : destinations.split(" ")) {
      int star = d.lastIndexOf('*');
      String dest = (star >= 0 ? d.substring(0, star) : d).trim();
      if (dest.isEmpty()) {
        continue;
      }
      int colon = dest.lastIndexOf(':');
      int port;
      try {
        port = colon <= 0 ? -1 : Integer.parseInt(dest.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (!SUBMISSION_PORTS.contains(port)) {
        return false;
      }
      any = true;
    }
    return any;
  }

  /** Whether a window [start, end] covers {@code at} within {@code slack} on either side. */
  public static boolean covers(Instant start, Instant end, Instant at, Duration slack) {
    return !at.isBefore(start.minus(slack)) && !at.isAfter(end.plus(slack));
  }

  /** Whether exactly one host matched: behind a shared address only a unique match counts. */
  public static boolean unique(Collection<String> matchingHosts) {
    return matchingHosts.size() == 1;
  }
}
