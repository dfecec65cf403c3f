package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labscan.controller.account.Principal;
import io.labscan.controller.fleet.Fleet;
import io.labscan.controller.fleet.HostStatus;
import io.labscan.controller.text.HostnameKey;
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
 */
final class SharedNames {
  private SharedNames() {}

  /** The shared name keys among {@code hosts}. */
  static Set<String> among(Collection<HostStatus> hosts) {
    requireNonNull(hosts, "hosts");
    List<Map.Entry<String, String>> names = hosts.stream()
        .map(h -> Map.entry(h.summary().hostId(), h.summary().hostname())).toList();
    return HostnameKey.shared(names);
  }

  /** The shared name keys among the hosts {@code principal} may see. */
  static Set<String> visibleTo(Fleet fleet, Principal principal) {
    requireNonNull(fleet, "fleet");
    requireNonNull(principal, "principal");
    List<HostStatus> all = fleet.hosts();
    return among(principal.seesAllLabs() ? all : all.stream().filter(h -> principal.sees(h.lab().lab())).toList());
  }

  /** Puts {@code nameShared} into {@code o}, the JSON of a host named {@code hostname}. */
  static ObjectNode mark(ObjectNode o, String hostname, Set<String> sharedKeys) {
    return o.put("nameShared", HostnameKey.isShared(sharedKeys, hostname));
  }
}
