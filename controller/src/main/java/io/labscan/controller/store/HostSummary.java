package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One host as the controller knows it. Text fields come from the endpoint and are
 * untrusted: every renderer escapes them.
 *
 * @param demo whether the host is simulated demo data ({@code labscan-controller demo} loads a
 *     simulated lab; its hosts have the role {@code demo-data} and are marked wherever shown)
 */
public record HostSummary(
    String hostId,
    String hostname,
    String osFamily,
    String osVersion,
    String agentVersion,
    String lab,
    boolean elevated,
    List<String> currentAddresses,
    Instant firstSeen,
    Instant lastSeen,
    Optional<Instant> lastReport,
    Optional<Instant> lastFullScan,
    boolean demo) {

  public HostSummary {
    requireNonNull(hostId, "hostId");
    requireNonNull(hostname, "hostname");
    requireNonNull(osFamily, "osFamily");
    requireNonNull(osVersion, "osVersion");
    requireNonNull(agentVersion, "agentVersion");
    requireNonNull(lab, "lab");
    currentAddresses = List.copyOf(currentAddresses);
    requireNonNull(firstSeen, "firstSeen");
    requireNonNull(lastSeen, "lastSeen");
    requireNonNull(lastReport, "lastReport");
    requireNonNull(lastFullScan, "lastFullScan");
  }

  /** A real host (not demo data). */
  public HostSummary(String hostId, String hostname, String osFamily, String osVersion, String agentVersion,
      String lab, boolean elevated, List<String> currentAddresses, Instant firstSeen, Instant lastSeen,
      Optional<Instant> lastReport, Optional<Instant> lastFullScan) {
    this(hostId, hostname, osFamily, osVersion, agentVersion, lab, elevated, currentAddresses, firstSeen, lastSeen,
        lastReport, lastFullScan, false);
  }
}
