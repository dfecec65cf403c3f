package io.labscan.agent.transport;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

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
 * <p>The addresses of one name are ordered by address (IPv4 before IPv6, then byte by byte), not
 * in the order DNS answered: resolvers rotate their answers, and a list that depends on the
 * moment it was read would move agents between controllers for no reason.
 *
 * <p><b>Each host its own order ({@link #forHost}).</b> Every agent starting with the first
 * controller would put the whole fleet on one controller, and when it died all of its agents would
 * land on the second in the same instant. So a running agent takes the targets in an order of its
 * own: rendezvous (highest random weight) hashing, each target ranked by SHA-256 of the host id and
 * the target, highest first. The first target is the host's <em>home</em>: the same after every
 * restart (the host id is kept in the state folder), and uniform over the targets across hosts.
 * When a controller dies its agents' next choices are again uniform over the remaining ones, so
 * they spread over all of them rather than doubling the load of the next one in the list (a plain
 * offset with rotation would send all of them to the same neighbour). Adding or removing one
 * controller moves only the agents whose home it was or becomes (about 1/n of the fleet), where
 * "hash mod n" would move most of them. The ranking depends on the targets, not on the order of
 * the list, so hosts agree on the spread whatever order their files list the controllers in. One
 * target is one target: a single-address configuration behaves exactly as before.
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
  /** Whose order {@link #expand} gives; null: the configured order. */
  private final @Nullable String hostId;

  /**
   * @param entries validated {@code HOST:PORT} entries (see
   *     {@link io.labscan.agent.config.ControllerAddresses}), in the order to try them
   */
  public ControllerTargets(List<String> entries, Resolver resolver) {
    this(entries, resolver, null);
  }

  private ControllerTargets(List<String> entries, Resolver resolver, @Nullable String hostId) {
    this.entries = List.copyOf(requireNonNull(entries, "entries"));
    this.resolver = requireNonNull(resolver, "resolver");
    this.hostId = hostId;
    if (this.entries.isEmpty()) {
      throw new IllegalArgumentException("no controller address");
    }
  }

  /**
   * The same targets in the order of host {@code hostId} (see the class comment): its home first,
   * then the others in its own failover order.
   */
  public ControllerTargets forHost(String hostId) {
    return new ControllerTargets(entries, resolver, requireNonNull(hostId, "hostId"));
  }

  public List<String> entries() {
    return entries;
  }

  /**
   * The targets now: a name with several addresses as one target per address (sorted by address);
   * in the configured order, or in the host's order when made by {@link #forHost}.
   */
  public List<Target> expand() {
    List<Target> out = new ArrayList<>();
    for (String entry : entries) {
      for (Target t : expand(entry)) {
        if (out.size() < MAX_TARGETS) {
          out.add(t);
        }
      }
    }
    String host = hostId;
    if (host != null && out.size() > 1) {
      // Computed once per target, not per comparison; the key breaks (astronomically unlikely) ties.
      TreeMap<String, Long> weights = new TreeMap<>();
      for (Target t : out) {
        weights.put(key(t), weight(host, t));
      }
      out.sort(Comparator.<Target>comparingLong(t -> weights.get(key(t))).reversed()
          .thenComparing(ControllerTargets::key));
    }
    return List.copyOf(out);
  }

  /** What identifies a target for ranking: the configured name (case folded) and the dialled address. */
  static String key(Target t) {
    return t.authority().toLowerCase(Locale.ROOT) + t.address().map(a -> "/" + a.getAddress().getHostAddress()).orElse("");
  }

  /**
   * The rank of {@code target} for {@code hostId}: the first 8 bytes of SHA-256 over both, as an
   * unsigned number mapped onto a signed long's order. Stable across JVMs and restarts.
   */
  static long weight(String hostId, Target target) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(hostId.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      byte[] h = sha.digest(key(target).getBytes(StandardCharsets.UTF_8));
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (h[i] & 0xff);
      }
      return v ^ Long.MIN_VALUE;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
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
    // Sorted by address, duplicates dropped: the order must not depend on how DNS rotated its answer.
    TreeMap<byte[], InetAddress> addresses = new TreeMap<>(ControllerTargets::compareAddresses);
    try {
      InetAddress[] found = resolver.resolve(host);
      if (found != null) {
        for (InetAddress a : found) {
          if (a != null) {
            addresses.putIfAbsent(a.getAddress(), a);
          }
        }
      }
    } catch (UnknownHostException | RuntimeException e) {
      return List.of(new Target(entry, Optional.empty()));
    }
    if (addresses.size() <= 1) {
      return List.of(new Target(entry, Optional.empty()));
    }
    List<Target> out = new ArrayList<>(addresses.size());
    for (InetAddress a : addresses.values()) {
      out.add(new Target(entry, Optional.of(new InetSocketAddress(a, port))));
    }
    return out;
  }

  /** IPv4 (4 bytes) before IPv6 (16), then unsigned byte by byte. */
  private static int compareAddresses(byte[] a, byte[] b) {
    return a.length != b.length ? Integer.compare(a.length, b.length) : Arrays.compareUnsigned(a, b);
  }
}
