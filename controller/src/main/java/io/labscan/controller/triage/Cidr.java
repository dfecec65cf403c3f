package io.labscan.controller.triage;

import java.util.Optional;

/** An IPv4 or IPv6 network ({@code 198.51.100.0/24}, {@code 2001:db8::/32}); a bare IP is a /32 or /128. */
final class Cidr {
  private final byte[] network;
  private final int prefix;

  private Cidr(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
  }

  /** Parses {@code IP} or {@code IP/prefix}; host bits are cleared. Empty when malformed. */
  static Optional<Cidr> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String s = text.trim();
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    Optional<byte[]> bytes = Ips.toBytes(address);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    int bits = bytes.get().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = s.substring(slash + 1);
      if (!p.matches("\\d{1,3}")) {
        return Optional.empty();
      }
      prefix = Integer.parseInt(p);
      if (prefix > bits) {
        return Optional.empty();
      }
    }
    byte[] network = bytes.get().clone();
    for (int i = 0; i < network.length; i++) {
      network[i] &= mask(prefix, i);
    }
    return Optional.of(new Cidr(network, prefix));
  }

  /** True when the IP (any text form {@link Ips#canonical} reads) lies inside this network. */
  boolean contains(String ip) {
    Optional<byte[]> bytes = Ips.toBytes(ip);
    if (bytes.isEmpty() || bytes.get().length != network.length) {
      return false;
    }
    byte[] b = bytes.get();
    for (int i = 0; i < b.length; i++) {
      if ((b[i] & mask(prefix, i)) != network[i]) {
        return false;
      }
    }
    return true;
  }

  /** True for a /32 (IPv4) or /128 (IPv6): one machine, not a network. */
  boolean singleAddress() {
    return prefix == network.length * 8;
  }

  private static byte mask(int prefix, int byteIndex) {
    int bitsHere = Math.max(0, Math.min(8, prefix - byteIndex * 8));
    return (byte) (0xff << (8 - bitsHere));
  }

  @Override
  public String toString() {
    try {
      String ip = java.net.InetAddress.getByAddress(network).getHostAddress();
      return Ips.canonical(ip).orElse(ip) + "/" + prefix;
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e); // 4 or 16 bytes by construction
    }
  }
}
