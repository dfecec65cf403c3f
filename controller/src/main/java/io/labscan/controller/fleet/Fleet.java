package io.labscan.controller.fleet;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.campaign.TargetResolver;
import io.labscan.controller.quarantine.Quarantines;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.HostEvidence;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The dashboard's read model: every host with its lab, verdict and compliance, computed now. */
public final class Fleet {
  /** Settings key of the sample complaint the Triage page offers (the demo stores Janet's). */
  public static final String TRIAGE_SAMPLE = "triage-sample";
  /** Settings key of that sample's one-line description. */
  public static final String TRIAGE_SAMPLE_NAME = "triage-sample-name";

  private final Storage store;
  private final LabRules labRules;
  private final VerdictPolicy policy;
  private final Quarantines quarantines;
  private final Clock clock;

  /** The composition root's fleet: quarantine orders read through the shared {@link Quarantines}. */
  public Fleet(Storage store, LabRules labRules, VerdictPolicy policy, Quarantines quarantines, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.labRules = requireNonNull(labRules, "labRules");
    this.policy = requireNonNull(policy, "policy");
    this.quarantines = requireNonNull(quarantines, "quarantines");
    this.clock = requireNonNull(clock, "clock");
  }

  public Storage store() {
    return store;
  }

  public LabRules labRules() {
    return labRules;
  }

  /** The verdict thresholds this fleet's verdicts use (shown by {@code GET /api/v1/meta}). */
  public VerdictPolicy policy() {
    return policy;
  }

  public Clock clock() {
    return clock;
  }

  /** The quarantine orders this fleet's hosts are shown with (and the web API changes). */
  public Quarantines quarantines() {
    return quarantines;
  }

  public Instant now() {
    return clock.instant();
  }

  public List<HostStatus> hosts() {
    Instant now = clock.instant();
    List<LabRule> rules = labRules.list();
    Map<String, VerdictRecord> verdicts = store.verdicts().stream()
        .collect(Collectors.toMap(VerdictRecord::hostId, Function.identity(), (a, b) -> a));
    java.util.Set<String> quarantined = quarantines.quarantinedHosts();
    List<HostStatus> out = new ArrayList<>();
    for (HostSummary h : store.hosts()) {
      status(h, rules, Optional.ofNullable(verdicts.get(h.hostId())), now, quarantined.contains(h.hostId()))
          .ifPresent(out::add);
    }
    return out;
  }

  /** The hosts a campaign covers: a lab's as lab rules place them now, or every host. */
  public TargetResolver targets() {
    return lab -> hosts().stream()
        .filter(h -> lab.map(l -> l.equals(h.lab().lab())).orElse(true))
        .map(h -> h.summary().hostId()).toList();
  }

  public Optional<HostStatus> host(String hostId) {
    Instant now = clock.instant();
    boolean quarantined = quarantines.isQuarantined(hostId);
    return store.host(hostId).flatMap(h -> status(h, labRules.list(), store.verdict(hostId), now, quarantined));
  }

  private Optional<HostStatus> status(HostSummary h, List<LabRule> rules, Optional<VerdictRecord> verdict,
      Instant now, boolean quarantined) {
    Optional<HostEvidence> evidence = store.evidence(h.hostId(), now, policy);
    return evidence.map(e -> new HostStatus(h,
        LabRules.effective(h, () -> rules), verdict,
        Compliance.evaluate(e, verdict.map(VerdictRecord::verdict), now, quarantined), e.av(),
        e.mailServer() ? 0 : e.egressViolations().size()));
  }
}
