package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.labscan.controller.account.Principal;
import io.labscan.controller.audit.Actions;
import io.labscan.controller.audit.Audit;
import io.labscan.controller.campaign.Campaign;
import io.labscan.controller.campaign.CampaignService;
import io.labscan.controller.campaign.RunStatus;
import io.labscan.controller.fleet.Fleet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Complaint triage, trusted MTAs and scan campaigns. Triage and settings are admin-only.
 * Campaigns are readable by everyone; a lab manager sees, starts, runs and deletes only
 * campaigns of its own labs (never one over every host), and a run lists only its labs' hosts.
 * A campaign outside the caller's labs is answered 404, like an unknown id.
 */
final class AdminApi {
  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  static final int RUNS_SHOWN = 10;

  private final TriageRunner triage;
  private final CampaignService campaigns;
  private final TrustSettings trust;
  private final Audit audit;
  private final Fleet fleet;

  AdminApi(TriageRunner triage, CampaignService campaigns, TrustSettings trust, Audit audit, Fleet fleet) {
    this.triage = requireNonNull(triage, "triage");
    this.campaigns = requireNonNull(campaigns, "campaigns");
    this.trust = requireNonNull(trust, "trust");
    this.audit = requireNonNull(audit, "audit");
    this.fleet = requireNonNull(fleet, "fleet");
  }

  /** A JSON text field's value; "" when it is absent, null or not text. */
  private static String text(JsonNode node) {
    return node.isTextual() ? node.asText() : "";
  }

  private void record(Context ctx, String action, String target, String detail) {
    audit.record(WebServer.principal(ctx).actor(), action, target, detail, WebServer.source(ctx));
  }

  /** True when the caller may see this campaign: every one for all-lab roles, its labs' for a lab manager. */
  private static boolean visible(Principal p, Campaign c) {
    return p.seesAllLabs() || c.lab().map(p::sees).orElse(false);
  }

  private Campaign visibleCampaign(Context ctx) {
    Principal p = WebServer.principal(ctx);
    return campaigns.find(ctx.pathParam("campaignId")).filter(c -> visible(p, c))
        .orElseThrow(() -> ApiError.notFound("no campaign with that id"));
  }

  /** Host ids of the caller's labs now; empty for all-lab roles (no filter). */
  private Optional<Set<String>> visibleHosts(Principal p) {
    if (p.seesAllLabs()) {
      return Optional.empty();
    }
    return Optional.of(fleet.hosts().stream().filter(h -> p.sees(h.lab().lab()))
        .map(h -> h.summary().hostId()).collect(Collectors.toSet()));
  }

  /** POST the raw message (message/rfc822, text/plain or application/octet-stream); never records. */
  void triage(Context ctx) {
    byte[] message = message(ctx);
    JsonNode answer;
    try {
      answer = triage.answer(message);
    } catch (TriageRunner.NotAMailMessage e) {
      throw new ApiError(422, "not a mail message: " + e.getMessage());
    } catch (UnsupportedOperationException e) {
      throw new ApiError(503, e.getMessage());
    }
    log.info("Complaint triaged by {} ({} bytes)", WebServer.user(ctx).username(), message.length);
    record(ctx, Actions.TRIAGE_RUN, text(answer.path("complaintId")), message.length + " bytes; "
        + text(answer.path("result").path("summary")));
    Json.send(ctx, answer);
  }

  /** POST the same message again to record its answer as evidence ("Record as evidence"). */
  void recordTriage(Context ctx) {
    byte[] message = message(ctx);
    String user = WebServer.user(ctx).username();
    JsonNode answer;
    try {
      answer = triage.record(message, user);
    } catch (TriageRunner.NotAMailMessage e) {
      throw new ApiError(422, "not a mail message: " + e.getMessage());
    } catch (TriageRunner.NotRecordable e) {
      throw new ApiError(409, "not recorded as evidence: " + e.getMessage());
    } catch (UnsupportedOperationException e) {
      throw new ApiError(503, e.getMessage());
    }
    log.info("Complaint triage answer recorded as evidence by {} ({} bytes)", user, message.length);
    record(ctx, Actions.TRIAGE_RECORD, text(answer.path("complaintId")), "hosts "
        + answer.path("recorded").path("hostIds").toString() + "; " + text(answer.path("result").path("summary")));
    Json.send(ctx, answer);
  }

  /** Longest complaint id, host id or reason a withdrawal names (ids are at most 512 characters). */
  private static final int MAX_WITHDRAW_FIELD = 1024;

  /**
   * POST {@code {"complaintId", "hostId"?, "reason"?}}: withdraws a recorded trace (admin; CSRF
   * as every POST; audited as {@code triage.withdraw}). 404 when nothing is recorded.
   */
  void withdrawTrace(Context ctx) {
    ObjectNode body = Json.body(ctx);
    String complaintId = Json.text(body, "complaintId").orElse("").strip();
    Optional<String> hostId = Json.text(body, "hostId").map(String::strip).filter(h -> !h.isEmpty());
    String reason = Json.text(body, "reason").orElse("").strip();
    if (complaintId.isEmpty()) {
      throw ApiError.badRequest("complaintId: required");
    }
    if (complaintId.length() > MAX_WITHDRAW_FIELD || hostId.map(String::length).orElse(0) > MAX_WITHDRAW_FIELD
        || reason.length() > MAX_WITHDRAW_FIELD) {
      throw ApiError.badRequest("complaintId, hostId and reason: at most " + MAX_WITHDRAW_FIELD + " characters each");
    }
    String user = WebServer.user(ctx).username();
    JsonNode answer;
    try {
      answer = triage.withdraw(complaintId, hostId, user, reason);
    } catch (UnsupportedOperationException e) {
      throw new ApiError(503, e.getMessage());
    }
    if (answer.path("withdrawn").isEmpty()) {
      throw ApiError.notFound("no trace is recorded for that complaint" + (hostId.isPresent() ? " and host" : ""));
    }
    log.info("Complaint {} traces withdrawn by {}", complaintId, user);
    record(ctx, Actions.TRIAGE_WITHDRAW, complaintId, "hosts " + answer.path("withdrawn").toString()
        + "; reason: " + reason);
    Json.send(ctx, answer);
  }

  void trustedMtas(Context ctx) {
    ArrayNode out = Json.array();
    try {
      trust.list().forEach(i -> out.add(trustJson(i)));
    } catch (UnsupportedOperationException e) {
      throw new ApiError(503, e.getMessage());
    }
    Json.send(ctx, out);
  }

  void addTrustedMta(Context ctx) {
    ObjectNode body = Json.body(ctx);
    String user = WebServer.user(ctx).username();
    TrustSettings.Item item;
    try {
      item = trust.add(Json.text(body, "entry").orElse(""), user);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("entry: " + e.getMessage());
    } catch (UnsupportedOperationException e) {
      throw new ApiError(503, e.getMessage());
    }
    log.info("Trusted MTA {} added by {}", item.entry(), user);
    record(ctx, Actions.TRUSTED_MTA_ADD, item.entryId(), item.entry());
    Json.send(ctx, 201, trustJson(item));
  }

  void removeTrustedMta(Context ctx) {
    String user = WebServer.user(ctx).username();
    Optional<TrustSettings.Item> removed;
    try {
      removed = trust.remove(ctx.pathParam("entryId"), user);
    } catch (UnsupportedOperationException e) {
      throw new ApiError(503, e.getMessage());
    }
    TrustSettings.Item item = removed.orElseThrow(() -> ApiError.notFound(
        "no trusted MTA with that id (entries given to serve --trust are removed by restarting without them)"));
    log.info("Trusted MTA {} removed by {}", item.entry(), user);
    record(ctx, Actions.TRUSTED_MTA_REMOVE, item.entryId(), item.entry());
    ctx.status(204);
  }

  private static ObjectNode trustJson(TrustSettings.Item i) {
    ObjectNode o = Json.object();
    o.put("entryId", i.entryId());
    o.put("entry", i.entry());
    o.put("source", i.source());
    o.put("addedBy", i.addedBy());
    Json.time(o, "added", i.added());
    o.put("removable", i.removable());
    return o;
  }

  private static byte[] message(Context ctx) {
    String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
    if (!(type.startsWith("message/rfc822") || type.startsWith("text/plain")
        || type.startsWith("application/octet-stream"))) {
      throw new ApiError(415, "send the message as message/rfc822, text/plain or application/octet-stream");
    }
    byte[] message = HttpGuard.body(ctx);
    if (message.length == 0) {
      throw ApiError.badRequest("the message is empty");
    }
    if (message.length > TriageRunner.MAX_MESSAGE_BYTES) {
      throw new ApiError(413, "messages larger than " + TriageRunner.MAX_MESSAGE_BYTES + " bytes are not triaged");
    }
    return message;
  }

  void listCampaigns(Context ctx) {
    ArrayNode out = Json.array();
    Principal p = WebServer.principal(ctx);
    Optional<Set<String>> hosts = visibleHosts(p);
    Set<String> shared = SharedNames.visibleTo(fleet, p);
    for (Campaign c : campaigns.list()) {
      if (visible(p, c)) {
        out.add(campaignJson(c, campaigns.runs(c.campaignId(), 1), hosts, shared));
      }
    }
    Json.send(ctx, out);
  }

  void createCampaign(Context ctx) {
    ObjectNode body = Json.body(ctx);
    Principal p = WebServer.principal(ctx);
    Optional<String> lab = Json.text(body, "lab").map(String::strip).filter(l -> !l.isEmpty());
    if (!p.seesAllLabs() && (lab.isEmpty() || !p.sees(lab.get()))) {
      // A lab manager's campaign targets one of its labs, named: never every host, never another lab.
      throw new ApiError(403, "a lab-manager starts campaigns only for its labs: " + String.join(", ", p.sortedLabs()));
    }
    Campaign c;
    try {
      c = campaigns.create(Json.text(body, "name").orElse(""), lab, Json.text(body, "cron"),
          Json.text(body, "timeZone").orElse("UTC"), p.displayName());
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    record(ctx, Actions.CAMPAIGN_CREATE, c.campaignId(), c.name() + "; lab " + c.lab().orElse("(every host)")
        + "; " + c.cron().map(x -> "cron " + x + " " + c.zone().getId()).orElse("now"));
    Json.send(ctx, 201, campaignJson(c, campaigns.runs(c.campaignId(), RUNS_SHOWN), visibleHosts(p),
        SharedNames.visibleTo(fleet, p)));
  }

  void campaign(Context ctx) {
    Campaign c = visibleCampaign(ctx);
    Json.send(ctx, campaignJson(c, campaigns.runs(c.campaignId(), RUNS_SHOWN),
        visibleHosts(WebServer.principal(ctx)), SharedNames.visibleTo(fleet, WebServer.principal(ctx))));
  }

  void runCampaign(Context ctx) {
    Campaign c = visibleCampaign(ctx);
    RunStatus run = campaigns.fire(c.campaignId(), WebServer.principal(ctx).displayName())
        .orElseThrow(() -> ApiError.notFound("no campaign with that id"));
    record(ctx, Actions.CAMPAIGN_RUN, c.campaignId(), c.name() + "; run " + run.runId() + "; "
        + run.targets().size() + " hosts");
    Json.send(ctx, 201, runJson(run, visibleHosts(WebServer.principal(ctx)),
        SharedNames.visibleTo(fleet, WebServer.principal(ctx))));
  }

  void deleteCampaign(Context ctx) {
    Campaign c = visibleCampaign(ctx);
    if (!campaigns.delete(c.campaignId())) {
      throw ApiError.notFound("no campaign with that id");
    }
    record(ctx, Actions.CAMPAIGN_DELETE, c.campaignId(), c.name());
    ctx.status(204);
  }

  private ObjectNode campaignJson(Campaign c, List<RunStatus> runs, Optional<Set<String>> hosts, Set<String> shared) {
    ObjectNode o = Json.object();
    o.put("campaignId", c.campaignId());
    o.put("name", c.name());
    putOptional(o, "lab", c.lab());
    putOptional(o, "cron", c.cron());
    o.put("timeZone", c.zone().getId());
    o.put("createdBy", c.createdBy());
    o.put("created", c.created().toString());
    Json.time(o, "nextFire", campaigns.nextFire(c.campaignId()));
    ArrayNode list = o.putArray("runs");
    runs.forEach(r -> list.add(runJson(r, hosts, shared)));
    return o;
  }

  /** A run; with {@code hosts}, only those hosts' targets (counts as well). */
  private static ObjectNode runJson(RunStatus r, Optional<Set<String>> hosts, Set<String> shared) {
    ObjectNode o = Json.object();
    o.put("runId", r.runId());
    o.put("campaignId", r.campaignId());
    o.put("fired", r.fired().toString());
    o.put("firedBy", r.firedBy());
    ObjectNode counts = o.putObject("counts");
    List<RunStatus.Target> shown = r.targets().stream()
        .filter(t -> hosts.map(h -> h.contains(t.hostId())).orElse(true)).toList();
    if (hosts.isEmpty()) {
      r.counts().forEach((state, n) -> counts.put(state.name().toLowerCase(Locale.ROOT), n));
    } else {
      r.counts().keySet().forEach(state -> counts.put(state.name().toLowerCase(Locale.ROOT),
          shown.stream().filter(t -> t.state() == state).count()));
    }
    ArrayNode targets = o.putArray("targets");
    for (RunStatus.Target t : shown) {
      ObjectNode to = targets.addObject();
      to.put("hostId", t.hostId());
      to.put("hostname", t.hostname());
      SharedNames.mark(to, t.hostname(), shared);
      to.put("commandId", t.commandId());
      Json.time(to, "delivered", t.delivered());
      to.put("state", t.state().name().toLowerCase(Locale.ROOT));
      to.put("detail", t.detail());
    }
    return o;
  }

  private static void putOptional(ObjectNode o, String field, Optional<String> value) {
    if (value.isPresent()) {
      o.put(field, value.get());
    } else {
      o.putNull(field);
    }
  }
}
