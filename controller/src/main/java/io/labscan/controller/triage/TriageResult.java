package io.labscan.controller.triage;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The answer: where the mail came from and which hosts probably sent it.
 *
 * <p>JSON ({@code @JsonValue}, any ObjectMapper): {@code origin} ({@code ip}, {@code time}
 * ISO-8601 UTC, {@code hop}, …, or null), {@code claimedSender}, {@code claimedSenderHost},
 * {@code candidates[]} ({@code hostId}, {@code hostname}, {@code confidence}, {@code
 * reasons[]}), {@code complaints[]}, {@code warnings[]}, {@code conflicts[]} (see {@link
 * AddressConflict}), {@code summary} (the one-sentence answer), {@code recordable} and
 * {@code recordableBecause}.
 *
 * @param complaints each complaint triaged, in the order given
 * @param candidates hosts, most likely first
 * @param warnings what limited the answer
 * @param conflicts origins that several hosts claimed at once
 */
public record TriageResult(
    List<ComplaintSummary> complaints, List<Candidate> candidates, List<String> warnings,
    List<AddressConflict> conflicts, Set<String> sharedNames) {

  /**
   * @param sharedNames the {@link io.labscan.controller.text.HostnameKey} keys more than one host
   *     of the fleet has: the answer names such a host with its id
   */
  public TriageResult {
    complaints = List.copyOf(complaints);
    candidates = List.copyOf(candidates);
    warnings = List.copyOf(warnings);
    conflicts = List.copyOf(conflicts);
    sharedNames = Set.copyOf(sharedNames);
  }

  /** An answer whose hosts' names are all unique in the fleet. */
  public TriageResult(List<ComplaintSummary> complaints, List<Candidate> candidates, List<String> warnings,
      List<AddressConflict> conflicts) {
    this(complaints, candidates, warnings, conflicts, Set.of());
  }

  /** Whether another host of the fleet has this name, or one that prints the same. */
  public boolean nameShared(String hostname) {
    return io.labscan.controller.text.HostnameKey.isShared(sharedNames, hostname);
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

  /**
   * How {@link #claimedSenderHost()} was found: {@link TriageEvidence#OWNER_ADMIN} (an
   * administrator's mapping) or {@link TriageEvidence#OWNER_LOGINS} (a login, an agent's claim).
   */
  public Optional<String> claimedSenderOwnerSource() {
    return complaints.stream()
        .filter(c -> c.claimedSender().isPresent())
        .findFirst()
        .flatMap(c -> c.claimedSenderHost().isPresent() ? c.ownerSource() : Optional.empty());
  }

  /**
   * Whether this answer may become evidence for verdicts: every complaint that gave an origin
   * must rest on a boundary line an MTA of ours wrote ({@link Origin#recordable()}), and at
   * least one must give an origin.
   */
  public boolean recordable() {
    List<Origin> origins = complaints.stream().map(ComplaintSummary::origin).flatMap(Optional::stream).toList();
    return !origins.isEmpty() && origins.stream().allMatch(Origin::recordable);
  }

  /** Why {@link #recordable()} says what it says, in words. */
  public String recordableBecause() {
    boolean several = complaints.size() > 1;
    for (int i = 0; i < complaints.size(); i++) {
      Optional<Origin> o = complaints.get(i).origin();
      if (o.isPresent() && !o.get().recordable()) {
        return (several ? "complaint " + (i + 1) + ": " : "") + o.get().recordableBecause();
      }
    }
    if (origin().isEmpty()) {
      return "no origin could be determined, so nothing rests on a line an MTA of ours wrote";
    }
    return several ? "every complaint's origin was recorded by an MTA of ours"
        : origin().orElseThrow().recordableBecause();
  }

  /** The one-sentence answer ({@link AnswerSentence}). */
  public String summary() {
    return AnswerSentence.of(this);
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
      ObjectNode h = host.get().toJson();
      Json.put(h, "ownerSource", claimedSenderOwnerSource());
      n.set("claimedSenderHost", h);
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
    n.put("summary", summary());
    n.put("recordable", recordable());
    n.put("recordableBecause", recordableBecause());
    return n;
  }
}
