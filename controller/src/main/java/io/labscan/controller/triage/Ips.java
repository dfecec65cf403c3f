package io.labscan.controller.triage;

import io.labscan.contract.net.Addresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IP text helpers for hostile header text. Canonical forms come from the agent's
 * {@link Addresses#canonical(String)}, so an IP read from a Received: line compares equal
 * to the same IP an agent reported. Never performs a DNS lookup.
 */
final class Ips {
  private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6ISH = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  private static final int MAX_TEXT = 64;

  private Ips() {}

  /**
   * Canonical text of an IP literal ({@code 192.0.2.1}, {@code [192.0.2.1]},
   * {@code IPv6:2001:db8::1}, {@code [IPv6:2001:DB8:0:0::1]}), empty for anything else.
   */
  static Optional<String> canonical(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_TEXT) {
      return Optional.empty();
    }
    String s = text.trim();
    if (s.startsWith("[") && s.endsWith("]") && s.length() >= 2) {
      s = s.substring(1, s.length() - 1).trim();
    }
    if (s.regionMatches(true, 0, "IPv6:", 0, 5)) {
      s = s.substring(5);
    }
    if (s.indexOf(':') >= 0) {
      if (!IPV6ISH.matcher(s).matches()) {
        return Optional.empty();
      }
    } else if (!validDottedQuad(s)) {
      // Checked here so that the JDK never sees "999.1.1.1", which older JDKs would hand
      // to the resolver as a host name.
      return Optional.empty();
    }
    try {
      return Addresses.canonical(s);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** True for 127.0.0.0/8 and ::1 (IPv4-mapped forms are canonicalised to IPv4 first). */
  static boolean isLoopback(String canonicalIp) {
    Optional<byte[]> bytes = toBytes(canonicalIp);
    if (bytes.isEmpty()) {
      return false;
    }
    byte[] b = bytes.get();
    if (b.length == 4) {
      return (b[0] & 0xff) == 127;
    }
    for (int i = 0; i < 15; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[15] == 1;
  }

  /** True for loopback, link-local, RFC 1918, CGNAT (100.64/10) and IPv6 ULA addresses. */
  static boolean isPrivateOrLocal(String canonicalIp) {
    Optional<byte[]> bytes = toBytes(canonicalIp);
    if (bytes.isEmpty()) {
      return false;
    }
    byte[] b = bytes.get();
    if (b.length == 4) {
      int a0 = b[0] & 0xff;
      int a1 = b[1] & 0xff;
      return a0 == 10
          || a0 == 127
          || (a0 == 172 && a1 >= 16 && a1 <= 31)
          || (a0 == 192 && a1 == 168)
          || (a0 == 169 && a1 == 254)
          || (a0 == 100 && a1 >= 64 && a1 <= 127);
    }
    boolean loopback = true;
    for (int i = 0; i < 15; i++) {
      loopback &= b[i] == 0;
    }
    loopback &= b[15] == 1;
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    return loopback || (first & 0xfe) == 0xfc || (first == 0xfe && (second & 0xc0) == 0x80);
  }

  /** Address bytes of a canonical IP (4 or 16 bytes). */
  static Optional<byte[]> toBytes(String canonicalIp) {
    Optional<String> canonical = canonical(canonicalIp);
    if (canonical.isEmpty()) {
      return Optional.empty();
    }
    try {
      // A validated literal: getByName parses it without any lookup.
      return Optional.of(InetAddress.getByName(canonical.get()).getAddress());
    } catch (UnknownHostException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean validDottedQuad(String s) {
    if (!DOTTED_QUAD.matcher(s).matches()) {
      return false;
    }
    for (String part : s.split("\\.")) {
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }
}
