package io.labscan.controller.triage;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the controller knows about one host, as far as triage shows it.
 *
 * @param hostId the host's LabScan id
 * @param hostname last reported host name (untrusted text)
 * @param lastReport when the host last reported
 * @param verdict the controller's verdict in a word or two ("clean", "infected", "stale AV" …)
 * @param details supporting lines (AV state, findings) in plain words
 */
public record HostState(
    String hostId, String hostname, Optional<Instant> lastReport, String verdict, List<String> details) {

  public HostState {
    Objects.requireNonNull(hostId, "hostId");
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(lastReport, "lastReport");
    Objects.requireNonNull(verdict, "verdict");
    details = List.copyOf(details);
  }

  @JsonValue
  public ObjectNode toJson() {
    ObjectNode n = Json.object();
    n.put("hostId", hostId);
    n.put("hostname", hostname);
    Json.putTime(n, "lastReport", lastReport);
    n.put("verdict", verdict);
    Json.strings(n, "details", details);
    return n;
  }
}
