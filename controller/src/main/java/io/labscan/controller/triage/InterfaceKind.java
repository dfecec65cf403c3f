package io.labscan.controller.triage;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether an interface an agent reported an address on is a virtual or tunnel adapter: a
 * hypervisor's host-only or NAT network (VirtualBox {@code vboxnet0}, VMware {@code vmnet1},
 * Hyper-V {@code vEthernet (…)}), a container bridge ({@code docker0}, {@code br-…}, {@code
 * virbr0}, {@code veth…}, {@code cni0}), or a VPN/overlay tunnel ({@code tun0}, {@code wg0}, {@code
 * utun3}, TAP-Windows, WireGuard, Tailscale, ZeroTier).
 *
 * <p>Why it matters to the trust walk (issue 15, red-team round 4, F6): such an adapter's address
 * lives in a network of its own, which may reuse the campus numbering (a host-only adapter on
 * 10.20.0.0/24, a Docker bridge on 172.17.0.0/16, a VPN pool). The MTA that recorded the client
 * saw the address in <em>its</em> network, so a lab PC's report of the same address on such an
 * adapter is no evidence that the PC was that client. It is still a report (a VPN client's tunnel
 * address is where the MTA may have seen it), so the walk treats it as a conflict to resolve, not
 * as nothing ({@link OriginResolver}).
 *
 * <p>Round 6 (N0c) widens this: a holding on such an adapter is never, on its own, evidence that
 * the host was the client an MTA saw, configured or not ({@link VirtualHolding}: Docker's {@code
 * docker0} is 172.17.0.1 on every Docker host, and a containerised MTA logs every client as it),
 * except where the "virtual" adapter carries the host's LAN address or its egress speaks (N1).
 *
 * <p>The names are the agent's report (malware may write them): the rule only ever makes an
 * answer <em>less</em> recordable. Since round 6 that can help a liar escape recording by naming
 * its LAN interface {@code docker0}; {@link VirtualHolding} bounds it (egress still counts, and an
 * adapter carrying the host's only address or one in its NIC's subnet is not virtual). Unknown (empty) names
 * and ordinary NIC names ({@code eth0}, {@code ens33}, {@code enp0s3}, {@code Ethernet}, {@code
 * Wi-Fi}, {@code en0}) are physical. Known limits: a second physical NIC (eth1) cannot be told from
 * the primary one by its name; a Hyper-V host whose physical NIC is bound to an external switch
 * carries its real address on {@code vEthernet (…)}, which counts as virtual (its answers then
 * need an administrator's word before they are recorded, never the reverse).
 */
public final class InterfaceKind {
  /** Name prefixes (lower case) of virtual and tunnel adapters on Linux, the BSDs and macOS. */
  private static final List<String> PREFIXES = List.of(
      "vboxnet", "vmnet", "vmenet", "docker", "br-", "virbr", "veth", "lxcbr", "lxdbr", "incusbr", "cni",
      "flannel", "cali", "weave", "kube", "podman", "cilium", "vxlan", "tun", "tap", "wg", "utun", "zt",
      "tailscale", "ppp", "ipsec", "vti", "gre", "gif", "stf", "feth", "bridge", "vnic", "nordlynx");
  /** Words in Windows adapter names (friendly names and descriptions) of virtual and tunnel adapters. */
  private static final List<String> WORDS = List.of(
      "virtual", "virtualbox", "vmware", "hyper-v", "vethernet", "tap-windows", "openvpn", "wireguard", "wintun",
      "tailscale", "zerotier", "npcap", "loopback", "vpn", "docker", "wsl", "host-only", "tunnel", "anyconnect");

  private InterfaceKind() {}

  /** True when {@code name} names a virtual or tunnel adapter (see the class comment); false for empty. */
  public static boolean virtual(String name) {
    String n = Objects.requireNonNull(name, "name").strip().toLowerCase(Locale.ROOT);
    if (n.isEmpty()) {
      return false;
    }
    for (String p : PREFIXES) {
      if (n.startsWith(p)) {
        return true;
      }
    }
    for (String w : WORDS) {
      if (n.contains(w)) {
        return true;
      }
    }
    return false;
  }

  /** The interface as shown in a reason: {@code " on vboxnet0"}, or empty when unknown. */
  static String on(String name) {
    String n = Objects.requireNonNull(name, "name").strip();
    if (n.isEmpty()) {
      return "";
    }
    return " on " + (n.length() > 64 ? n.substring(0, 61) + "..." : n);
  }

  /** The kind in words, for a warning. */
  static Optional<String> describe(String name) {
    return virtual(name) ? Optional.of("a virtual or tunnel adapter (VM host-only network, container"
        + " bridge or VPN) whose address need not be where the MTA saw it") : Optional.empty();
  }
}
