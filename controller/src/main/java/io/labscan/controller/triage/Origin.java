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
 */
public record Origin(
    String ip,
    Instant time,
    int hop,
    String hopText,
    Optional<String> recordedBy,
    String timeSource,
    String trustedBecause,
    List<String> crossChecks) {

  public Origin {
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(hopText, "hopText");
    Objects.requireNonNull(recordedBy, "recordedBy");
    Objects.requireNonNull(timeSource, "timeSource");
    Objects.requireNonNull(trustedBecause, "trustedBecause");
    crossChecks = List.copyOf(crossChecks);
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
    return n;
  }
}
