package io.labscan.agent.inventory;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.labscan.agent.AgentVersion;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.NetworkInterface;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
        .setAgentVersion(AgentVersion.get())
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
      inv.addInterfaces(b);
    }
    TreeSet<String> users = new TreeSet<>();
    for (OSSession session : os.getSessions()) {
      if (session.getUserName() != null && !session.getUserName().isBlank()) {
        users.add(session.getUserName());
      }
    }
    inv.addAllLoggedInUsers(users);
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
}
