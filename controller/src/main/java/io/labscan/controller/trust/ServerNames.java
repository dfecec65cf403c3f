package io.labscan.controller.trust;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The names the controller's server certificate carries (subject alternative names):
 * localhost, the loopback addresses, this machine's host name, and whatever the operator
 * adds with {@code --tls-san} (the name or address agents actually dial). Agents check the
 * name they dialled against these, so a missing one shows up as a TLS failure on the agent.
 */
public final class ServerNames {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*]?");
  private static final Pattern DNS = Pattern.compile(
      "(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  private ServerNames() {}

  /** One name, normalised: IP literals in the JDK's canonical form, DNS names lower-case. */
  public static Name parse(String text) {
    requireNonNull(text, "text");
    String s = text.strip();
    if (IPV4.matcher(s).matches() || IPV6.matcher(s).matches()) {
      try {
        // A literal: getByName parses it without any DNS lookup.
        String literal = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        return new Name(true, InetAddress.getByName(literal).getHostAddress());
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("'" + s + "' is not a valid IP address");
      }
    }
    String dns = s.toLowerCase(Locale.ROOT);
    if (dns.length() > 253 || !DNS.matcher(dns).matches()) {
      throw new IllegalArgumentException("'" + s + "' is neither an IP address nor a DNS name");
    }
    return new Name(false, dns);
  }

  /** The default names plus {@code extra}. */
  public static Set<Name> withDefaults(Collection<String> extra) {
    requireNonNull(extra, "extra");
    Set<Name> names = new TreeSet<>();
    names.add(parse("localhost"));
    names.add(parse("127.0.0.1"));
    names.add(parse("::1"));
    machineHostname().ifPresent(h -> {
      try {
        names.add(parse(h));
      } catch (IllegalArgumentException e) {
        // a host name no certificate can carry; the operator can still add usable ones
      }
    });
    for (String e : extra) {
      names.add(parse(e));
    }
    return Set.copyOf(names);
  }

  /** This machine's host name, if the system knows one. */
  static Optional<String> machineHostname() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      if (name != null && !name.isBlank()) {
        return Optional.of(name);
      }
    } catch (UnknownHostException e) {
      // fall back to the environment
    }
    return Optional.ofNullable(System.getenv("HOSTNAME")).or(() -> Optional.ofNullable(System.getenv("COMPUTERNAME")))
        .filter(s -> !s.isBlank());
  }

  /** A DNS name or an IP address a certificate can name. */
  public record Name(boolean ip, String value) implements Comparable<Name> {
    public Name {
      requireNonNull(value, "value");
    }

    @Override
    public int compareTo(Name o) {
      int c = Boolean.compare(ip, o.ip);
      return c != 0 ? c : value.compareTo(o.value);
    }

    @Override
    public String toString() {
      return (ip ? "IP:" : "DNS:") + value;
    }
  }
}
