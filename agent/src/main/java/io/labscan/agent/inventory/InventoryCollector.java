package io.labscan.agent.inventory;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.labscan.contract.LabScanVersion;
import io.labscan.contract.net.Addresses;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.NetworkInterface;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

  public InventoryCollector(String lab) {
    this.lab = requireNonNull(lab, "lab");
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
      for (String ip : nif.getIPv4addr()) {
        Addresses.canonical(ip).ifPresent(b::addIpv4);
      }
      for (String ip : nif.getIPv6addr()) {
        Addresses.canonical(ip).ifPresent(b::addIpv6);
      }
      interfaces.add(b.build());
    }
    inv.addAllInterfaces(bounded(interfaces));
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
}
