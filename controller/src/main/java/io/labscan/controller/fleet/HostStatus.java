package io.labscan.controller.fleet;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.HostSummary;
import io.labscan.controller.verdict.HostEvidence;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import java.util.List;
import java.util.Optional;

/**
 * One host as the dashboard shows it: inventory, effective lab, verdict, compliance.
 *
 * @param antivirus the latest antivirus statuses (one per provider)
 * @param egressViolations SMTP egress windows policy does not allow, within the look-back
 */
public record HostStatus(HostSummary summary, LabRules.Assignment lab, Optional<VerdictRecord> verdict,
    Compliance compliance, List<HostEvidence.Av> antivirus, int egressViolations) {

  public HostStatus {
    requireNonNull(summary, "summary");
    requireNonNull(lab, "lab");
    requireNonNull(verdict, "verdict");
    requireNonNull(compliance, "compliance");
    antivirus = List.copyOf(antivirus);
  }

  /** FRESH when any product is fresh, else the first state reported, else NONE. */
  public String antivirusState() {
    if (antivirus.stream().anyMatch(a -> "FRESH".equals(a.state()))) {
      return "FRESH";
    }
    return antivirus.isEmpty() ? "NONE" : antivirus.get(0).state();
  }

  /** The verdict's name, or PENDING before the first verdict was computed. */
  public String verdictName() {
    return verdict.map(v -> v.verdict().name()).orElse("PENDING");
  }
}
