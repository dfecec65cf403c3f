package io.labscan.agent.inventory;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.labscan.agent.inventory.lease.DhcpLeases;
import io.labscan.contract.LabScanVersion;
import io.labscan.contract.net.Addresses;
import io.labscan.proto.v1.AddressLease;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.NetworkInterface;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import oshi.PlatformEnum;
import oshi.SystemInfo;
import oshi.hardware.NetworkIF;
import oshi.software.os.OSSession;
import oshi.software.os.OperatingSystem;

/**
 * Host facts from OSHI. One {@link SystemInfo} serves the whole process: OSHI caches
 * expensive platform handles inside it, so creating one per scan would waste them.
 */
public final class InventoryCollector {
  /** Most interfaces a report carries (the controller refuses more: docs/api.md, report limits). */
  public static final int MAX_INTERFACES = 64;
  /** Most addresses a report carries, over all interfaces (the controller refuses more). */
  public static final int MAX_ADDRESSES = 256;
  /** Most logged-in users a report carries (the controller refuses more). */
  public static final int MAX_USERS = 256;
  private static final SystemInfo SYSTEM_INFO = new SystemInfo();

  private final String lab;
  private final Clock clock;

  public InventoryCollector(String lab) {
    this(lab, Clock.systemUTC());
  }

  public InventoryCollector(String lab, Clock clock) {
    this.lab = requireNonNull(lab, "lab");
    this.clock = requireNonNull(clock, "clock");
  }

  public static SystemInfo systemInfo() {
    return SYSTEM_INFO;
  }

  public HostInventory collect(String hostId) {
    requireNonNull(hostId, "hostId");
    OperatingSystem os = SYSTEM_INFO.getOperatingSystem();
    HostInventory.Builder inv = HostInventory.newBuilder()
        .setHostId(hostId)
        .setHostname(hostname(os))
        .setOsFamily(osFamily())
        .setOsVersion(os.getFamily() + " " + os.getVersionInfo())
        .setAgentVersion(LabScanVersion.get())
        .setElevated(os.isElevated())
        .setLab(lab)
        .setArchitecture(System.getProperty("os.arch", ""));
    long boot = os.getSystemBootTime();
    if (boot > 0) {
      inv.setBootTime(Timestamps.fromSeconds(boot));
    }
    // OSHI's "domain name" is the canonical host name; it is an FQDN only when it extends
    // the host name.
    String canonical = os.getNetworkParams().getDomainName();
    if (canonical != null && canonical.startsWith(inv.getHostname() + ".")) {
      inv.setFqdn(canonical);
    }
    List<NetworkInterface> interfaces = new ArrayList<>();
    for (NetworkIF nif : SYSTEM_INFO.getHardware().getNetworkIFs(true)) {
      NetworkInterface.Builder b = NetworkInterface.newBuilder().setName(nif.getName());
      String mac = nif.getMacaddr();
      if (mac != null && mac.matches("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5,7}")
          && !mac.matches("[0:]+")) {
        b.setMac(mac.toLowerCase(Locale.ROOT));
      }
      addAddresses(b, nif.getIPv4addr(), nif.getIPv6addr());
      interfaces.add(b.build());
    }
    List<NetworkInterface> kept = bounded(interfaces);
    Instant now = clock.instant();
    inv.addAllInterfaces(withLeases(kept,
        DhcpLeases.ofThisMachine(kept.stream().map(NetworkInterface::getName).toList(), now)));
    TreeSet<String> users = new TreeSet<>();
    for (OSSession session : os.getSessions()) {
      if (session.getUserName() != null && !session.getUserName().isBlank()) {
        users.add(session.getUserName());
      }
    }
    // The controller accepts at most 256 (a terminal server's many sessions): the first by name.
    inv.addAllLoggedInUsers(users.stream().limit(MAX_USERS).toList());
    return inv.build();
  }

  static String osFamily() {
    PlatformEnum platform = SystemInfo.getCurrentPlatform();
    switch (platform) {
      case WINDOWS:
      case WINDOWSCE:
        return "windows";
      case MACOS:
        return "macos";
      case LINUX:
      case ANDROID:
        return "linux";
      default:
        return platform.name().toLowerCase(Locale.ROOT);
    }
  }

  private static String hostname(OperatingSystem os) {
    String name = os.getNetworkParams().getHostName();
    if (name != null && !name.isBlank()) {
      return name;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }

  /**
   * The interfaces with the DHCP lease end of each of their addresses that has one ({@code
   * leases}: end by canonical address). Only addresses the interface carries get a lease.
   */
  static List<NetworkInterface> withLeases(List<NetworkInterface> interfaces, Map<String, Instant> leases) {
    if (leases.isEmpty()) {
      return interfaces;
    }
    List<NetworkInterface> out = new ArrayList<>();
    for (NetworkInterface n : interfaces) {
      NetworkInterface.Builder b = n.toBuilder().clearLeases();
      List<String> ips = new ArrayList<>(n.getIpv4List());
      ips.addAll(n.getIpv6List());
      for (String ip : ips) {
        Instant end = leases.get(ip);
        if (end != null) {
          b.addLeases(AddressLease.newBuilder().setIp(ip).setLeaseEnd(Timestamps.fromMillis(end.toEpochMilli())));
        }
      }
      out.add(b.build());
    }
    return out;
  }

  /**
   * The interfaces within the controller's report limits: interfaces with addresses first (a
   * container host's many bare veth interfaces go last), at most {@link #MAX_INTERFACES}, and
   * at most {@link #MAX_ADDRESSES} addresses in all (the rest are left out; an honest host that
   * sent more would have every report refused).
   */
  static List<NetworkInterface> bounded(List<NetworkInterface> interfaces) {
    List<NetworkInterface> ordered = new ArrayList<>();
    interfaces.stream().filter(n -> n.getIpv4Count() + n.getIpv6Count() > 0).forEach(ordered::add);
    interfaces.stream().filter(n -> n.getIpv4Count() + n.getIpv6Count() == 0).forEach(ordered::add);
    List<NetworkInterface> out = new ArrayList<>();
    int budget = MAX_ADDRESSES;
    for (NetworkInterface n : ordered) {
      if (out.size() == MAX_INTERFACES) {
        break;
      }
      NetworkInterface.Builder b = n.toBuilder().clearIpv4().clearIpv6();
      for (String ip : n.getIpv4List()) {
        if (budget > 0) {
          b.addIpv4(ip);
          budget--;
        }
      }
      for (String ip : n.getIpv6List()) {
        if (budget > 0) {
          b.addIpv6(ip);
          budget--;
        }
      }
      out.add(b.build());
    }
    return out;
  }

  /**
   * Puts each address in the list of the family it parses as. The controller refuses a report
   * whose IPv6 list holds an IPv4 address (issue 15: an address's family is what it parses as),
   * and an IPv4-mapped IPv6 address ({@code ::ffff:10.20.3.17}) canonicalises to its IPv4 form —
   * so a platform that lists one among an interface's IPv6 addresses would otherwise cost the
   * whole report. The IPv4 address it maps is kept once, in the IPv4 list.
   */
  static void addAddresses(NetworkInterface.Builder b, String[] ipv4, String[] ipv6) {
    LinkedHashSet<String> v4 = new LinkedHashSet<>();
    LinkedHashSet<String> v6 = new LinkedHashSet<>();
    for (String[] list : new String[][] {ipv4, ipv6}) {
      for (String ip : list) {
        Addresses.canonical(ip).ifPresent(a -> (a.indexOf(':') >= 0 ? v6 : v4).add(a));
      }
    }
    v4.forEach(b::addIpv4);
    v6.forEach(b::addIpv6);
  }
}
