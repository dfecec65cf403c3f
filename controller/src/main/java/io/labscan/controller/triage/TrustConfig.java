package io.labscan.controller.triage;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The MTAs the controller trusts to tell the truth in their {@code Received:} lines: the
 * site's own MX and relays. Entries come from configuration and from repeated {@code --trust
 * HOST_OR_CIDR} options:
 *
 * <ul>
 *   <li>an IP or CIDR, IPv4 or IPv6: {@code 198.51.100.5}, {@code 198.51.100.0/24},
 *       {@code 2001:db8:25::/48};
 *   <li>a host name, matched against the client's reverse DNS name as the previous trusted
 *       MTA recorded it: {@code relay.example.edu} (exactly that name) or {@code
 *       *.example.edu} (any name under example.edu). A name the MTA flagged {@code (may be
 *       forged)} never matches, and HELO names are never compared at all. The topmost line's
 *       writer is also matched by the name (or IP) it gives itself in its {@code by} part: that
 *       makes the delivering MTA's own line ours (the sender cannot write above it), so an
 *       answer resting on it may be recorded.
 * </ul>
 *
 * The well-known {@link MailProviders} are part of the configuration too (built-in list by
 * default).
 */
public final class TrustConfig {
  private static final Pattern HOST =
      Pattern.compile("(?i)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*\\.?");

  private final List<String> entries;
  private final List<Cidr> networks;
  private final List<String> networkText;
  private final List<String> exactHosts;
  private final List<String> suffixes;
  private final MailProviders providers;
  private final @Nullable TriageEvidence fleet;

  private TrustConfig(List<String> entries, MailProviders providers) {
    this(entries, providers, null);
  }

  private TrustConfig(List<String> entries, MailProviders providers, @Nullable TriageEvidence fleet) {
    this.entries = List.copyOf(entries);
    this.providers = Objects.requireNonNull(providers, "providers");
    this.fleet = fleet;
    this.networks = new ArrayList<>();
    this.networkText = new ArrayList<>();
    this.exactHosts = new ArrayList<>();
    this.suffixes = new ArrayList<>();
    for (String e : entries) {
      String s = e.trim();
      Optional<Cidr> cidr = Cidr.parse(s);
      if (cidr.isPresent()) {
        networks.add(cidr.get());
        networkText.add(s);
      } else if (s.startsWith("*.") && isHostName(s.substring(2))) {
        suffixes.add(normalizeHost(s.substring(2)));
      } else if (s.startsWith(".") && isHostName(s.substring(1))) {
        suffixes.add(normalizeHost(s.substring(1)));
      } else if (isHostName(s) && !s.contains("/")) {
        exactHosts.add(normalizeHost(s));
      } else {
        throw new IllegalArgumentException(
            "--trust " + e + ": not a host name (relay.example.edu, *.example.edu) or an IP/CIDR"
                + " (198.51.100.0/24, 2001:db8::/32)");
      }
    }
  }

  /** Nothing configured; the built-in mail providers still apply. */
  public static TrustConfig none() {
    return new TrustConfig(List.of(), MailProviders.builtIn());
  }

  /**
   * Trust the given entries (and the built-in mail providers).
   *
   * @throws IllegalArgumentException naming the first entry that is neither a host name nor a CIDR
   */
  public static TrustConfig of(Collection<String> entries) {
    List<String> list = new ArrayList<>();
    for (String e : Objects.requireNonNull(entries, "entries")) {
      list.add(Objects.requireNonNull(e, "entry"));
    }
    return new TrustConfig(list, MailProviders.builtIn());
  }

  /** The same entries with another provider list (e.g. builtIn().with(load(file)), or none()). */
  public TrustConfig withProviders(MailProviders providers) {
    return new TrustConfig(entries, providers, fleet);
  }

  /**
   * The same configuration plus learned trust: hosts with the mail-server role are trusted by
   * the addresses they held and the names they reported, and an address a LabScan host without
   * that role held is the boundary (docs/triage.md, "Learned trust").
   */
  public TrustConfig withFleet(TriageEvidence evidence) {
    return new TrustConfig(entries, providers, Objects.requireNonNull(evidence, "evidence"));
  }

  /**
   * These entries and more (duplicates dropped), e.g. the Settings page's beside {@code --trust}.
   *
   * @throws IllegalArgumentException naming the first entry that is neither a host name nor a CIDR
   */
  public TrustConfig withEntries(Collection<String> more) {
    List<String> all = new ArrayList<>(entries);
    for (String e : Objects.requireNonNull(more, "more")) {
      if (!all.contains(e)) {
        all.add(e);
      }
    }
    return new TrustConfig(all, providers, fleet);
  }

  /** The fleet learned trust asks, when {@link #withFleet} gave one. */
  Optional<TriageEvidence> fleet() {
    return Optional.ofNullable(fleet);
  }

  /**
   * Checks one entry as {@code --trust} would.
   *
   * @return the entry, trimmed
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static String checkEntry(String entry) {
    String e = Objects.requireNonNull(entry, "entry").trim();
    new TrustConfig(List.of(e), MailProviders.none());
    return e;
  }

  /** True when no MTA was configured (providers aside). */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public List<String> entries() {
    return entries;
  }

  public MailProviders providers() {
    return providers;
  }

  /** The configured entry that covers this IP, if any. */
  Optional<String> entryForIp(String ip) {
    for (int i = 0; i < networks.size(); i++) {
      if (networks.get(i).contains(ip)) {
        return Optional.of(networkText.get(i));
      }
    }
    return Optional.empty();
  }

  /**
   * The configured entry that is exactly this one address, if any: a single address ({@code
   * 10.20.0.25}, {@code /32}, {@code /128}). The administrator named that address as an MTA's: no
   * agent's report can take that trust away, unlike a network entry wider than one address
   * (docs/triage.md, step 2).
   *
   * <p>An exact host <em>name</em> is not such an entry (issue 15, red-team round 4, F2): it is the
   * administrator's word about a name, and which address carries the name is DNS (a stale PTR
   * after a renumbering, a name a PC registered through DHCP/DDNS, an MTA that records PTR names
   * unconfirmed), not the administrator's statement. So a name entry, like a network, gives way
   * to the fleet's evidence that a lab host held the address.
   */
  Optional<String> exactAddressEntryFor(Optional<String> ip) {
    if (ip.isPresent()) {
      for (int i = 0; i < networks.size(); i++) {
        if (networks.get(i).singleAddress() && networks.get(i).contains(ip.get())) {
          return Optional.of(networkText.get(i));
        }
      }
    }
    return Optional.empty();
  }

  /** The addresses the entries naming exactly one address (a single IP, /32, /128) name, canonical. */
  List<String> exactAddresses() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < networks.size(); i++) {
      if (networks.get(i).singleAddress()) {
        String t = networkText.get(i).trim();
        int slash = t.indexOf('/');
        Ips.canonical(slash < 0 ? t : t.substring(0, slash)).filter(ip -> !out.contains(ip)).ifPresent(out::add);
      }
    }
    return out;
  }

  /** The configured entry that names this host, if any. */
  Optional<String> entryForHost(String host) {
    String h = normalizeHost(host);
    if (h.isEmpty()) {
      return Optional.empty();
    }
    if (exactHosts.contains(h)) {
      return Optional.of(h);
    }
    for (String s : suffixes) {
      if (h.endsWith("." + s)) {
        return Optional.of("*." + s);
      }
    }
    return Optional.empty();
  }

  static boolean isHostName(String s) {
    if (s == null || s.length() > 253 || !HOST.matcher(s).matches()) {
      return false;
    }
    // "999.1.1.1" is a mistyped IP, not a name: a top-level label is never all digits.
    String n = normalizeHost(s);
    String last = n.substring(n.lastIndexOf('.') + 1);
    return !last.chars().allMatch(Character::isDigit);
  }

  /** Lower case, without a trailing dot; empty for null. */
  static String normalizeHost(String host) {
    if (host == null) {
      return "";
    }
    String h = host.trim().toLowerCase(Locale.ROOT);
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }

  @Override
  public String toString() {
    return "TrustConfig" + entries + " providers=" + providers.names();
  }
}
