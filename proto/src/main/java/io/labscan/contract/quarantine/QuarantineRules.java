package io.labscan.contract.quarantine;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a quarantine blocks and what it lets through, in the platform's terms: new outbound TCP
 * connections to {@code ports} are refused, except from sockets owned by {@code allowedUids} and
 * to {@code allowedDestinations}.
 *
 * <p>Everything here reaches a firewall's rule text, and the order it came from may be written by
 * a compromised controller: destinations are only IP literals or CIDR prefixes (parsed here, never
 * looked up in DNS, printed back in canonical form), uids only numbers, ports 1..65535. A
 * destination that does not parse is dropped (and named in {@link #ignored()}), never passed on.
 *
 * @param ports the SMTP ports (policy {@code smtp_ports})
 * @param allowedUids local users whose sockets may still connect (Linux: {@code meta skuid})
 * @param allowedDestinations canonical {@code address/prefix} strings every process may reach
 * @param ignored destinations of the order that were not IP literals or prefixes
 * @param allowedApplications absolute executable paths whose connections may still be made
 *     (Windows: a WFP permit filter per application, {@code FWPM_CONDITION_ALE_APP_ID}); sorted,
 *     without duplicates (compared without case, as Windows does), at most {@link #MAX_ENTRIES}
 */
public record QuarantineRules(Set<Integer> ports, Set<Long> allowedUids, List<Destination> allowedDestinations,
    List<String> ignored, List<String> allowedApplications) {
  private static final Pattern IP_CHARACTERS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  /** Most destinations or users one order may name (an honest campus has a handful). */
  public static final int MAX_ENTRIES = 256;
  /** Longest executable path accepted (Windows' extended-length paths stop at 32,767). */
  public static final int MAX_PATH = 32_767;

  public QuarantineRules {
    ports = Set.copyOf(new TreeSet<>(requireNonNull(ports, "ports")));
    if (ports.isEmpty() || ports.stream().anyMatch(p -> p < 1 || p > 0xffff)) {
      throw new IllegalArgumentException("ports must be 1..65535 and not empty: " + ports);
    }
    allowedUids = Set.copyOf(new TreeSet<>(requireNonNull(allowedUids, "allowedUids")));
    if (allowedUids.stream().anyMatch(u -> u < 0 || u > 0xffffffffL)) {
      throw new IllegalArgumentException("uids must be 0..2^32-1: " + allowedUids);
    }
    allowedDestinations = List.copyOf(requireNonNull(allowedDestinations, "allowedDestinations"));
    ignored = List.copyOf(requireNonNull(ignored, "ignored"));
    java.util.TreeMap<String, String> apps = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String a : requireNonNull(allowedApplications, "allowedApplications")) {
      if (a.isBlank() || a.length() > MAX_PATH || a.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException("not an executable path: " + a.length() + " characters");
      }
      apps.putIfAbsent(a, a);
    }
    if (apps.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("more than " + MAX_ENTRIES + " allowed applications");
    }
    allowedApplications = List.copyOf(apps.values());
  }

  /** Rules without allowed applications (Linux allows by user). */
  public QuarantineRules(Set<Integer> ports, Set<Long> allowedUids, List<Destination> allowedDestinations,
      List<String> ignored) {
    this(ports, allowedUids, allowedDestinations, ignored, List.of());
  }

  /** These rules, letting {@code applications} (absolute executable paths) through as well. */
  public QuarantineRules withAllowedApplications(java.util.Collection<String> applications) {
    return new QuarantineRules(ports, allowedUids, allowedDestinations, ignored, List.copyOf(applications));
  }

  /** An IP network: an address and a prefix length (32/128 for one address). */
  public record Destination(InetAddress network, int prefix) {
    public Destination {
      requireNonNull(network, "network");
      int max = network.getAddress().length * 8;
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException("prefix /" + prefix + " out of 0.." + max);
      }
      network = mask(network, prefix);
    }

    public boolean isIpv6() {
      return network.getAddress().length == 16;
    }

    /** {@code 192.0.2.25} for one address, else {@code 192.0.2.0/24}; IPv6 in its compressed form. */
    public String text() {
      String address = isIpv6() ? compress(network) : network.getHostAddress();
      return prefix == network.getAddress().length * 8 ? address : address + "/" + prefix;
    }

    /** The first and last address of the network, as unsigned big-endian bytes. */
    public byte[] first() {
      return network.getAddress();
    }

    public byte[] last() {
      byte[] b = network.getAddress();
      for (int bit = prefix; bit < b.length * 8; bit++) {
        b[bit / 8] |= (byte) (0x80 >>> (bit % 8));
      }
      return b;
    }

    private static InetAddress mask(InetAddress a, int prefix) {
      byte[] b = a.getAddress();
      for (int bit = prefix; bit < b.length * 8; bit++) {
        b[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
      }
      try {
        return InetAddress.getByAddress(b);
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Parses {@code 192.0.2.25}, {@code 192.0.2.0/24}, {@code 2001:db8::25} or {@code 2001:db8::/32}
   * (IPv4-mapped IPv6 addresses become IPv4). Empty for anything else: host names are never
   * resolved (a DNS answer must not decide what a quarantined machine may reach).
   */
  public static Optional<Destination> parseDestination(String text) {
    requireNonNull(text, "text");
    String s = text.strip();
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    if (!IP_CHARACTERS.matcher(address).matches() || (!address.contains(":") && !address.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}"))) {
      return Optional.empty();
    }
    try {
      InetAddress parsed = InetAddress.getByName(address); // a literal: no lookup
      int max = parsed.getAddress().length * 8;
      int prefix = max;
      if (slash >= 0) {
        String p = s.substring(slash + 1);
        if (!p.matches("[0-9]{1,3}")) {
          return Optional.empty();
        }
        prefix = Integer.parseInt(p);
        if (prefix > max) {
          return Optional.empty();
        }
      }
      return Optional.of(new Destination(parsed, prefix));
    } catch (UnknownHostException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The rules for {@code destinations} as an order names them; what does not parse goes to {@link #ignored()}. */
  public static QuarantineRules of(Set<Integer> ports, Set<Long> allowedUids, List<String> destinations) {
    List<Destination> parsed = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (String d : destinations.stream().limit(MAX_ENTRIES).toList()) {
      parseDestination(d).ifPresentOrElse(p -> {
        if (!parsed.contains(p)) {
          parsed.add(p);
        }
      }, () -> ignored.add(d));
    }
    return new QuarantineRules(ports, allowedUids, parsed, ignored);
  }

  private static String compress(InetAddress v6) {
    byte[] b = v6.getAddress();
    int[] words = new int[8];
    for (int i = 0; i < 8; i++) {
      words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (words[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && words[j] == 0) {
        j++;
      }
      if (j - i > bestLen && j - i > 1) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLen - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(words[i]));
    }
    return out.toString();
  }
}
