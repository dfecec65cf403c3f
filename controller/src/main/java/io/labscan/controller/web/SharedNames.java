package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labscan.controller.account.Principal;
import io.labscan.controller.fleet.Fleet;
import io.labscan.controller.fleet.HostStatus;
import io.labscan.controller.store.HostNames;
import io.labscan.controller.text.HostnameKey;
import io.labscan.controller.text.NameHistory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which hostnames the pages must show with their host id (issue 15, D: "hostnames are claims:
 * duplicates are shown with their host ids everywhere"). The rule is the CLI's and the triage
 * answer's, {@link HostnameKey#isShared}: a name is shared when another host's name has the same
 * {@link HostnameKey} (equal, or printing the same: case, invisible characters, full-width
 * forms, Cyrillic/Greek look-alikes). Every JSON object of the API that names a host carries
 * {@code nameShared} beside {@code hostname}; the pages ({@code LS.hostLink}) print the id when
 * it is true, so no page decides on its own.
 *
 * <p>Counted over the hosts the caller sees (all for an admin or viewer, the lab's for a lab
 * manager): a lab manager is not told that a host of another lab carries a look-alike of a
 * name, as they are not told that the other host exists at all. One pass over the visible hosts
 * per request, as the lists already read them.
 *
 * <p>Names are compared over the hosts' name history too ({@link HostNames}, red-team R9): a
 * host that takes a name another host holds, or held within {@link NameHistory#SHARED_FOR},
 * makes the name shared, so the worm's host that calls itself lab-pc-12 after it mailed and
 * Harold's lab-pc-12 are both shown with their ids, whatever either reports at the moment.
 */
final class SharedNames {
  private SharedNames() {}

  /** The shared name keys among {@code hosts}, their current names and those they gave up lately. */
  static Set<String> among(Fleet fleet, Collection<HostStatus> hosts) {
    requireNonNull(fleet, "fleet");
    requireNonNull(hosts, "hosts");
    List<Map.Entry<String, String>> names = new ArrayList<>();
    hosts.forEach(h -> names.add(Map.entry(h.summary().hostId(), h.summary().hostname())));
    names.addAll(HostNames.formerNames(fleet.store().database(),
        hosts.stream().map(h -> h.summary().hostId()).toList(), fleet.now().minus(NameHistory.SHARED_FOR)));
    return HostnameKey.shared(names);
  }

  /** The shared name keys among the hosts {@code principal} may see. */
  static Set<String> visibleTo(Fleet fleet, Principal principal) {
    requireNonNull(fleet, "fleet");
    requireNonNull(principal, "principal");
    List<HostStatus> all = fleet.hosts();
    return among(fleet, principal.seesAllLabs() ? all : all.stream().filter(h -> principal.sees(h.lab().lab())).toList());
  }

  /** Puts {@code nameShared} into {@code o}, the JSON of a host named {@code hostname}. */
  static ObjectNode mark(ObjectNode o, String hostname, Set<String> sharedKeys) {
    return o.put("nameShared", HostnameKey.isShared(sharedKeys, hostname));
  }
}
