package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.labscan.controller.account.ApiToken;
import io.labscan.controller.account.ApiTokens;
import io.labscan.controller.account.Principal;
import io.labscan.controller.account.Role;
import io.labscan.controller.audit.Actions;
import io.labscan.controller.audit.AuditCsv;
import io.labscan.controller.audit.AuditEntry;
import io.labscan.controller.audit.AuditLog;
import io.labscan.controller.audit.AuditQuery;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * API tokens (admins, browser session only: a token never manages tokens) and the audit log
 * (admins; readable with an admin token too, for a SIEM). Reading the audit log is itself
 * recorded.
 */
final class AccessApi {
  private final ApiTokens tokens;
  private final AuditLog audit;

  AccessApi(ApiTokens tokens, AuditLog audit) {
    this.tokens = requireNonNull(tokens, "tokens");
    this.audit = requireNonNull(audit, "audit");
  }

  void tokens(Context ctx) {
    Instant now = tokens.now();
    ArrayNode out = Json.array();
    tokens.list().forEach(t -> out.add(tokenJson(t, now)));
    Json.send(ctx, out);
  }

  void createToken(Context ctx) {
    ObjectNode body = Json.body(ctx);
    Principal p = WebServer.principal(ctx);
    String name = Json.text(body, "name").orElseThrow(() -> ApiError.badRequest("'name' is required"));
    Role role = Role.parse(Json.text(body, "role").orElse(""))
        .orElseThrow(() -> ApiError.badRequest("'role' must be viewer, lab-manager or admin"));
    Set<String> labs = new LinkedHashSet<>();
    JsonNode labsNode = body.path("labs");
    if (!labsNode.isMissingNode() && !labsNode.isNull()) {
      if (!labsNode.isArray()) {
        throw ApiError.badRequest("'labs' must be a list of lab names");
      }
      labsNode.forEach(l -> {
        if (!l.isTextual()) {
          throw ApiError.badRequest("'labs' must be a list of lab names");
        }
        labs.add(l.asText());
      });
    }
    Duration validFor;
    try {
      validFor = ApiTokens.parseValidity(Json.text(body, "expiresIn").orElse("90d"));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("expiresIn: " + e.getMessage());
    }
    ApiTokens.Created created;
    try {
      created = tokens.create(name, role, labs, validFor, p.name());
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    audit.record(p.actor(), Actions.TOKEN_CREATE, created.token().tokenId(), describe(created.token()),
        WebServer.source(ctx));
    ObjectNode o = tokenJson(created.token(), created.token().created());
    o.put("token", created.secret());
    Json.send(ctx, 201, o);
  }

  void revokeToken(Context ctx) {
    Principal p = WebServer.principal(ctx);
    String id = ctx.pathParam("tokenId");
    ApiToken t = tokens.revoke(id, p.name())
        .orElseThrow(() -> ApiError.notFound("no live token with that id"));
    audit.record(p.actor(), Actions.TOKEN_REVOKE, t.tokenId(), describe(t), WebServer.source(ctx));
    ctx.status(204);
  }

  /** {@code GET /api/v1/audit?actor=&action=&from=&to=&limit=&format=json|csv}. */
  void audit(Context ctx) {
    AuditQuery q;
    String format = Optional.ofNullable(ctx.queryParam("format")).orElse("json").toLowerCase(Locale.ROOT);
    if (!format.equals("json") && !format.equals("csv")) {
      throw ApiError.badRequest("format must be json or csv");
    }
    int fallback = format.equals("csv") ? AuditQuery.MAX_LIMIT : AuditQuery.DEFAULT_LIMIT;
    try {
      q = new AuditQuery(Optional.ofNullable(ctx.queryParam("actor")), Optional.ofNullable(ctx.queryParam("action")),
          time(ctx, "from"), time(ctx, "to"), FleetApi.intParam(ctx, "limit", fallback, 1, AuditQuery.MAX_LIMIT));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    List<AuditEntry> entries = audit.find(q);
    Principal p = WebServer.principal(ctx);
    audit.record(p.actor(), format.equals("csv") ? Actions.AUDIT_EXPORT : Actions.AUDIT_READ, "",
        entries.size() + " entries" + (ctx.queryString() == null ? "" : "; query " + ctx.queryString()),
        WebServer.source(ctx));
    if (format.equals("csv")) {
      ctx.header("Content-Disposition", "attachment; filename=\"labscan-audit.csv\"");
      ctx.contentType("text/csv; charset=utf-8");
      ctx.result(AuditCsv.render(entries).getBytes(StandardCharsets.UTF_8));
      return;
    }
    ArrayNode out = Json.array();
    for (AuditEntry e : entries) {
      out.addObject().put("seq", e.seq()).put("at", e.at().toString()).put("actorKind", e.actor().kind().id())
          .put("actor", e.actor().name()).put("action", e.action()).put("target", e.target())
          .put("detail", e.detail()).put("channel", e.source().channel()).put("address", e.source().address());
    }
    Json.send(ctx, out);
  }

  private static Optional<Instant> time(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null || v.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(v.strip()));
    } catch (DateTimeParseException e) {
      try {
        return Optional.of(java.time.LocalDate.parse(v.strip()).atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
      } catch (DateTimeParseException e2) {
        throw ApiError.badRequest(name + " must be an ISO 8601 time (2026-12-01T00:00:00Z) or day (2026-12-01)");
      }
    }
  }

  static String describe(ApiToken t) {
    return "'" + t.name() + "' role " + t.role().id() + (t.labs().isEmpty() ? "" : " labs " + String.join(",", t.labs()))
        + " expires " + t.expires();
  }

  private static ObjectNode tokenJson(ApiToken t, Instant now) {
    ObjectNode o = Json.object();
    o.put("tokenId", t.tokenId());
    o.put("name", t.name());
    o.put("role", t.role().id());
    ArrayNode labs = o.putArray("labs");
    t.labs().forEach(labs::add);
    o.put("createdBy", t.createdBy());
    o.put("created", t.created().toString());
    o.put("expires", t.expires().toString());
    Json.time(o, "revoked", t.revoked());
    if (t.revokedBy().isPresent()) {
      o.put("revokedBy", t.revokedBy().get());
    } else {
      o.putNull("revokedBy");
    }
    Json.time(o, "lastUsed", t.lastUsed());
    o.put("state", t.state(now));
    return o;
  }
}
