package io.labscan.controller.triage;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One complaint as the triage result shows it.
 *
 * @param claimedSender the From: address (a claim, never the source)
 * @param claimedSenderHost the machine of the person that address belongs to, when known:
 *     usually an innocent victim of the forgery, whose state the operator will want to see
 * @param tracedPart which part of the input was traced ({@link ParsedComplaint#tracedPart()})
 * @param forwardedBy who forwarded the complaint, when it was forwarded
 * @param hops the complaint's Received: lines, marked trusted, boundary or claimed, with their
 *     trust sources
 * @param ownerSource how the claimed sender's machine was found ({@link TriageEvidence#OWNER_ADMIN}
 *     or {@link TriageEvidence#OWNER_LOGINS}); JSON {@code claimedSenderHost.ownerSource}
 */
public record ComplaintSummary(
    ComplaintKind kind,
    Optional<String> claimedSender,
    Optional<HostState> claimedSenderHost,
    Optional<String> subject,
    Optional<Origin> origin,
    String tracedPart,
    Optional<String> forwardedBy,
    List<TracedHop> hops,
    Optional<String> ownerSource) {

  /** A summary whose claimed sender's machine, if any, an administrator mapped. */
  public ComplaintSummary(
      ComplaintKind kind,
      Optional<String> claimedSender,
      Optional<HostState> claimedSenderHost,
      Optional<String> subject,
      Optional<Origin> origin,
      String tracedPart,
      Optional<String> forwardedBy,
      List<TracedHop> hops) {
    this(kind, claimedSender, claimedSenderHost, subject, origin, tracedPart, forwardedBy, hops,
        claimedSenderHost.map(h -> TriageEvidence.OWNER_ADMIN));
  }

  /** A summary of a complaint traced through its own header block, without the Received: chain. */
  public ComplaintSummary(
      ComplaintKind kind,
      Optional<String> claimedSender,
      Optional<HostState> claimedSenderHost,
      Optional<String> subject,
      Optional<Origin> origin) {
    this(kind, claimedSender, claimedSenderHost, subject, origin, ParsedComplaint.ITSELF,
        Optional.empty(), List.of());
  }

  /** A summary without the Received: chain. */
  public ComplaintSummary(
      ComplaintKind kind,
      Optional<String> claimedSender,
      Optional<HostState> claimedSenderHost,
      Optional<String> subject,
      Optional<Origin> origin,
      String tracedPart,
      Optional<String> forwardedBy) {
    this(kind, claimedSender, claimedSenderHost, subject, origin, tracedPart, forwardedBy, List.of());
  }

  public ComplaintSummary {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(claimedSender, "claimedSender");
    Objects.requireNonNull(claimedSenderHost, "claimedSenderHost");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(tracedPart, "tracedPart");
    Objects.requireNonNull(forwardedBy, "forwardedBy");
    hops = List.copyOf(hops);
    Objects.requireNonNull(ownerSource, "ownerSource");
  }

  @JsonValue
  public ObjectNode toJson() {
    ObjectNode n = Json.object();
    n.put("kind", kind.name());
    Json.put(n, "claimedSender", claimedSender);
    if (claimedSenderHost.isPresent()) {
      ObjectNode host = claimedSenderHost.get().toJson();
      Json.put(host, "ownerSource", ownerSource);
      n.set("claimedSenderHost", host);
    } else {
      n.putNull("claimedSenderHost");
    }
    Json.put(n, "subject", subject);
    if (origin.isPresent()) {
      n.set("origin", origin.get().toJson());
    } else {
      n.putNull("origin");
    }
    n.put("tracedPart", tracedPart);
    Json.put(n, "forwardedBy", forwardedBy);
    ArrayNode a = n.putArray("hops");
    hops.forEach(h -> a.add(h.toJson()));
    return n;
  }
}
