package io.labscan.agent.inventory.lease;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The operating system's word on when the DHCP lease of one address ends.
 *
 * @param ip the address, canonical text (io.labscan.agent.inventory.Addresses)
 * @param end when the lease ends unless it is renewed
 */
public record DhcpLease(String ip, Instant end) {
  public DhcpLease {
    requireNonNull(ip, "ip");
    requireNonNull(end, "end");
  }
}
