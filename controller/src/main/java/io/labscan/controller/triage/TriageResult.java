package io.labscan.controller.triage;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * The answer: where the mail came from and which hosts probably sent it.
 *
 * <p>JSON ({@code @JsonValue}, any ObjectMapper): {@code origin} ({@code ip}, {@code time}
 * ISO-8601 UTC, {@code hop}, …, or null), {@code claimedSender}, {@code claimedSenderHost},
 * {@code candidates[]} ({@code hostId}, {@code hostname}, {@code confidence}, {@code
 * reasons[]}), {@code complaints[]}, {@code warnings[]}, {@code conflicts[]} (see {@link
 * AddressConflict}).
 *
 * @param complaints each complaint triaged, in the order given
 * @param candidates hosts, most likely first
 * @param warnings what limited the answer
 * @param conflicts origins that several hosts claimed at once
 */
public record TriageResult(
    List<ComplaintSummary> complaints, List<Candidate> candidates, List<String> warnings,
    List<AddressConflict> conflicts) {

  public TriageResult {
    complaints = List.copyOf(complaints);
    candidates = List.copyOf(candidates);
    warnings = List.copyOf(warnings);
    conflicts = List.copyOf(conflicts);
  }

  /** An answer without address conflicts. */
  public TriageResult(List<ComplaintSummary> complaints, List<Candidate> candidates, List<String> warnings) {
    this(complaints, candidates, warnings, List.of());
  }

  /** The first complaint's origin (or the first one any complaint has). */
  public Optional<Origin> origin() {
    return complaints.stream().map(ComplaintSummary::origin).flatMap(Optional::stream).findFirst();
  }

  /** The first complaint's claimed sender (or the first one any complaint has). */
  public Optional<String> claimedSender() {
    return complaints.stream().map(ComplaintSummary::claimedSender).flatMap(Optional::stream).findFirst();
  }

  /**
   * Which part of its input the complaint that gave {@link #origin()} was traced through (the
   * first complaint's, when none has an origin).
   */
  public Optional<String> tracedPart() {
    return complaints.stream().filter(c -> c.origin().isPresent()).findFirst()
        .or(() -> complaints.stream().findFirst())
        .map(ComplaintSummary::tracedPart);
  }

  /** The machine of the first claimed sender, when known. */
  public Optional<HostState> claimedSenderHost() {
    return complaints.stream()
        .filter(c -> c.claimedSender().isPresent())
        .findFirst()
        .flatMap(ComplaintSummary::claimedSenderHost);
  }

  @JsonValue
  public ObjectNode toJson() {
    ObjectNode n = Json.object();
    Optional<Origin> origin = origin();
    if (origin.isPresent()) {
      n.set("origin", origin.get().toJson());
    } else {
      n.putNull("origin");
    }
    Json.put(n, "claimedSender", claimedSender());
    Json.put(n, "tracedPart", tracedPart());
    Optional<HostState> host = claimedSenderHost();
    if (host.isPresent()) {
      n.set("claimedSenderHost", host.get().toJson());
    } else {
      n.putNull("claimedSenderHost");
    }
    ArrayNode c = n.putArray("candidates");
    candidates.forEach(x -> c.add(x.toJson()));
    ArrayNode all = n.putArray("complaints");
    complaints.forEach(x -> all.add(x.toJson()));
    Json.strings(n, "warnings", warnings);
    ArrayNode k = n.putArray("conflicts");
    conflicts.forEach(x -> k.add(x.toJson()));
    return n;
  }
}
