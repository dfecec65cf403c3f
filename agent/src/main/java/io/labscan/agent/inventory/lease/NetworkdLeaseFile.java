package io.labscan.agent.inventory.lease;

import io.labscan.contract.net.Addresses;
import java.time.Instant;
import java.util.Optional;

/**
 * Reads the {@code KEY=value} lease files of systemd-networkd ({@code
 * /run/systemd/netif/leases/<ifindex>}) and of NetworkManager's internal DHCP client ({@code
 * /var/lib/NetworkManager/internal-<uuid>-eth0.lease}), which share systemd's format:
 *
 * <pre>
 * # This is private data. Do not parse.
 * ADDRESS=10.20.3.17
 * NETMASK=255.255.255.0
 * LIFETIME=86400
 * </pre>
 *
 * {@code LIFETIME} is relative: the files carry no acquisition time. The file is rewritten at
 * each acquisition and renewal, so its modification time plus {@code LIFETIME} is the lease end
 * (the caller passes that time). Stateless and total.
 */
public final class NetworkdLeaseFile {
  /** Longest lease believed (a year); longer ones ("infinite") give no end. */
  static final long MAX_LIFETIME_SECONDS = 365L * 24 * 3600;

  private NetworkdLeaseFile() {}

  /**
   * @param text the file's content
   * @param written when the file was last written (its modification time)
   */
  public static Optional<DhcpLease> parse(String text, Instant written) {
    Optional<String> ip = Optional.empty();
    long lifetime = -1;
    for (String line : text.split("\r?\n", 200)) {
      int eq = line.indexOf('=');
      if (eq <= 0 || line.startsWith("#")) {
        continue;
      }
      String key = line.substring(0, eq).trim();
      String value = line.substring(eq + 1).trim();
      if (key.equals("ADDRESS")) {
        ip = Addresses.canonical(value).filter(a -> a.indexOf(':') < 0);
      } else if (key.equals("LIFETIME") && value.matches("\\d{1,10}")) {
        lifetime = Long.parseLong(value);
      }
    }
    if (ip.isEmpty() || lifetime <= 0 || lifetime > MAX_LIFETIME_SECONDS) {
      return Optional.empty();
    }
    return Optional.of(new DhcpLease(ip.get(), written.plusSeconds(lifetime)));
  }
}
