package io.labscan.controller.triage;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a message entered the trusted part of its path: the client IP recorded by the lowest
 * trusted Received: line (the boundary), and when.
 *
 * @param ip client IP, canonical text (RFC 5952 for IPv6)
 * @param time when the boundary MTA received the message, UTC
 * @param hop index of the boundary line among the Received: lines, 0 = topmost
 * @param hopText the boundary line, unfolded
 * @param recordedBy the MTA that wrote the boundary line (its by-name), when named
 * @param timeSource where {@code time} came from (normally the boundary line's own date)
 * @param trustedBecause the trust walk, step by step, in plain words
 * @param crossChecks what other records say about the client (Received-SPF,
 *     Authentication-Results, report fields), agreeing or not
 * @param writerTrust why the MTA that wrote the boundary line is believed
 * @param recordable whether an answer resting on this origin may become evidence for verdicts:
 *     only when an MTA of ours (configured, or a host with the mail-server role) wrote the
 *     boundary line, and, for bounces and reports, the report confirms the original's top line
 * @param recordableBecause why, or why not, in words
 * @param doubt when a line of ours recorded the origin but configuration and the fleet disagree
 *     about it (issue 15, red-team round 6): what the headline says instead, and how the ranking
 *     caps ({@link TrustDoubt}); such an origin is never recordable
 */
public record Origin(
    String ip,
    Instant time,
    int hop,
    String hopText,
    Optional<String> recordedBy,
    String timeSource,
    String trustedBecause,
    List<String> crossChecks,
    TrustSource writerTrust,
    boolean recordable,
    String recordableBecause,
    Optional<TrustDoubt> doubt) {

  public Origin {
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(hopText, "hopText");
    Objects.requireNonNull(recordedBy, "recordedBy");
    Objects.requireNonNull(timeSource, "timeSource");
    Objects.requireNonNull(trustedBecause, "trustedBecause");
    crossChecks = List.copyOf(crossChecks);
    Objects.requireNonNull(writerTrust, "writerTrust");
    Objects.requireNonNull(recordableBecause, "recordableBecause");
    Objects.requireNonNull(doubt, "doubt");
  }

  /** An origin without doubt. */
  public Origin(String ip, Instant time, int hop, String hopText, Optional<String> recordedBy, String timeSource,
      String trustedBecause, List<String> crossChecks, TrustSource writerTrust, boolean recordable,
      String recordableBecause) {
    this(ip, time, hop, hopText, recordedBy, timeSource, trustedBecause, crossChecks, writerTrust, recordable,
        recordableBecause, Optional.empty());
  }

  /** An origin whose writer's trust is not known (never recordable). */
  public Origin(String ip, Instant time, int hop, String hopText, Optional<String> recordedBy, String timeSource,
      String trustedBecause, List<String> crossChecks) {
    this(ip, time, hop, hopText, recordedBy, timeSource, trustedBecause, crossChecks,
        TrustSource.delivering("unknown"), false, "the trust of the MTA that recorded the origin is not known");
  }

  /** True for loopback, link-local and private addresses (a lab host behind the site's relay). */
  public boolean privateAddress() {
    return Ips.isPrivateOrLocal(ip);
  }

  @JsonValue
  public ObjectNode toJson() {
    ObjectNode n = Json.object();
    n.put("ip", ip);
    n.put("time", time.toString());
    n.put("hop", hop);
    n.put("hopText", hopText);
    Json.put(n, "recordedBy", recordedBy);
    n.put("timeSource", timeSource);
    n.put("trustedBecause", trustedBecause);
    Json.strings(n, "crossChecks", crossChecks);
    n.put("writerTrust", writerTrust.text());
    n.put("recordable", recordable);
    n.put("recordableBecause", recordableBecause);
    doubt.ifPresent(d -> n.put("doubt", d.headline()));
    return n;
  }
}
