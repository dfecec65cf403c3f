package io.labscan.controller.cli;

import io.labscan.controller.store.HostNames;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.Storage;
import io.labscan.controller.text.HostnameKey;
import io.labscan.controller.text.NameHistory;
import io.labscan.controller.text.Text;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the host an operator names: a host id, or a hostname when exactly one host has it, or
 * had it within {@link NameHistory#SHARED_FOR} (issue 15, D, red-team R9: a host that took
 * another machine's name makes the name ambiguous, so {@code --host lab-pc-12} never silently
 * acts on the worm's host that calls itself lab-pc-12 now, nor on Harold's machine).
 */
final class HostLookup {
  private HostLookup() {}

  /**
   * The host, or empty after telling the operator on stderr why not.
   *
   * @param now the command's time (its clock), which bounds the names given up lately
   */
  static Optional<HostSummary> find(Storage store, String command, String idOrName, Instant now) {
    Optional<HostSummary> byId = store.host(idOrName);
    if (byId.isPresent()) {
      return byId;
    }
    List<HostSummary> byName = named(store, idOrName, now);
    if (byName.size() == 1) {
      return Optional.of(byName.get(0));
    }
    System.err.println("labscan-controller " + command + ": " + (byName.isEmpty()
        ? "no host with id or name '" + Text.terminalSafe(idOrName, 80) + "'." : ambiguous(idOrName, byName)));
    return Optional.empty();
  }

  /**
   * The hosts named {@code name} now, or within {@link NameHistory#SHARED_FOR}, in id order.
   * Compared by HostnameKey: a look-alike ("lab-pc-07" + U+200B, full-width letters) is the same
   * name, so it is ambiguous rather than silently the wrong host.
   */
  static List<HostSummary> named(Storage store, String name, Instant now) {
    String key = HostnameKey.of(name);
    Set<String> ids = new TreeSet<>();
    if (!key.isEmpty()) {
      store.hosts().stream().filter(h -> HostnameKey.of(h.hostname()).equals(key)).forEach(h -> ids.add(h.hostId()));
      ids.addAll(HostNames.hostsNamed(store.database(), name, now.minus(NameHistory.SHARED_FOR)));
    }
    return ids.stream().map(store::host).flatMap(Optional::stream).toList();
  }

  /** Why {@code name} names no single host, listing the ids of the hosts that have or had it. */
  static String ambiguous(String name, List<HostSummary> named) {
    String key = HostnameKey.of(name);
    return named.size() + " hosts are named '" + Text.terminalSafe(name, 80) + "'; give the host id: "
        + named.stream().map(HostSummary::hostId).toList() + formerly(named, key);
  }

  /** The hosts among {@code named} that held the name only in the past, with the name they report now. */
  private static String formerly(List<HostSummary> named, String key) {
    List<String> former = named.stream().filter(h -> !HostnameKey.of(h.hostname()).equals(key))
        .map(h -> h.hostId() + " now reports " + Text.terminalSafe(h.hostname(), 80)).toList();
    return former.isEmpty() ? "" : " (counting names held within the last " + NameHistory.SHARED_FOR.toDays()
        + " days: " + String.join("; ", former) + ")";
  }
}
