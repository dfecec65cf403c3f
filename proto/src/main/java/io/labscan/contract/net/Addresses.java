package io.labscan.contract.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/** Canonical text forms of IP addresses, so the controller compares like with like. */
public final class Addresses {
  private Addresses() {}

  /**
   * Canonical form of an IP literal: dotted quad for IPv4, RFC 5952 for IPv6 (lower case,
   * longest run of zero groups as {@code ::}, no zone id). Empty for anything that is not
   * an IP literal; never performs a DNS lookup.
   */
  public static Optional<String> canonical(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String s = text.trim();
    int pct = s.indexOf('%');
    if (pct >= 0) {
      s = s.substring(0, pct);
    }
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.regionMatches(true, 0, "IPv6:", 0, 5)) {
      s = s.substring(5);
    }
    if (s.isEmpty() || !(s.indexOf(':') >= 0 || s.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
      return Optional.empty();
    }
    if (!s.matches("[0-9A-Fa-f:.]+")) {
      return Optional.empty();
    }
    try {
      InetAddress a = InetAddress.getByName(s);
      return Optional.of(a instanceof Inet6Address ? rfc5952(a.getAddress()) : a.getHostAddress());
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  static String rfc5952(byte[] b) {
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestLen < 2) {
      bestStart = -1;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }
}
