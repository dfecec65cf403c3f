package io.labscan.controller.cli;

import io.labscan.controller.text.HostnameKey;
import io.labscan.controller.text.Text;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.Storage;
import java.util.List;
import java.util.Optional;

/** Finds the host an operator names: a host id, or a hostname when exactly one host has it. */
final class HostLookup {
  private HostLookup() {}

  /** The host, or empty after telling the operator on stderr why not. */
  static Optional<HostSummary> find(Storage store, String command, String idOrName) {
    Optional<HostSummary> byId = store.host(idOrName);
    if (byId.isPresent()) {
      return byId;
    }
    // Compared by HostnameKey: a look-alike ("lab-pc-07" + U+200B, full-width letters) is the
    // same name, so it is ambiguous rather than silently the wrong host.
    String key = HostnameKey.of(idOrName);
    List<HostSummary> byName = key.isEmpty() ? List.of()
        : store.hosts().stream().filter(h -> HostnameKey.of(h.hostname()).equals(key)).toList();
    if (byName.size() == 1) {
      return Optional.of(byName.get(0));
    }
    System.err.println("labscan-controller " + command + ": " + (byName.isEmpty()
        ? "no host with id or name '" + Text.terminalSafe(idOrName, 80) + "'."
        : byName.size() + " hosts are named '" + Text.terminalSafe(idOrName, 80) + "'; give the host id: "
            + byName.stream().map(HostSummary::hostId).toList()));
    return Optional.empty();
  }
}
