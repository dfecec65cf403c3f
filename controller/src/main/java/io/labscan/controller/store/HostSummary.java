package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One host as the controller knows it. Text fields come from the endpoint and are
 * untrusted: every renderer escapes them.
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
    Optional<Instant> lastFullScan) {

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
}
