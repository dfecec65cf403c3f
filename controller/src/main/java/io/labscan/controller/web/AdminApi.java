package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.labscan.controller.campaign.Campaign;
import io.labscan.controller.campaign.CampaignService;
import io.labscan.controller.campaign.RunStatus;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Complaint triage and scan campaigns. Changes are admin-only; campaigns are readable by viewers. */
final class AdminApi {
  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  static final int RUNS_SHOWN = 10;

  private final TriageRunner triage;
  private final CampaignService campaigns;
  private final TrustSettings trust;

  AdminApi(TriageRunner triage, CampaignService campaigns, TrustSettings trust) {
    this.triage = requireNonNull(triage, "triage");
    this.campaigns = requireNonNull(campaigns, "campaigns");
    this.trust = requireNonNull(trust, "trust");
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
    for (Campaign c : campaigns.list()) {
      out.add(campaignJson(c, campaigns.runs(c.campaignId(), 1)));
    }
    Json.send(ctx, out);
  }

  void createCampaign(Context ctx) {
    ObjectNode body = Json.body(ctx);
    Campaign c;
    try {
      c = campaigns.create(Json.text(body, "name").orElse(""), Json.text(body, "lab"), Json.text(body, "cron"),
          Json.text(body, "timeZone").orElse("UTC"), WebServer.user(ctx).username());
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    Json.send(ctx, 201, campaignJson(c, campaigns.runs(c.campaignId(), RUNS_SHOWN)));
  }

  void campaign(Context ctx) {
    Campaign c = campaigns.find(ctx.pathParam("campaignId"))
        .orElseThrow(() -> ApiError.notFound("no campaign with that id"));
    Json.send(ctx, campaignJson(c, campaigns.runs(c.campaignId(), RUNS_SHOWN)));
  }

  void runCampaign(Context ctx) {
    RunStatus run = campaigns.fire(ctx.pathParam("campaignId"), WebServer.user(ctx).username())
        .orElseThrow(() -> ApiError.notFound("no campaign with that id"));
    Json.send(ctx, 201, runJson(run));
  }

  void deleteCampaign(Context ctx) {
    if (!campaigns.delete(ctx.pathParam("campaignId"))) {
      throw ApiError.notFound("no campaign with that id");
    }
    ctx.status(204);
  }

  private ObjectNode campaignJson(Campaign c, List<RunStatus> runs) {
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
    runs.forEach(r -> list.add(runJson(r)));
    return o;
  }

  private static ObjectNode runJson(RunStatus r) {
    ObjectNode o = Json.object();
    o.put("runId", r.runId());
    o.put("campaignId", r.campaignId());
    o.put("fired", r.fired().toString());
    o.put("firedBy", r.firedBy());
    ObjectNode counts = o.putObject("counts");
    r.counts().forEach((state, n) -> counts.put(state.name().toLowerCase(Locale.ROOT), n));
    ArrayNode targets = o.putArray("targets");
    for (RunStatus.Target t : r.targets()) {
      ObjectNode to = targets.addObject();
      to.put("hostId", t.hostId());
      to.put("hostname", t.hostname());
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
