package io.labscan.controller.fleet;

import io.labscan.controller.verdict.Vocabulary;
import static java.util.Objects.requireNonNull;

import io.labscan.controller.verdict.Vocabulary;
import io.labscan.controller.verdict.HostEvidence;
import io.labscan.controller.verdict.Vocabulary;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.Vocabulary;
import java.time.Duration;
import io.labscan.controller.verdict.Vocabulary;
import java.time.Instant;
import io.labscan.controller.verdict.Vocabulary;
import java.util.ArrayList;
import io.labscan.controller.verdict.Vocabulary;
import java.util.List;
import io.labscan.controller.verdict.Vocabulary;
import java.util.Optional;

/**
 * Whether a host meets the lab policy. A host is compliant when its agent was seen in the
 * last hour, its antivirus definitions are FRESH, a full scan finished in the last 26 hours,
 * it made no SMTP egress that policy forbids, its verdict is CLEAN, and it is not quarantined (an
 * SMTP quarantine, docs/egress.md: reason "quarantined").
 */
public record Compliance(boolean seenRecently, boolean definitionsFresh, boolean fullScanRecent,
    boolean noSmtpEgress, boolean verdictClean, boolean notQuarantined) {

  /** A host that is not quarantined. */
  public Compliance(boolean seenRecently, boolean definitionsFresh, boolean fullScanRecent, boolean noSmtpEgress,
      boolean verdictClean) {
    this(seenRecently, definitionsFresh, fullScanRecent, noSmtpEgress, verdictClean, true);
  }

  public static final Duration SEEN_WITHIN = Vocabulary.SEEN_WITHIN;
  public static final Duration FULL_SCAN_WITHIN = Vocabulary.FULL_SCAN_WITHIN;

  public static Compliance evaluate(HostEvidence evidence, Optional<Verdict> verdict, Instant now) {
    return evaluate(evidence, verdict, now, false);
  }

  /** As {@link #evaluate(HostEvidence, Optional, Instant)}, for a host that may be quarantined. */
  public static Compliance evaluate(HostEvidence evidence, Optional<Verdict> verdict, Instant now,
      boolean quarantined) {
    requireNonNull(evidence, "evidence");
    requireNonNull(verdict, "verdict");
    requireNonNull(now, "now");
    boolean seen = !evidence.lastSeen().isBefore(now.minus(SEEN_WITHIN));
    boolean fresh = evidence.av().stream().anyMatch(a -> "FRESH".equals(a.state()));
    boolean scanned = evidence.lastFullScan().map(t -> !t.isBefore(now.minus(FULL_SCAN_WITHIN))).orElse(false);
    boolean noEgress = evidence.mailServer() || evidence.egressViolations().isEmpty();
    boolean clean = verdict.map(v -> v == Verdict.CLEAN).orElse(false);
    return new Compliance(seen, fresh, scanned, noEgress, clean, !quarantined);
  }

  public boolean compliant() {
    return seenRecently && definitionsFresh && fullScanRecent && noSmtpEgress && verdictClean && notQuarantined;
  }

  /** What keeps the host from being compliant, in plain words. */
  public List<String> shortfalls() {
    List<String> out = new ArrayList<>();
    if (!seenRecently) {
      out.add("agent not seen in the last hour");
    }
    if (!definitionsFresh) {
      out.add("antivirus definitions not FRESH");
    }
    if (!fullScanRecent) {
      out.add("no full scan in the last " + FULL_SCAN_WITHIN.toHours() + " h");
    }
    if (!noSmtpEgress) {
      out.add("SMTP egress policy does not allow");
    }
    if (!verdictClean) {
      out.add("verdict is not CLEAN");
    }
    if (!notQuarantined) {
      out.add("quarantined");
    }
    return out;
  }
}
