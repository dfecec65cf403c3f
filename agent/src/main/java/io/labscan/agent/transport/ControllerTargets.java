package io.labscan.agent.transport;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The places an agent can reach its controller: the configured {@code HOST:PORT} entries in
 * order, a name with several A/AAAA records expanded into one target per address.
 *
 * <p>Each target keeps the configured {@code HOST:PORT} as its <em>authority</em>: the name TLS
 * checks the controller's certificate against (and sends as SNI), whichever address is dialled.
 * So expanding {@code labscan.example.edu} into its two addresses still verifies that each
 * answering controller holds a certificate for {@code labscan.example.edu}, issued by the CA
 * the agent enrolled with.
 *
 * <p>A name that resolves to exactly one address, or that does not resolve right now, stays one
 * target dialled by name: gRPC's own DNS resolver then follows it as it always did, so a
 * single-address configuration behaves exactly as before failover existed.
 *
 * <p>Resolution blocks (the JVM's resolver, with its cache); it runs when the agent starts and
 * each time failover has gone once round the list, so DNS changes are picked up without a
 * restart.
 */
public final class ControllerTargets {
  /** Bounds the connections one agent may try in a round, whatever DNS answers. */
  static final int MAX_TARGETS = 64;

  /**
   * One place to dial.
   *
   * @param authority the configured {@code HOST:PORT}: TLS verifies the controller's certificate
   *     for this host
   * @param address the resolved address to dial; empty: dial {@code authority} by name
   */
  public record Target(String authority, Optional<InetSocketAddress> address) {
    public Target {
      requireNonNull(authority, "authority");
      requireNonNull(address, "address");
    }

    @Override
    public String toString() {
      return address.map(a -> authority + " (" + a.getAddress().getHostAddress() + ")").orElse(authority);
    }
  }

  /** Looks up a host's addresses (the system resolver, or a fixed table in tests). */
  @FunctionalInterface
  public interface Resolver {
    Resolver SYSTEM = InetAddress::getAllByName;

    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private final List<String> entries;
  private final Resolver resolver;

  /**
   * @param entries validated {@code HOST:PORT} entries (see
   *     {@link io.labscan.agent.config.ControllerAddresses}), in the order to try them
   */
  public ControllerTargets(List<String> entries, Resolver resolver) {
    this.entries = List.copyOf(requireNonNull(entries, "entries"));
    this.resolver = requireNonNull(resolver, "resolver");
    if (this.entries.isEmpty()) {
      throw new IllegalArgumentException("no controller address");
    }
  }

  public List<String> entries() {
    return entries;
  }

  /** The targets now: each entry in order, a name with several addresses as one target per address. */
  public List<Target> expand() {
    List<Target> out = new ArrayList<>();
    for (String entry : entries) {
      for (Target t : expand(entry)) {
        if (out.size() < MAX_TARGETS) {
          out.add(t);
        }
      }
    }
    return List.copyOf(out);
  }

  private List<Target> expand(String entry) {
    int colon = entry.lastIndexOf(':');
    String host = entry.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(entry.substring(colon + 1));
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      return List.of(new Target(entry, Optional.empty()));
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    Set<InetAddress> addresses = new LinkedHashSet<>();
    try {
      InetAddress[] found = resolver.resolve(host);
      if (found != null) {
        addresses.addAll(List.of(found));
      }
    } catch (UnknownHostException | RuntimeException e) {
      return List.of(new Target(entry, Optional.empty()));
    }
    if (addresses.size() <= 1) {
      return List.of(new Target(entry, Optional.empty()));
    }
    List<Target> out = new ArrayList<>(addresses.size());
    for (InetAddress a : addresses) {
      out.add(new Target(entry, Optional.of(new InetSocketAddress(a, port))));
    }
    return out;
  }
}
