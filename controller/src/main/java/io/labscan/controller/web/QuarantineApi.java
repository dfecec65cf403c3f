package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.labscan.controller.quarantine.QuarantineRecord;
import io.labscan.controller.quarantine.Quarantines;
import io.labscan.controller.fleet.Fleet;

/**
 * The SMTP quarantine in the JSON API (docs/api.md): {@code POST /api/v1/hosts/{hostId}/quarantine}
 * and {@code .../release} (admins; body {@code {"reason": "..."}}, optional), and the
 * {@code quarantine} object of the host view.
 */
final class QuarantineApi {
  /** Refused destinations shown per host. */
  static final int BLOCKED_SHOWN = 50;

  private final Fleet fleet;

  QuarantineApi(Fleet fleet) {
    this.fleet = requireNonNull(fleet, "fleet");
  }

  void quarantine(Context ctx) {
    order(ctx, true);
  }

  void release(Context ctx) {
    order(ctx, false);
  }

  private void order(Context ctx, boolean quarantine) {
    String hostId = ctx.pathParam("hostId");
    if (fleet.store().host(hostId).isEmpty()) {
      throw ApiError.notFound("no host with id " + hostId);
    }
    String body = ctx.contentLength() > 0 ? "present" : "";
    String reason = body.isEmpty() ? "" : Json.text(Json.body(ctx), "reason").orElse("");
    if (reason.length() > 1000) {
      throw ApiError.badRequest("'reason' is longer than 1000 characters");
    }
    String by = WebServer.user(ctx).username() + " (web)";
    Quarantines quarantines = fleet.quarantines();
    Quarantines.Change c = quarantine ? quarantines.quarantine(hostId, by, reason)
        : quarantines.release(hostId, by, reason);
    ObjectNode o = Json.object();
    o.put("changed", c.changed());
    hostJson(o, quarantines, hostId);
    Json.send(ctx, c.changed() ? 201 : 200, o);
  }

  /** Adds {@code quarantine}: the current order, what the agent reported, refused attempts, history. */
  static void hostJson(ObjectNode o, Quarantines quarantines, String hostId) {
    ObjectNode q = o.putObject("quarantine");
    var current = quarantines.current(hostId);
    q.put("quarantined", current.map(QuarantineRecord::quarantined).orElse(false));
    current.ifPresent(r -> q.set("order", recordJson(r)));
    quarantines.agentState(hostId).ifPresentOrElse(a -> {
      ObjectNode agent = q.putObject("agent");
      agent.put("revision", a.revision());
      agent.put("quarantined", a.quarantined());
      agent.put("enforcement", a.enforcement());
      agent.put("detail", a.detail());
      agent.put("reported", a.reported().toString());
      agent.put("current", current.map(r -> r.revision() == a.revision()).orElse(a.revision() == 0));
    }, () -> q.putNull("agent"));
    ArrayNode blocked = q.putArray("blocked");
    for (Quarantines.Blocked b : quarantines.blocked(hostId, BLOCKED_SHOWN)) {
      blocked.addObject().put("ip", b.ip()).put("port", b.port()).put("user", b.user()).put("process", b.process())
          .put("attempts", b.attempts()).put("first", b.first().toString()).put("last", b.last().toString());
    }
    ArrayNode history = q.putArray("history");
    quarantines.history(hostId).forEach(r -> history.add(recordJson(r)));
  }

  private static ObjectNode recordJson(QuarantineRecord r) {
    return Json.object().put("revision", r.revision()).put("quarantined", r.quarantined()).put("by", r.by())
        .put("reason", r.reason()).put("at", r.at().toString()).put("text", r.describe());
  }
}
