package io.labscan.controller.triage;

import java.util.Objects;
import java.util.Optional;

/**
 * Whether a client that a configured entry wider than one machine covers ({@code --trust
 * 192.0.2.0/24}, {@code --trust *.campus.example.edu}) shows itself to be an MTA.
 *
 * <p>Such an entry says <em>where</em> our MTAs are, not that a given address is one. The same
 * network (or name suffix) usually also holds machines that pass other machines' mail on without
 * writing a line of their own: the campus NAT gateway, a firewall, a VPN concentrator, a proxy,
 * a visitor's laptop with a campus reverse DNS name. Stepping through such a client believes the
 * next line down, which the sending machine behind it wrote: a worm mailing Gmail through the NAT
 * writes {@code from harold-pc (… [10.20.3.12]) by nat-gw.campus.example.edu} under Gmail's real
 * line and has Harold's PC recorded (issue 15, red-team round 5, R4).
 *
 * <p>So the walk steps through a client covered <em>only</em> by such an entry when stronger
 * evidence says it is an MTA. The evidence the fleet and the configuration give (the mail-server
 * role by address or by reverse DNS, an entry naming exactly that machine) is checked by {@link
 * OriginResolver}; the one the line itself gives is checked here: the client greeted with its
 * <em>own fully qualified name</em> ({@link #ownName}). A real relay (Postfix's {@code
 * myhostname}, Exim's primary host name, Sendmail's {@code $j}, Exchange's connector FQDN) says
 * HELO with its own FQDN, normally its reverse DNS name and the name it writes in its own {@code
 * by} clause. A NAT, firewall or proxy passes the sending machine's greeting ({@code PC17}, a
 * Windows machine name, an address literal): whatever name stands there, it is not the
 * gateway's reverse DNS name.
 *
 * <p>The comparison: the trusted writer recorded a fully qualified reverse DNS name it did not
 * doubt, and the HELO is that name, or its first label (a relay configured with its short name,
 * {@code relay} for {@code relay.example.edu}). The writer looked the name up; the client cannot
 * choose it. A mismatch is exactly what a gateway passing another machine's greeting looks like
 * ({@code PC17} from {@code nat-gw.campus.example.edu}).
 *
 * <p>With no (undoubted) reverse DNS name recorded, nothing on the line shows the client is an
 * MTA, whatever it greeted with (issue 15, red-team round 6, N0). The evidence must come from
 * something the sender did not write, and the HELO and every line below are the sender's words
 * when the client is a NAT passing a worm's connection: the worm greets as {@code
 * nat-gw.campus.example.edu} and forges {@code from harold-pc (… [10.20.3.12]) by
 * nat-gw.campus.example.edu} below, so comparing the greeting with that {@code by} name (as the
 * walk once did for relays without PTR look-ups) recorded Harold's PC. A relay whose writer records
 * no reverse DNS (Exchange writes the EHLO name and the address only; an MTA without PTR look-ups;
 * a relay without a PTR record) is therefore the boundary under a network entry: the safe
 * direction (nobody behind it is believed, so nobody behind it is recorded), and the warning says
 * how to trust it: by its exact address ({@code --trust 10.20.0.40}) or the mail-server role for
 * its host (an exact name entry matches only a reverse DNS name the writer recorded).
 *
 * <p>The HELO never grants trust by itself: it is only ever a condition <em>added</em> to a
 * network entry's cover. Known limits: a sender that knows the gateway's reverse DNS name and
 * greets with it passes; the answer is then as before this rule. A real relay whose HELO is not
 * its reverse DNS name (an internal relay with a generic PTR) becomes the boundary: the safe
 * direction, fixed by naming it exactly ({@code --trust 192.0.2.25}, {@code --trust
 * relay.example.edu}) or giving its host the mail-server role.
 */
final class NetworkCoverage {
  private NetworkCoverage() {}

  /**
   * The client's own name, when its HELO shows it greeted as itself: the HELO equals the fully
   * qualified reverse DNS name the trusted writer recorded (undoubted), or its first label. Empty
   * whenever no such name was recorded: the HELO and the lines below are then the sender's words.
   *
   * @param hop the line whose client is in question, written by an MTA the walk trusts
   * @param written the next lower line that records a client. Not consulted: it is the sender's
   *     words when the client is a NAT (red-team round 6, N0); kept so the walk's call stays as it is
   * @return a short description of the match ("HELO relay.example.edu, its reverse DNS name"), or
   *     empty when the HELO does not show the client's own name
   */
  static Optional<String> ownName(ReceivedHop hop, Optional<ReceivedHop> written) {
    Objects.requireNonNull(hop, "hop");
    Objects.requireNonNull(written, "written");
    Optional<String> rdns = recordedName(hop);
    Optional<String> greeting = hop.fromHelo().map(TrustConfig::normalizeHost).filter(h -> !h.isEmpty());
    if (rdns.isEmpty() || greeting.isEmpty()) {
      return Optional.empty();
    }
    String r = rdns.get();
    String h = greeting.get();
    boolean ownShortName = h.indexOf('.') < 0 && TrustConfig.isHostName(h) && r.startsWith(h + ".");
    return r.equals(h) || ownShortName
        ? Optional.of("HELO " + h + ", its reverse DNS name" + (ownShortName ? "'s first label" : ""))
        : Optional.empty();
  }

  /** The fully qualified reverse DNS name the trusted writer recorded and did not doubt. */
  private static Optional<String> recordedName(ReceivedHop hop) {
    return hop.verifiedRdns().map(TrustConfig::normalizeHost).filter(NetworkCoverage::fullyQualified);
  }

  /**
   * Why a client covered only by {@code entry} is the boundary: nothing shows it is an MTA.
   *
   * @param hop the line whose client is in question
   * @param entry the network or {@code *.} suffix entry that covers the client
   */
  static String notShown(ReceivedHop hop, String entry) {
    Objects.requireNonNull(hop, "hop");
    Objects.requireNonNull(entry, "entry");
    String client = hop.fromIp().or(hop::fromRdns).orElse("(no IP recorded)");
    String helo = hop.fromHelo().map(h -> "HELO '" + shorten(h) + "'").orElse("no HELO recorded");
    String rdns = hop.verifiedRdns().map(r -> ", reverse DNS " + r).orElse("");
    return "its client " + client + " (" + helo + rdns + ") is covered by --trust " + entry
        + ", but nothing shows it is an MTA: a network or name suffix says where MTAs of ours are, not"
        + " that every machine in it is one, and this client has no mail-server role, no entry naming"
        + " exactly it, and " + (recordedName(hop).isPresent()
            ? "did not greet with its own fully qualified name (a NAT gateway or proxy passes the sending"
                + " machine's greeting)"
            : "the MTA that wrote this line recorded no reverse DNS name for it, so nothing on the line"
                + " shows it: its greeting and the lines below it are the sender's words when it is a NAT");
  }

  /** The warning shown with such a boundary: the likely cause and the fix for a real relay. */
  static String warning(int index, ReceivedHop hop, String entry) {
    String client = hop.fromIp().or(hop::fromRdns).orElse("(no IP recorded)");
    String helo = hop.fromHelo().map(h -> "HELO '" + shorten(h) + "'").orElse("no HELO");
    return "entered from " + client + " (hop " + index + "), covered by --trust " + entry + " but nothing"
        + " shows it is an MTA (" + helo + "): a NAT or proxy? It is taken as the origin and the lines"
        + " below it as the sender's claim. If it is a relay of yours, name it exactly (--trust "
        + hop.fromIp().or(hop::verifiedRdns).orElse("ITS-ADDRESS") + ") or give its host the mail-server role"
        + (recordedName(hop).isPresent() ? "" : "; no reverse DNS name was recorded for it (an Exchange-style"
            + " relay, or one without a PTR record), so its greeting shows nothing and only its exact address,"
            + " an exact name entry matching a reverse DNS name its writer records, or the mail-server role"
            + " make it trusted");
  }

  /** A host name with at least two labels whose top label is not all digits (not an address). */
  static boolean fullyQualified(String name) {
    String n = TrustConfig.normalizeHost(name);
    return n.indexOf('.') > 0 && TrustConfig.isHostName(n) && Ips.canonical(n).isEmpty();
  }

  /** The client's words, bounded and printable (a HELO may hold any byte the sender chose). */
  private static String shorten(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), 64));
    s.codePoints().limit(64).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return s.codePointCount(0, s.length()) <= 64 ? b.toString() : b.substring(0, b.length() - 3) + "...";
  }
}
