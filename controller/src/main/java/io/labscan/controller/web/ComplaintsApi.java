package io.labscan.controller.web;

import io.labscan.controller.fleet.Fleet;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.labscan.controller.complaint.ComplaintRecord;
import io.labscan.controller.complaint.ComplaintsView;
import io.labscan.controller.complaint.MailboxStatus;
import java.util.List;
import java.util.OptionalLong;

/**
 * The Complaints page's JSON API: {@code GET /api/v1/complaints} (newest first, paged with
 * {@code limit} and {@code before}) and {@code GET /api/v1/complaints/{id}} (with the whole
 * triage result). Subject, From and the answer are mail text: sanitised when stored, shown as
 * text only.
 */
final class ComplaintsApi {
  static final int DEFAULT_LIMIT = 100;

  private final ComplaintsView complaints;
  private final java.util.Optional<io.labscan.controller.fleet.Fleet> fleet;

  ComplaintsApi(ComplaintsView complaints) {
    this(complaints, null);
  }

  /** With {@code fleet}: the named host carries {@code nameShared} ({@link SharedNames}). */
  ComplaintsApi(ComplaintsView complaints, @org.jspecify.annotations.Nullable Fleet fleet) {
    this.complaints = requireNonNull(complaints, "complaints");
    this.fleet = java.util.Optional.ofNullable(fleet);
  }

  /** The shared name keys among the hosts the caller sees (empty without a fleet). */
  private java.util.Set<String> shared(Context ctx) {
    return fleet.map(f -> SharedNames.visibleTo(f, WebServer.principal(ctx))).orElse(java.util.Set.of());
  }

  void list(Context ctx) {
    if (refusedToLabManager(ctx)) {
      return;
    }
    int limit = intParam(ctx, "limit", DEFAULT_LIMIT, 1, io.labscan.controller.complaint.ComplaintLog.MAX_LIST);
    String beforeText = ctx.queryParam("before");
    OptionalLong before = beforeText == null ? OptionalLong.empty()
        : OptionalLong.of(intParam(ctx, "before", 0, 1, Integer.MAX_VALUE));
    List<ComplaintRecord> page = complaints.list(limit, before);
    ObjectNode o = Json.object();
    ArrayNode boxes = o.putArray("mailboxes");
    for (MailboxStatus m : complaints.mailboxes()) {
      ObjectNode b = boxes.addObject().put("mailbox", m.mailbox()).put("state", m.state())
          .put("since", m.since().toString()).put("handled", m.handled());
      b.put("lastError", m.lastError().orElse(null));
    }
    ArrayNode list = o.putArray("complaints");
    java.util.Set<String> shared = page.stream().anyMatch(c -> c.host().isPresent()) ? shared(ctx) : java.util.Set.of();
    page.forEach(c -> list.add(entry(c, shared)));
    if (page.size() == limit) {
      o.put("next", page.get(page.size() - 1).seq());
    } else {
      o.putNull("next");
    }
    Json.send(ctx, o);
  }

  void one(Context ctx) {
    if (refusedToLabManager(ctx)) {
      return;
    }
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("complaintId"));
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("a complaint id is a number");
    }
    ComplaintRecord c = complaints.get(id).orElseThrow(() -> ApiError.notFound("no complaint " + id));
    ObjectNode o = entry(c, c.host().isPresent() ? shared(ctx) : java.util.Set.of());
    JsonNode triage = null;
    if (!c.resultJson().isEmpty()) {
      try {
        triage = Json.MAPPER.readTree(c.resultJson());
      } catch (JsonProcessingException e) {
        triage = null;
      }
    }
    o.set("triage", triage);
    Json.send(ctx, o);
  }

  private ObjectNode entry(ComplaintRecord c, java.util.Set<String> shared) {
    ObjectNode o = Json.object();
    o.put("id", c.seq());
    o.put("link", "/complaints/" + c.seq());
    o.put("mailbox", c.mailbox());
    o.put("receivedAt", c.receivedAt().toString());
    o.put("handledAt", c.handledAt().toString());
    o.put("subject", c.subject());
    o.put("from", c.from());
    o.put("messageId", c.messageKey());
    o.put("sizeBytes", c.sizeBytes());
    o.put("outcome", c.outcome().id());
    o.put("detail", c.detail());
    o.put("summary", c.summary());
    o.put("originIp", c.originIp().isEmpty() ? null : c.originIp());
    if (c.host().isPresent()) {
      ObjectNode h = o.putObject("host");
      h.put("hostId", c.hostId()).put("hostname", c.hostname()).put("link", "/hosts/" + c.hostId());
      SharedNames.mark(h, c.hostname(), shared);
      h.put("verdict", complaints.verdict(c.hostId()).map(Enum::name).orElse(null));
    } else {
      o.putNull("host");
    }
    if (c.confidence().isPresent()) {
      o.put("confidence", c.confidence().getAsDouble());
    } else {
      o.putNull("confidence");
    }
    o.put("recordable", c.recordable());
    o.put("recorded", c.recorded());
    o.put("evidence", c.evidenceNote());
    o.put("complaintId", c.complaintId());
    return o;
  }

  private static int intParam(Context ctx, String name, int dflt, int min, int max) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.strip());
      if (n < min || n > max) {
        throw ApiError.badRequest("'" + name + "' must be between " + min + " and " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("'" + name + "' must be a whole number");
    }
  }

  /**
   * Complaints are triage answers about hosts of every lab: a lab-scoped role (lab manager, or a
   * token scoped to labs) never reads them (issue 18: "never sees other labs or complaint triage").
   */
  private static boolean refusedToLabManager(Context ctx) {
    if (WebServer.principal(ctx).role().labScoped()) {
      Json.error(ctx, 403, "complaints name hosts of every lab; a lab-scoped role may not read them");
      return true;
    }
    return false;
  }
}
