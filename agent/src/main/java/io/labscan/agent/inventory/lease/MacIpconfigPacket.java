package io.labscan.agent.inventory.lease;

import io.labscan.contract.net.Addresses;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the output of macOS' {@code ipconfig getpacket en0}: the DHCP ACK the interface holds.
 *
 * <pre>
 * op = BOOTREPLY
 * yiaddr = 192.168.1.23
 * ...
 * lease_time (uint32): 0x15180
 * </pre>
 *
 * The packet does not say when it arrived, so the lease end is taken as {@code asked + lease_time}:
 * an upper bound (the lease began before it was asked about). Stateless and total.
 */
public final class MacIpconfigPacket {
  private static final Pattern YIADDR = Pattern.compile("(?m)^yiaddr\\s*=\\s*([0-9.]{7,15})\\s*$");
  private static final Pattern LEASE_TIME =
      Pattern.compile("(?m)^lease_time\\s*\\(uint32\\)\\s*:\\s*(0x[0-9A-Fa-f]{1,8}|\\d{1,10})\\s*$");

  private MacIpconfigPacket() {}

  /**
   * @param output what {@code ipconfig getpacket IFACE} printed
   * @param asked when it was run
   */
  public static Optional<DhcpLease> parse(String output, Instant asked) {
    Matcher ip = YIADDR.matcher(output);
    Matcher lease = LEASE_TIME.matcher(output);
    if (!ip.find() || !lease.find()) {
      return Optional.empty();
    }
    String t = lease.group(1);
    long seconds = t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
    Optional<String> address = Addresses.canonical(ip.group(1));
    if (address.isEmpty() || address.get().equals("0.0.0.0") || seconds <= 0
        || seconds >= 0xffffffffL || seconds > NetworkdLeaseFile.MAX_LIFETIME_SECONDS) {
      return Optional.empty();
    }
    return Optional.of(new DhcpLease(address.get(), asked.plusSeconds(seconds)));
  }
}
