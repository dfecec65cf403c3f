package io.labscan.controller.fleet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** An IPv4 or IPv6 subnet in CIDR notation. Parses address literals only: never asks DNS. */
public record Cidr(byte[] network, int prefix) {

  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + text + "' is not a subnet like 10.20.3.0/24");
    }
    byte[] address = literal(text.substring(0, slash))
        .orElseThrow(() -> new IllegalArgumentException("'" + text + "': not an IP address before the '/'"));
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "': prefix length is not a number");
    }
    if (prefix < 0 || prefix > address.length * 8) {
      throw new IllegalArgumentException("'" + text + "': prefix length must be 0-" + address.length * 8);
    }
    return new Cidr(address, prefix);
  }

  public boolean contains(String ip) {
    Optional<byte[]> candidate = literal(ip);
    if (candidate.isEmpty() || candidate.get().length != network.length) {
      return false;
    }
    byte[] a = candidate.get();
    for (int bit = 0; bit < prefix; bit++) {
      int mask = 0x80 >>> (bit % 8);
      if ((a[bit / 8] & mask) != (network[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** The bytes of an IPv4 dotted quad or an IPv6 literal; empty for anything else (no DNS). */
  public static Optional<byte[]> literal(String text) {
    if (text == null || text.isEmpty() || text.length() > 45) {
      return Optional.empty();
    }
    if (text.indexOf(':') < 0) {
      String[] parts = text.split("\\.", -1);
      if (parts.length != 4) {
        return Optional.empty();
      }
      byte[] out = new byte[4];
      for (int i = 0; i < 4; i++) {
        if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) {
          return Optional.empty();
        }
        int v = Integer.parseInt(parts[i]);
        if (v > 255) {
          return Optional.empty();
        }
        out[i] = (byte) v;
      }
      return Optional.of(out);
    }
    // Only hex digits, colons and dots: InetAddress treats it as a literal and asks no resolver.
    if (!text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
      return Optional.empty();
    }
    try {
      byte[] bytes = InetAddress.getByName(text).getAddress();
      return bytes.length == 16 ? Optional.of(bytes) : Optional.empty();
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
