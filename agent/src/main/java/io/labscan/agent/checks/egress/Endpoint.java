package io.labscan.agent.checks.egress;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.net.Addresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * One end of a TCP connection. IPv4-mapped IPv6 addresses are held as IPv4 (the JDK maps
 * them on construction), so a dual-stack socket and a plain IPv4 one compare equal.
 */
public record Endpoint(InetAddress address, int port) {
  public Endpoint {
    requireNonNull(address, "address");
    if (port < 0 || port > 0xffff) {
      throw new IllegalArgumentException("TCP port out of range: " + port);
    }
  }

  /** Builds an endpoint from 4 or 16 raw address bytes; empty for any other length. */
  public static Optional<Endpoint> of(byte[] address, int port) {
    if (address == null || (address.length != 4 && address.length != 16) || port < 0 || port > 0xffff) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Endpoint(InetAddress.getByAddress(address), port));
    } catch (UnknownHostException e) {
      return Optional.empty(); // only thrown for a bad length, checked above
    }
  }

  /**
   * Parses an IP literal (never a host name: no DNS lookup ever happens) and a port.
   * Empty when {@code ip} is not an IP literal or the port is out of range.
   */
  public static Optional<Endpoint> parse(String ip, int port) {
    if (port < 0 || port > 0xffff) {
      return Optional.empty();
    }
    return Addresses.canonical(ip).flatMap(canonical -> {
      try {
        return Optional.of(new Endpoint(InetAddress.getByName(canonical), port));
      } catch (UnknownHostException e) {
        return Optional.empty();
      }
    });
  }

  /** Canonical text of the address: dotted quad, or RFC 5952 for IPv6. */
  public String ip() {
    return Addresses.canonical(address.getHostAddress()).orElse(address.getHostAddress());
  }

  public boolean isLoopback() {
    return address.isLoopbackAddress();
  }

  @Override
  public String toString() {
    return address instanceof Inet6Address ? "[" + ip() + "]:" + port : ip() + ":" + port;
  }
}
