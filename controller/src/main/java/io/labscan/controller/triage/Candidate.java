package io.labscan.controller.triage;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labscan.controller.text.NameHistory;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A host that may have sent the complained-about mail.
 *
 * @param confidence 0..1, see {@link Triage} for the formula
 * @param reasons each piece of evidence in plain words, with its weight
 * @param networkEvidence whether the host is tied to a traced origin (it held the origin's
 *     address, or sent SMTP around its time). Without it the candidate rests on the harvested
 *     address book alone, that is on addresses the sender chose (From, To, Cc), and is never
 *     recorded as verdict evidence however high its confidence: an origin outside the fleet must
 *     not turn into a lab machine whose address book happens to hold those addresses. A holding
 *     that covers the origin time only through the store's back-filled start, before the host
 *     first reported the address ({@link AddressHolding#assumedAt}), is an assumption, not
 *     network evidence: a candidate resting on it alone is not recorded either.
 * @param networkConfidence 0..{@code confidence}: the confidence from network evidence alone
 *     (holder, egress, silent holder, conflict shares), after every cap and without the address
 *     book (issue 15, red-team round 7, S1/S2/S5). It alone decides recording ({@link
 *     #recordable(double)}) and the sentence's confidence word: the address book is the sender's
 *     choice of From/To matched against some colleague's harvest, so it ranks and is shown, but
 *     never carries a candidate over the threshold. See {@link Triage} for how weights capped
 *     below recording combine.
 * @param nameAtTime the name the host reported at the mail's time ({@link NameHistory#nameAt}),
 *     when known: {@code hostname} is only the newest report's claim, which a worm that controls
 *     the host can change after it mailed (issue 15, D, red-team R9)
 * @param renamedAt when the host took its current name, when that differs from {@code
 *     nameAtTime}: the answer then says "lab-pc-07, now calling itself lab-pc-12 since 14:05"
 */
public record Candidate(String hostId, String hostname, double confidence, List<String> reasons,
    boolean networkEvidence, double networkConfidence, Optional<String> nameAtTime, Optional<Instant> renamedAt) {
  /** A candidate named as last reported (no name history applied yet). */
  public Candidate(String hostId, String hostname, double confidence, List<String> reasons,
      boolean networkEvidence, double networkConfidence) {
    this(hostId, hostname, confidence, reasons, networkEvidence, networkConfidence, Optional.empty(), Optional.empty());
  }

  /** A candidate whose confidence is all network evidence, or (without it) all address book. */
  public Candidate(String hostId, String hostname, double confidence, List<String> reasons,
      boolean networkEvidence) {
    this(hostId, hostname, confidence, reasons, networkEvidence, networkEvidence ? confidence : 0);
  }

  /** A candidate tied to the traced origin by network evidence alone (its whole confidence). */
  public Candidate(String hostId, String hostname, double confidence, List<String> reasons) {
    this(hostId, hostname, confidence, reasons, true);
  }

  public Candidate {
    Objects.requireNonNull(hostId, "hostId");
    Objects.requireNonNull(hostname, "hostname");
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new IllegalArgumentException("confidence outside 0..1: " + confidence);
    }
    if (!(networkConfidence >= 0 && networkConfidence <= 1)) {
      throw new IllegalArgumentException("network confidence outside 0..1: " + networkConfidence);
    }
    reasons = List.copyOf(reasons);
    Objects.requireNonNull(nameAtTime, "nameAtTime");
    Objects.requireNonNull(renamedAt, "renamedAt");
  }

  /** This candidate named by {@code history} at {@code at}, the mail's time. */
  public Candidate namedAt(NameHistory history, Instant at) {
    return new Candidate(hostId, hostname, confidence, reasons, networkEvidence, networkConfidence, history.nameAt(at),
        history.renamedSince(at));
  }

  /** The name to call the host by for this mail: its name at the mail's time, else the last reported one. */
  public String nameThen() {
    return nameAtTime.orElse(hostname);
  }

  /**
   * Whether this candidate is recorded as evidence from {@code threshold} on: its network
   * confidence reaches it and some of that evidence rests on a report (not only on an assumed
   * holding). The address book never counts here.
   */
  public boolean recordable(double threshold) {
    return networkEvidence && networkConfidence >= threshold;
  }

  @JsonValue
  public ObjectNode toJson() {
    ObjectNode n = Json.object();
    n.put("hostId", hostId);
    n.put("hostname", hostname);
    n.put("confidence", confidence);
    n.put("networkConfidence", networkConfidence);
    Json.strings(n, "reasons", reasons);
    n.put("nameAtTime", nameAtTime.orElse(null));
    n.put("renamedAt", renamedAt.map(Instant::toString).orElse(null));
    return n;
  }
}
