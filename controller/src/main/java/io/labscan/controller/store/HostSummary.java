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
    boolean demo,
    Optional<HostSummary.EffectiveLab> effectiveLab) {

  /**
   * The lab the fleet's lab rules put the host in, computed once when its inputs changed and
   * stored on the host (V015); every reader shows this one.
   *
   * @param source {@code rule}, {@code agent} or {@code none}
   * @param ruleId the matching rule's id, empty unless {@code source} is {@code rule}
   */
  public record EffectiveLab(String lab, String source, String ruleId) {
    public EffectiveLab {
      requireNonNull(lab, "lab");
      requireNonNull(source, "source");
      requireNonNull(ruleId, "ruleId");
    }
  }

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
    requireNonNull(effectiveLab, "effectiveLab");
  }

  /** A host whose effective lab was not computed yet. */
  public HostSummary(String hostId, String hostname, String osFamily, String osVersion, String agentVersion,
      String lab, boolean elevated, List<String> currentAddresses, Instant firstSeen, Instant lastSeen,
      Optional<Instant> lastReport, Optional<Instant> lastFullScan, boolean demo) {
    this(hostId, hostname, osFamily, osVersion, agentVersion, lab, elevated, currentAddresses, firstSeen, lastSeen,
        lastReport, lastFullScan, demo, Optional.empty());
  }

  /** A real host (not demo data). */
  public HostSummary(String hostId, String hostname, String osFamily, String osVersion, String agentVersion,
      String lab, boolean elevated, List<String> currentAddresses, Instant firstSeen, Instant lastSeen,
      Optional<Instant> lastReport, Optional<Instant> lastFullScan) {
    this(hostId, hostname, osFamily, osVersion, agentVersion, lab, elevated, currentAddresses, firstSeen, lastSeen,
        lastReport, lastFullScan, false, Optional.empty());
  }
}
