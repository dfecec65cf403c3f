package io.labscan.controller.triage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A lab host's holding of an address on a virtual, container, VM or tunnel adapter ({@link
 * InterfaceKind}) is never, on its own, evidence that this host was the client an MTA saw (issue
 * 15, red-team round 6, N0c).
 *
 * <p>Why: such an address is private to the host and its guests, and the same on every machine
 * with the same software: Docker's {@code docker0} is 172.17.0.1, libvirt's {@code virbr0}
 * 192.168.122.1, VirtualBox's {@code vboxnet0} 192.168.56.1. When the organisation's MTA runs in
 * a container (or a VM behind NAT), docker-proxy or the NAT makes it log every client as its own
 * host's bridge gateway, 172.17.0.1: the real client is hidden, and every lab PC with Docker
 * reports that very address. So a holding on such an adapter still ranks the host (it is shown),
 * but capped at {@link Triage#UNRESOLVED_CARRIER_CAP} (below recording), with a warning naming
 * the interface, the likely cause and the fix; several hosts holding the address that way is
 * normal, not an address conflict; and an answer whose origin is held only that way is never
 * recorded ({@link OriginResolver}).
 *
 * <p>The trade-off (N1, the flip side): the interface name is the agent's report, so a worm on
 * the real sender could report its real LAN address on an interface it names {@code docker0} to
 * escape recording. The damage is bounded three ways:
 *
 * <ul>
 *   <li>Evidence the sender did not write still counts: when the holder's own egress shows SMTP
 *       policy does not allow to the MTA that recorded the origin, or a worm-like mailing ({@link
 *       CarrierSender#wormLike}), within the egress slack, the adapter label lowers nothing (the
 *       egress is the evidence).
 *   <li>A "virtual" interface whose address is the host's only non-loopback, non-link-local
 *       address at the time, or lies in the same subnet as an address on one of its ordinary
 *       NICs, is not treated as virtual: a real bridge network is a network of its own beside the
 *       host's LAN address. Agents report no prefix length, so "the same subnet" is the same /24
 *       (IPv4) or /64 (IPv6), the common LAN sizes.
 *   <li>When the store cannot say what else the host held ({@link TriageEvidence#addressesOf}
 *       answers nothing for it), the adapter is taken as virtual: the safe direction (shown,
 *       never recorded).
 * </ul>
 *
 * Known limit: a worm that reports a made-up LAN address on {@code eth0} in another /24 and its
 * real address on {@code docker0}, and sends no SMTP the agent sees, is shown capped, not recorded.
 */
final class VirtualHolding {
  /** Most holders one decision looks at (a hostile fleet could have thousands claim one address). */
  static final int MAX_HOLDERS = 16;

  private VirtualHolding() {}

  /**
   * Whether {@code h} counts as a holding on a virtual adapter: its interface's name is a virtual
   * or tunnel adapter's, and the host held, at {@code at}, another non-loopback, non-link-local
   * address on an ordinary NIC outside the same /24 (/64), and none inside it.
   */
  static boolean virtual(AddressHolding h, TriageEvidence evidence, Instant at) {
    return virtual(h.hostId(), h.ip(), h.interfaceName(), Optional.of(evidence), at);
  }

  /**
   * {@link #virtual(AddressHolding, TriageEvidence, Instant)} for a holder known by host, address
   * and interface (the trust walk's {@code LearnedTrust.Holder}, round 4, F6): the one rule the
   * walk and the ranking share (issue 15, red-team round 8 leftovers), so an adapter that carries
   * the host's only address, or one in its ordinary NIC's /24 (/64), is the host's LAN address in
   * both. Without an evidence store the name decides (the safe direction).
   */
  static boolean virtual(String hostId, String address, String interfaceName, Optional<TriageEvidence> evidence,
      Instant at) {
    if (!InterfaceKind.virtual(interfaceName)) {
      return false;
    }
    if (evidence.isEmpty()) {
      return true;
    }
    AddressHolding h = new AddressHolding(hostId, "", address, at, Optional.empty(), "", interfaceName,
        Optional.empty());
    List<AddressHolding> all = evidence.get().addressesOf(hostId, at);
    if (all.stream().noneMatch(a -> sameIp(a.ip(), h.ip()))) {
      return true; // the store cannot say what else the host held: the safe direction
    }
    boolean other = false;
    for (AddressHolding a : all) {
      Optional<String> ip = Ips.canonical(a.ip());
      if (ip.isEmpty() || sameIp(ip.get(), h.ip()) || Ips.isLoopback(ip.get()) || linkLocal(ip.get())) {
        continue;
      }
      other = true;
      if (!InterfaceKind.virtual(a.interfaceName()) && sameSubnet(ip.get(), h.ip())) {
        return false; // in its ordinary NIC's subnet: the host's LAN, whatever the name says
      }
    }
    return other; // the host's only address is its LAN address, whatever the name says
  }

  /**
   * Why the egress of a virtual-adapter holder is evidence of its own: SMTP policy does not allow
   * to the MTA that recorded the origin, or a worm-like mailing; empty when neither.
   *
   * @param hits the holder's egress windows within the slack (allowed ones are ignored)
   * @param wormLike the mass-mailing test for unallowed windows ({@link CarrierSender#wormLike})
   */
  static Optional<String> egressEvidence(List<EgressHit> hits, Optional<String> boundaryMta,
      Function<List<EgressHit>, Optional<String>> wormLike) {
    List<EgressHit> unallowed = hits.stream().filter(e -> !e.allowed()).toList();
    if (unallowed.isEmpty()) {
      return Optional.empty();
    }
    // Only a worm-like mailing speaks: one ordinary sending to the recording MTA (a cron mail, a
    // mail client) is what a Docker host next to a containerised MX does all day (issue 15, red
    // team round 8, T3), so it no longer lifts the virtual-adapter cap on its own.
    return wormLike.apply(unallowed);
  }

  /** The reason a virtual-adapter holder's confidence is capped, for its candidate. */
  static String capReason(AddressHolding h) {
    return "it holds " + h.ip() + " only" + InterfaceKind.on(h.interfaceName()) + ", a virtual or container"
        + " adapter, and its egress shows no worm-like mailing: such an address"
        + " is private to the host and repeated on every machine with the same software, so holding it is no"
        + " evidence that this host was the MTA's client";
  }

  /**
   * When every lab host (no mail-server role) that held {@code ip} at {@code at} held it on a
   * virtual adapter ({@link #virtual}) and none of them shows egress evidence ({@link
   * #egressEvidence}): the warning, naming the hosts, interfaces, the likely cause and the fix.
   * Empty when no lab host held it, a mail server or an ordinary NIC held it, or a holder's egress
   * speaks.
   */
  static Optional<String> onlyVirtual(TriageEvidence evidence, String ip, Instant at, Optional<String> boundaryMta,
      TrustConfig trust, Duration slack) {
    Set<String> servers = evidence.mailServerIds();
    Map<String, AddressHolding> holders = new LinkedHashMap<>();
    for (AddressHolding h : evidence.holdersOf(ip, at)) {
      if (h.covers(at) && sameIp(h.ip(), ip)) {
        if (servers.contains(h.hostId())) {
          return Optional.empty();
        }
        if (holders.size() >= MAX_HOLDERS) {
          break;
        }
        holders.putIfAbsent(h.hostId(), h);
      }
    }
    if (holders.isEmpty()) {
      return Optional.empty();
    }
    for (AddressHolding h : holders.values()) {
      if (!virtual(h, evidence, at)) {
        return Optional.empty();
      }
    }
    Instant from = at.minus(slack);
    Instant to = at.plus(slack);
    List<EgressHit> hits = new ArrayList<>();
    for (EgressHit e : evidence.egressNear(holders.keySet(), from, to)) {
      if (holders.containsKey(e.hostId()) && e.overlaps(from, to)) {
        hits.add(e);
      }
    }
    for (String id : holders.keySet()) {
      List<EgressHit> own = hits.stream().filter(e -> e.hostId().equals(id)).toList();
      if (egressEvidence(own, boundaryMta, u -> CarrierSender.wormLike(u, evidence, servers, trust, at)).isPresent()) {
        return Optional.empty();
      }
    }
    String who = holders.values().stream().map(h -> h.hostname() + " (" + h.hostId() + ")" + InterfaceKind.on(
        h.interfaceName())).collect(Collectors.joining(", "));
    return Optional.of("the origin " + ip + " is held at " + at + " only on virtual or container adapters: " + who
        + ". Such an address is private to each host and its guests and the same on every machine with the same"
        + " software (Docker's docker0 is 172.17.0.1, libvirt's virbr0 192.168.122.1, VirtualBox's vboxnet0"
        + " 192.168.56.1): most likely the MTA that recorded it runs in a container or a VM behind NAT and saw its"
        + " own host's bridge address, so the real client is hidden. The answer is shown, capped at "
        + Triage.UNRESOLVED_CARRIER_CAP + ", never recorded. Fix: make the MTA see real client addresses (publish"
        + " its port with host networking, or disable docker-proxy's userland proxy, or run the MTA outside the"
        + " NAT), or trace the complaint through the MTA's own log of the connection");
  }

  /** True when every holding is on a virtual adapter ({@link #virtual}): several such holders are no conflict. */
  static boolean allVirtual(java.util.Collection<AddressHolding> holdings, TriageEvidence evidence, Instant at) {
    return !holdings.isEmpty() && holdings.stream().limit(MAX_HOLDERS).allMatch(h -> virtual(h, evidence, at))
        && holdings.size() <= MAX_HOLDERS;
  }

  private static boolean sameIp(String a, String b) {
    return Ips.canonical(a).equals(Ips.canonical(b));
  }

  private static boolean linkLocal(String ip) {
    return Ips.toBytes(ip).map(b -> b.length == 4 ? (b[0] & 0xff) == 169 && (b[1] & 0xff) == 254
        : (b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80).orElse(false);
  }

  /** Same /24 (IPv4) or /64 (IPv6). */
  static boolean sameSubnet(String a, String b) {
    Optional<byte[]> x = Ips.canonical(a).flatMap(Ips::toBytes);
    Optional<byte[]> y = Ips.canonical(b).flatMap(Ips::toBytes);
    if (x.isEmpty() || y.isEmpty() || x.get().length != y.get().length) {
      return false;
    }
    int prefix = x.get().length == 4 ? 3 : 8;
    return Arrays.equals(x.get(), 0, prefix, y.get(), 0, prefix);
  }
}
