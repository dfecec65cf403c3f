package io.labscan.agent.inventory;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.net.Addresses;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Notices when this machine's IP addresses change — a DHCP lease renumbered it, it moved to
 * another network, it rebooted — so that the agent reports its inventory at once rather than
 * at the next scan. The controller answers "who held this address at that time?" from those
 * reports; a stale answer would blame the previous holder of an address for the mail of the
 * next one, or the next holder for the mail of the previous one.
 */
public final class AddressWatch {
  /** How often the agent looks (listing the interfaces is cheap). */
  public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(15);

  private final Supplier<Set<String>> addresses;
  private final Duration period;
  private Optional<Set<String>> reported = Optional.empty();

  /**
   * @param addresses the machine's current addresses (canonical text; loopback and link-local left out)
   * @param period how often {@link #changed()} is asked
   */
  public AddressWatch(Supplier<Set<String>> addresses, Duration period) {
    this.addresses = requireNonNull(addresses, "addresses");
    this.period = requireNonNull(period, "period");
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive: " + period);
    }
  }

  /** Watches the network interfaces the JVM sees (its own network namespace on Linux). */
  public static AddressWatch ofThisMachine() {
    return new AddressWatch(AddressWatch::interfaceAddresses, DEFAULT_PERIOD);
  }

  public Duration period() {
    return period;
  }

  /**
   * The current addresses when they differ from the last {@link #reported} ones; at the first
   * call (nothing reported yet) always. Empty when nothing changed or the interfaces cannot be
   * read.
   */
  public synchronized Optional<Set<String>> changed() {
    Set<String> now;
    try {
      now = Set.copyOf(addresses.get());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    return reported.isPresent() && reported.get().equals(now) ? Optional.empty() : Optional.of(now);
  }

  /** True until addresses were {@link #reported} once: the agent has just started. */
  public synchronized boolean isFirstLook() {
    return reported.isEmpty();
  }

  /** Records that an inventory with {@code addresses} went to the controller. */
  public synchronized void reported(Set<String> addresses) {
    reported = Optional.of(Set.copyOf(requireNonNull(addresses, "addresses")));
  }

  static Set<String> interfaceAddresses() {
    Set<String> out = new TreeSet<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
            Addresses.canonical(a.getHostAddress()).ifPresent(out::add);
          }
        }
      }
    } catch (SocketException e) {
      throw new IllegalStateException("cannot list network interfaces: " + e.getMessage(), e);
    }
    return out;
  }
}
