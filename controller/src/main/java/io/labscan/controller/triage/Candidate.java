package io.labscan.controller.triage;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

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
 */
public record Candidate(String hostId, String hostname, double confidence, List<String> reasons,
    boolean networkEvidence) {
  /** A candidate tied to the traced origin by network evidence. */
  public Candidate(String hostId, String hostname, double confidence, List<String> reasons) {
    this(hostId, hostname, confidence, reasons, true);
  }

  public Candidate {
    Objects.requireNonNull(hostId, "hostId");
    Objects.requireNonNull(hostname, "hostname");
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new IllegalArgumentException("confidence outside 0..1: " + confidence);
    }
    reasons = List.copyOf(reasons);
  }

  @JsonValue
  public ObjectNode toJson() {
    ObjectNode n = Json.object();
    n.put("hostId", hostId);
    n.put("hostname", hostname);
    n.put("confidence", confidence);
    Json.strings(n, "reasons", reasons);
    return n;
  }
}
