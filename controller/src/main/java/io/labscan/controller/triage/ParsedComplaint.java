package io.labscan.controller.triage;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A complaint, read and traced. For bounces and ARF reports every message field (sender,
 * subject, hops …) describes the embedded original, the message the complaint is about.
 *
 * @param kind what was fed in
 * @param claimedSender the From: address (lower case): who the message claims to be from,
 *     never evidence of who sent it
 * @param recipients To: and Cc: addresses, plus Final-Recipient (bounces) or Original-Rcpt-To
 *     (ARF), lower case, each once
 * @param subject decoded Subject:
 * @param messageId Message-ID:
 * @param date the Date: header (the sender's clock, a claim)
 * @param hops every Received: line, topmost first, marked trusted, boundary or claimed
 * @param origin the trusted origin, when one could be determined
 * @param report the bounce's or report's own fields
 * @param warnings what limited the answer, in plain words
 * @param tracedPart which part of the input was traced, in words: {@value #ITSELF} for a plain
 *     message, e.g. "attachment 1 of the message, forwarded by janet@example.edu" for a forward
 * @param forwardedBy the From: address of whoever forwarded the complaint (the outermost
 *     forward), when it was forwarded: never a claimed sender, recipient or candidate
 * @param directSender when the complaint carries a message and its own header block shows that
 *     a LabScan host handed it straight to our mail server, unauthenticated, while nothing tells
 *     whether a person forwarded it or the host's own software wrote the carried message
 *     ({@link CarrierSender}, the unresolved case): that host, as "lab-pc-07 (10.20.3.17)". The
 *     carried message was traced; the answer is never recorded and its confidence is capped
 *     ({@link Triage#UNRESOLVED_CARRIER_CAP})
 * @param unverifiedCarrier the warning when the carried part's forward was not an authenticated
 *     submission and nobody is named as its direct sender
 * @param directSenderOrigin with {@code directSender}: the carrying message's own trusted origin
 *     (the address our MTA recorded, its time and hop), whose holder the triage makes a candidate
 *     (issue 15, red-team round 4, F3)
 */
public record ParsedComplaint(
    ComplaintKind kind,
    Optional<String> claimedSender,
    List<String> recipients,
    Optional<String> subject,
    Optional<String> messageId,
    Optional<Instant> date,
    List<TracedHop> hops,
    Optional<Origin> origin,
    Optional<ReportDetails> report,
    List<String> warnings,
    String tracedPart,
    Optional<String> forwardedBy,
    Optional<String> directSender,
    Optional<String> unverifiedCarrier,
    Optional<Origin> directSenderOrigin) {

  /** {@code tracedPart} of a message traced through its own header block. */
  public static final String ITSELF = "the message itself";

  /**
   * A complaint traced through its own header block: not forwarded, no carrier in doubt. The one
   * constructor is the canonical one, so no field can be dropped by a shorter overload; other
   * shapes are made with the {@code with…} copies below.
   */
  static ParsedComplaint itself(
      ComplaintKind kind,
      Optional<String> claimedSender,
      List<String> recipients,
      Optional<String> subject,
      Optional<String> messageId,
      Optional<Instant> date,
      List<TracedHop> hops,
      Optional<Origin> origin,
      Optional<ReportDetails> report,
      List<String> warnings) {
    return new ParsedComplaint(kind, claimedSender, recipients, subject, messageId, date, hops, origin, report,
        warnings, ITSELF, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  public ParsedComplaint {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(claimedSender, "claimedSender");
    recipients = List.copyOf(recipients);
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(date, "date");
    hops = List.copyOf(hops);
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(report, "report");
    warnings = List.copyOf(warnings);
    Objects.requireNonNull(tracedPart, "tracedPart");
    Objects.requireNonNull(forwardedBy, "forwardedBy");
    Objects.requireNonNull(directSender, "directSender");
    Objects.requireNonNull(unverifiedCarrier, "unverifiedCarrier");
    Objects.requireNonNull(directSenderOrigin, "directSenderOrigin");
  }

  /** Whether the triage must cap this complaint's candidates ({@link Triage#UNRESOLVED_CARRIER_CAP}). */
  boolean capped() {
    return directSender.isPresent() || unverifiedCarrier.isPresent();
  }

  /**
   * The same complaint, marked as traced through a carried part whose forward was not an
   * authenticated submission (an inner level's mark is kept), with that warning first.
   */
  ParsedComplaint withUnverifiedCarrier(String warning) {
    List<String> w = new ArrayList<>();
    w.add(warning);
    w.addAll(warnings);
    return new ParsedComplaint(kind, claimedSender, recipients, subject, messageId, date, hops,
        origin, report, w, tracedPart, forwardedBy, directSender, unverifiedCarrier.or(() -> Optional.of(warning)), directSenderOrigin);
  }

  /** The same complaint with another claimed sender (every other field kept). */
  ParsedComplaint withClaimedSender(Optional<String> sender) {
    return new ParsedComplaint(kind, sender, recipients, subject, messageId, date, hops,
        origin, report, warnings, tracedPart, forwardedBy, directSender, unverifiedCarrier, directSenderOrigin);
  }

  /** The same complaint with other hops and origin (every other field kept). */
  ParsedComplaint withTrace(List<TracedHop> otherHops, Optional<Origin> otherOrigin) {
    return new ParsedComplaint(kind, claimedSender, recipients, subject, messageId, date, otherHops,
        otherOrigin, report, warnings, tracedPart, forwardedBy, directSender, unverifiedCarrier, directSenderOrigin);
  }

  /** The same complaint with other warnings. */
  ParsedComplaint withWarnings(List<String> replaced) {
    return new ParsedComplaint(kind, claimedSender, recipients, subject, messageId, date, hops,
        origin, report, replaced, tracedPart, forwardedBy, directSender, unverifiedCarrier, directSenderOrigin);
  }

  /**
   * The same complaint, naming the host that sent the carrying message straight to our mail
   * server when its part could not be told (an inner level's is kept), with that warning first.
   */
  ParsedComplaint withDirectSender(String sender, String warning, Optional<Origin> senderOrigin) {
    List<String> w = new ArrayList<>();
    w.add(warning);
    w.addAll(warnings);
    boolean first = directSender.isEmpty();
    return new ParsedComplaint(kind, claimedSender, recipients, subject, messageId, date, hops,
        origin, report, w, tracedPart, forwardedBy, directSender.or(() -> Optional.of(sender)), unverifiedCarrier,
        first ? senderOrigin : directSenderOrigin);
  }

  /** The same complaint, saying which part was traced and who forwarded it. */
  ParsedComplaint traced(String part, Optional<String> forwarder, List<String> extraWarnings) {
    List<String> w = new ArrayList<>(extraWarnings);
    w.addAll(warnings);
    return new ParsedComplaint(kind, claimedSender, recipients, subject, messageId, date, hops,
        origin, report, w, part, forwarder, directSender, unverifiedCarrier, directSenderOrigin);
  }

  @JsonValue
  public ObjectNode toJson() {
    ObjectNode n = Json.object();
    n.put("kind", kind.name());
    Json.put(n, "claimedSender", claimedSender);
    Json.strings(n, "recipients", recipients);
    Json.put(n, "subject", subject);
    Json.put(n, "messageId", messageId);
    Json.putTime(n, "date", date);
    if (origin.isPresent()) {
      n.set("origin", origin.get().toJson());
    } else {
      n.putNull("origin");
    }
    ArrayNode a = n.putArray("hops");
    hops.forEach(h -> a.add(h.toJson()));
    if (report.isPresent()) {
      n.set("report", report.get().toJson());
    } else {
      n.putNull("report");
    }
    Json.strings(n, "warnings", warnings);
    n.put("tracedPart", tracedPart);
    Json.put(n, "forwardedBy", forwardedBy);
    Json.put(n, "directSender", directSender);
    Json.put(n, "unverifiedCarrier", unverifiedCarrier);
    return n;
  }
}
