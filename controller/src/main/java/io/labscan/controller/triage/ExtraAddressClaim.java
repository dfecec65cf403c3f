package io.labscan.controller.triage;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * When a lab host's claim of an exact {@code --trust} address is a false claim rather than a
 * {@link TrustDoubt} (issue 15, red-team round 8, T6).
 *
 * <p>Round 6 (N0d) made every lab host holding an exact entry's address on an ordinary NIC a
 * doubt that records nothing: the MTA may have been renumbered and DHCP handed its address to that
 * PC, whose worm then wrote the lines below. The price: one hostile agent that adds the MX's
 * address to its report, beside its own, switched off recording for every complaint through the
 * MX, for the whole fleet. The claim is the claimant's word; what decides must be evidence the
 * claimant did not write. The claim loses its power only when all three hold:
 *
 * <ol>
 *   <li><b>The claimed address is an extra one</b> (the claimant's own report, so it can only make
 *       the claim less plausible): at that time the claimant also held another address on an
 *       ordinary NIC outside the claimed address's /24 (/64), and no address inside it. A PC that
 *       DHCP gave the MTA's old address holds it as its only LAN address (or beside one in the same
 *       subnet); the same /24 rule as {@link VirtualHolding}'s. A store that cannot say what else
 *       the host held keeps the doubt.
 *   <li><b>The address was the MTA's before the claim began</b> (the administrator's entry and our
 *       MTAs' trusted lines, not the claimant): a recorded complaint trace names it among the
 *       addresses of the MTA that recorded its origin ({@code recording_mta}, V031), with an origin
 *       time before the claimant first reported the address ({@link AddressHolding#firstReported()};
 *       not the back-filled start, an assumption that may reach hours before the claim).
 *   <li><b>The address still acts as that MTA during the claim</b> (other hosts' agents, not the
 *       claimant): a host that does not hold the address connected to it on an MTA's port (25, 587,
 *       465) within the egress slack of the line's time. Nobody hands mail to a lab PC that merely
 *       inherited a relay's old address; the fleet keeps handing mail to an MX whose address a
 *       liar only claims.
 * </ol>
 *
 * Then the walk passes the line as configured, as before N0d, and the claim is a warning naming
 * the host (the periodic {@code MtaClaimWatch} alerts it too): a lying agent makes only itself look
 * bad. Why this never records an innocent named by a forged line: in the case N0d protects (the PC
 * really holds the address and its worm wrote the lines below), the worm controls condition 1 and
 * the past history of condition 2 is there, but condition 3 needs another host's agent to report
 * mail handed to that PC at that time, which an innocent's agent does not do. Known limits, in the
 * safe direction: a liar that claimed the address before any complaint through the MTA was ever
 * recorded, or whose claim is its only address, keeps the doubt (nothing recorded, the claimant a
 * capped candidate, as N0d); a second hostile agent reporting mail handed to the claimed address
 * can revive the old F1 behaviour (the walk trusts the line), which is what happened before N0d.
 */
final class ExtraAddressClaim {
  /** The ports where an MTA takes mail: the relay port and the submission ports. */
  static final Set<Integer> MTA_PORTS = Set.of(SameConnection.MTA_PORT, 587, 465);
  /** Most hosts one witness question reads (enough to find one beyond the claimants). */
  static final int MAX_WITNESSES = 2 * VirtualHolding.MAX_HOLDERS + 1;

  private ExtraAddressClaim() {}

  /**
   * The warning when every claimant's claim of {@code ip} is a false one (class comment); empty
   * when any condition fails, and the claim stays a {@link TrustDoubt}.
   *
   * @param claimants the lab hosts' ordinary-NIC holdings of {@code ip} covering {@code at}
   */
  static Optional<String> falseClaim(TriageEvidence fleet, String ip, Instant at,
      Collection<AddressHolding> claimants, String entry) {
    if (claimants.isEmpty()) {
      return Optional.empty();
    }
    Instant earliest = at;
    List<String> own = new java.util.ArrayList<>();
    for (AddressHolding h : claimants) {
      Optional<String> other = ownAddress(h, fleet, at);
      if (other.isEmpty()) {
        return Optional.empty();
      }
      own.add(h.hostname() + " (" + h.hostId() + ")" + InterfaceKind.on(h.interfaceName()) + " beside its own "
          + other.get());
      if (h.firstReported().isBefore(earliest)) {
        earliest = h.firstReported();
      }
    }
    if (!fleet.recordedAsMtaBefore(ip, earliest)) {
      return Optional.empty();
    }
    Duration slack = TriageOptions.defaults().egressSlack();
    Set<String> holders = new LinkedHashSet<>();
    claimants.forEach(h -> holders.add(h.hostId()));
    for (AddressHolding h : fleet.holdersOf(ip, at)) {
      holders.add(h.hostId());
    }
    Set<String> witnesses = new LinkedHashSet<>(fleet.hostsConnectedTo(ip, MTA_PORTS, at.minus(slack), at.plus(slack),
        MAX_WITNESSES));
    witnesses.removeAll(holders);
    if (witnesses.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(String.join("; ", own) + " claims " + ip + " at " + at + ", the address of the configured"
        + " MTA --trust " + entry + ": a false claim (a lying agent). The address was that MTA's before the claim"
        + " began (an earlier recorded complaint's trusted lines show the MTA there), " + witnesses.size()
        + (witnesses.size() == 1 ? " other host" : " other hosts") + " handed mail to it within ±"
        + slack.toMinutes() + " min, and the claimant holds it beside an address of its own in another subnet;"
        + " the claim was ignored. Find the lying agent: " + claimants.stream().map(AddressHolding::hostname)
            .collect(Collectors.joining(", ")));
  }

  /**
   * The claimant's own address when {@code h}'s address is an extra one: another non-loopback,
   * non-link-local address on an ordinary NIC at {@code at}, outside {@code h}'s /24 (/64), and no
   * other address inside it; empty otherwise (its only address, one in the same subnet, or a store
   * that cannot say).
   */
  static Optional<String> ownAddress(AddressHolding h, TriageEvidence fleet, Instant at) {
    Optional<String> claimed = Ips.canonical(h.ip());
    if (claimed.isEmpty()) {
      return Optional.empty();
    }
    String other = null;
    for (AddressHolding a : fleet.addressesOf(h.hostId(), at)) {
      Optional<String> ip = Ips.canonical(a.ip());
      if (ip.isEmpty() || ip.get().equals(claimed.get()) || !a.covers(at) || Ips.isLoopback(ip.get())
          || linkLocal(ip.get())) {
        continue;
      }
      if (VirtualHolding.sameSubnet(ip.get(), claimed.get())) {
        return Optional.empty();
      }
      if (other == null && !InterfaceKind.virtual(a.interfaceName())) {
        other = ip.get();
      }
    }
    return Optional.ofNullable(other);
  }

  private static boolean linkLocal(String ip) {
    return Ips.toBytes(ip).map(b -> b.length == 4 ? (b[0] & 0xff) == 169 && (b[1] & 0xff) == 254
        : (b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80).orElse(false);
  }
}
