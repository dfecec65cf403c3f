package io.labscan.controller.triage;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code Received:} line with its place in the message and the trust the walk gave it.
 *
 * @param index position among the message's Received: lines, 0 = topmost (newest)
 * @param trustSource for a trusted or boundary line, why its writer is believed (configured,
 *     mail-server role, provider list, delivering MTA); empty for claimed lines
 */
public record TracedHop(int index, ReceivedHop hop, HopTrust trust, Optional<TrustSource> trustSource) {
  public TracedHop {
    Objects.requireNonNull(hop, "hop");
    Objects.requireNonNull(trust, "trust");
    Objects.requireNonNull(trustSource, "trustSource");
  }

  /** A line with no recorded trust source. */
  public TracedHop(int index, ReceivedHop hop, HopTrust trust) {
    this(index, hop, trust, Optional.empty());
  }

  @JsonValue
  public ObjectNode toJson() {
    ObjectNode n = Json.object();
    n.put("index", index);
    n.put("trust", trust.name());
    Json.put(n, "trustSource", trustSource.map(TrustSource::text));
    n.put("raw", hop.raw());
    Json.put(n, "fromHelo", hop.fromHelo());
    Json.put(n, "fromRdns", hop.fromRdns());
    Json.put(n, "fromIp", hop.fromIp());
    Json.put(n, "byHost", hop.byHost());
    Json.put(n, "byIp", hop.byIp());
    Json.put(n, "with", hop.with());
    Json.put(n, "id", hop.id());
    Json.put(n, "for", hop.forRecipient());
    Json.putTime(n, "date", hop.date());
    Json.strings(n, "software", hop.software());
    Json.strings(n, "flags", hop.flags().stream().map(Enum::name).toList());
    return n;
  }
}
