package io.labscan.controller.web;

import io.labscan.controller.fleet.Fleet;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.labscan.controller.account.Principal;
import io.labscan.controller.audit.Actions;
import io.labscan.controller.audit.Audit;
import io.labscan.controller.report.Cadence;
import io.labscan.controller.report.ComplianceReport;
import io.labscan.controller.report.ComplianceReports;
import io.labscan.controller.report.DateRange;
import io.labscan.controller.report.ReportCsv;
import io.labscan.controller.report.ReportDelivery;
import io.labscan.controller.report.ReportSubscriptions;
import io.labscan.controller.report.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The reports API (docs/api.md): {@code GET /api/v1/reports/compliance} as JSON or CSV, and the
 * caller's report subscriptions. A thin adapter over {@link ComplianceReports} and {@link
 * ReportSubscriptions}: parameters are parsed and refused here with a 400 naming the parameter;
 * another lab's report is answered 404 exactly like an unknown lab. Every report read is
 * audited ({@code report.read}): it names hosts and infections.
 */
final class ReportsApi {
  private static final int MAX_LAB = 200;

  private final ComplianceReports reports;
  private final ReportSubscriptions subscriptions;
  private final Audit audit;
  private final java.util.Optional<io.labscan.controller.fleet.Fleet> fleet;

  ReportsApi(ComplianceReports reports, ReportSubscriptions subscriptions, Audit audit) {
    this(reports, subscriptions, audit, null);
  }

  /** With {@code fleet}: each host row carries {@code nameShared} ({@link SharedNames}). */
  ReportsApi(ComplianceReports reports, ReportSubscriptions subscriptions, Audit audit,
      @org.jspecify.annotations.Nullable Fleet fleet) {
    this.reports = requireNonNull(reports, "reports");
    this.subscriptions = requireNonNull(subscriptions, "subscriptions");
    this.audit = requireNonNull(audit, "audit");
    this.fleet = java.util.Optional.ofNullable(fleet);
  }

  void compliance(Context ctx) {
    Principal p = WebServer.principal(ctx);
    Optional<String> lab = lab(ctx.queryParam("lab"));
    String format = Optional.ofNullable(ctx.queryParam("format")).orElse("json").strip().toLowerCase(Locale.ROOT);
    if (!format.equals("json") && !format.equals("csv")) {
      throw ApiError.badRequest("format: must be json or csv");
    }
    DateRange range;
    try {
      range = DateRange.parse(ctx.queryParam("from"), ctx.queryParam("to"), reports.today());
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    ComplianceReport report;
    try {
      report = reports.build(p, lab, range);
    } catch (ComplianceReports.UnknownLab e) {
      throw new ApiError(404, e.getMessage());
    }
    audit.record(p.actor(), Actions.REPORT_READ, lab.orElse(""), format + ", " + report.scopeName() + " " + range,
        WebServer.source(ctx));
    if (format.equals("csv")) {
      ctx.header("Content-Disposition", "attachment; filename=\"" + ReportDelivery.fileName(lab, range) + "\"");
      ctx.contentType("text/csv; charset=utf-8");
      ctx.result(ReportCsv.render(report).getBytes(StandardCharsets.UTF_8));
      return;
    }
    Json.send(ctx, json(report, fleet.map(f -> SharedNames.visibleTo(f, p)).orElse(java.util.Set.of())));
  }

  private static Optional<String> lab(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    if (text.length() > MAX_LAB) {
      throw ApiError.badRequest("lab: a lab name has at most " + MAX_LAB + " characters");
    }
    return Optional.of(text);
  }

  static ObjectNode json(ComplianceReport r) {
    return json(r, java.util.Set.of());
  }

  /** The report's JSON; host rows whose name is in {@code shared} ({@link SharedNames}) say so. */
  static ObjectNode json(ComplianceReport r, java.util.Set<String> shared) {
    ObjectNode o = Json.object();
    o.put("generatedAt", r.generatedAt().toString());
    if (r.lab().isPresent()) {
      o.put("lab", r.lab().get());
    } else {
      o.putNull("lab");
    }
    o.put("from", r.range().from().toString());
    o.put("to", r.range().to().toString());
    o.put("days", r.range().days());
    ArrayNode labs = o.putArray("labs");
    r.labs().forEach(labs::add);
    o.put("hosts", r.hosts());
    o.put("compliantNow", r.compliantNow());
    if (r.averagePercent().isPresent()) {
      o.put("averagePercent", Math.round(r.averagePercent().getAsDouble() * 10) / 10.0);
    } else {
      o.putNull("averagePercent");
    }
    o.set("compliance", days(r.days()));
    ArrayNode perLab = o.putArray("perLab");
    r.perLab().forEach(s -> perLab.addObject().put("lab", s.lab()).set("compliance", days(s.days())));
    ObjectNode out = rows(o, "outOfCompliance", r.outOfCompliance());
    ArrayNode hosts = out.putArray("hosts");
    r.outOfCompliance().rows().forEach(h -> {
      ObjectNode x = host(hosts, h.hostId(), h.hostname(), h.lab(), shared).put("verdict", h.verdict());
      ArrayNode reasons = x.putArray("reasons");
      h.reasons().forEach(reasons::add);
    });
    ArrayNode stale = rows(o, "staleAntivirus", r.staleAntivirus()).putArray("hosts");
    r.staleAntivirus().rows().forEach(s -> host(stale, s.hostId(), s.hostname(), s.lab(), shared).put("state", s.state())
        .put("products", s.products()));
    ArrayNode missed = rows(o, "missedScans", r.missedScans()).putArray("hosts");
    r.missedScans().rows().forEach(m -> {
      ObjectNode x = host(missed, m.hostId(), m.hostname(), m.lab(), shared).put("daysWithoutFullScan", m.daysWithoutFullScan())
          .put("daysExpected", m.daysExpected()).put("overdueNow", m.overdueNow());
      Json.time(x, "lastFullScan", m.lastFullScan());
    });
    ArrayNode infections = rows(o, "infections", r.infections()).putArray("hosts");
    r.infections().rows().forEach(i -> {
      ObjectNode x = host(infections, i.hostId(), i.hostname(), i.lab(), shared).put("found", i.found().toString());
      Json.time(x, "cleared", i.cleared());
      x.put("reasons", i.reasons());
    });
    return o;
  }

  private static ArrayNode days(List<ComplianceReport.Day> days) {
    ArrayNode out = Json.array();
    for (ComplianceReport.Day d : days) {
      ObjectNode x = out.addObject().put("day", d.day().toString()).put("hosts", d.hosts())
          .put("compliant", d.compliant()).put("source", d.source());
      if (d.hasData() && d.hosts() > 0) {
        x.put("percent", d.percent());
      } else {
        x.putNull("percent");
      }
    }
    return out;
  }

  private static ObjectNode rows(ObjectNode o, String name, ComplianceReport.Rows<?> rows) {
    return o.putObject(name).put("total", rows.total()).put("truncated", rows.truncated());
  }

  private static ObjectNode host(ArrayNode into, String hostId, String hostname, String lab,
      java.util.Set<String> shared) {
    return SharedNames.mark(into.addObject().put("hostId", hostId).put("hostname", hostname), hostname, shared)
        .put("lab", lab);
  }

  void subscriptions(Context ctx) {
    ArrayNode out = Json.array();
    subscriptions.list(WebServer.principal(ctx)).forEach(s -> out.add(json(s)));
    Json.send(ctx, out);
  }

  void subscribe(Context ctx) {
    Principal p = WebServer.principal(ctx);
    ObjectNode body = Json.body(ctx);
    Optional<String> lab = lab(Json.text(body, "lab").orElse(""));
    Cadence cadence = Cadence.parse(Json.text(body, "cadence").orElse(""))
        .orElseThrow(() -> ApiError.badRequest("cadence: must be weekly or monthly"));
    String email = Json.text(body, "email").orElseThrow(() -> ApiError.badRequest("email: is required"));
    Subscription s;
    try {
      s = subscriptions.subscribe(p, lab, cadence, email);
    } catch (ReportSubscriptions.Refused e) {
      throw new ApiError(e.forbidden() ? 403 : 400, e.getMessage());
    }
    audit.record(p.actor(), Actions.REPORT_SUBSCRIBE, s.subscriptionId(),
        s.cadence().id() + " report of " + s.lab().orElse("all labs") + " to " + s.email(), WebServer.source(ctx));
    Json.send(ctx, 201, json(s));
  }

  void unsubscribe(Context ctx) {
    Principal p = WebServer.principal(ctx);
    String id = ctx.pathParam("subscriptionId");
    Subscription s = subscriptions.unsubscribe(p, id)
        .orElseThrow(() -> ApiError.notFound("no subscription with that id"));
    audit.record(p.actor(), Actions.REPORT_UNSUBSCRIBE, s.subscriptionId(),
        s.cadence().id() + " report of " + s.lab().orElse("all labs") + " to " + s.email() + " (of " + s.username()
            + ")", WebServer.source(ctx));
    ctx.status(204);
  }

  /**
   * {@code POST /api/v1/reports/subscriptions/{id}/confirmation}: the confirmation mail of the
   * caller's subscription's address again (202); the earlier link stops working.
   */
  void resendConfirmation(Context ctx) {
    Principal p = WebServer.principal(ctx);
    Subscription s;
    try {
      s = subscriptions.resendConfirmation(p, ctx.pathParam("subscriptionId"))
          .orElseThrow(() -> ApiError.notFound("no subscription of yours with that id"));
    } catch (ReportSubscriptions.Refused e) {
      throw new ApiError(e.forbidden() ? 403 : 400, e.getMessage());
    }
    audit.record(p.actor(), Actions.REPORT_CONFIRM, s.subscriptionId(), "confirmation mail asked again for "
        + s.email(), WebServer.source(ctx));
    Json.send(ctx, 202, json(s));
  }

  /**
   * {@code POST /api/v1/reports/confirm} {@code {"token": "..."}}, anonymous (the address's owner
   * may have no account): 200 with the address confirmed, 410 for an expired link, 404 for an
   * unknown or used one. The token is 256 random bits: guessing is hopeless, and each request is
   * one indexed lookup.
   */
  void confirm(Context ctx) {
    ObjectNode body = Json.body(ctx);
    String token = Json.text(body, "token").orElseThrow(() -> ApiError.badRequest("token: is required"));
    io.labscan.controller.report.ReportConfirmations.Result result;
    try {
      result = subscriptions.confirmations().confirm(token);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    switch (result.outcome()) {
      case CONFIRMED -> {
        io.labscan.controller.report.Recipient r = result.recipient().orElseThrow();
        audit.record(io.labscan.controller.audit.Actor.anonymous(r.email()), Actions.REPORT_CONFIRM, r.username(),
            "confirmed " + r.email() + " for the reports of " + r.username(), WebServer.source(ctx));
        Json.send(ctx, Json.object().put("email", r.email()).put("username", r.username()).put("confirmed", true));
      }
      case EXPIRED -> throw new ApiError(410, "this confirmation link expired; ask the person who subscribed "
          + "this address to send it again");
      default -> throw ApiError.notFound("no pending confirmation with this code (it was used already, or the "
          + "subscription was removed)");
    }
  }

  private ObjectNode json(Subscription s) {
    ObjectNode o = Json.object().put("subscriptionId", s.subscriptionId()).put("username", s.username())
        .put("email", s.email()).put("cadence", s.cadence().id()).put("created", s.created().toString())
        .put("lastError", s.lastError());
    io.labscan.controller.report.Recipient r = subscriptions.confirmations().recipient(s);
    io.labscan.controller.report.Recipient.State state = r.state(subscriptions.now());
    o.put("confirmed", state == io.labscan.controller.report.Recipient.State.CONFIRMED);
    o.put("confirmation", state.id());
    Json.time(o, "confirmedAt", r.confirmed());
    Json.time(o, "confirmationExpires", state == io.labscan.controller.report.Recipient.State.PENDING
        || state == io.labscan.controller.report.Recipient.State.EXPIRED ? Optional.of(r.tokenExpires())
        : Optional.empty());
    if (s.lab().isPresent()) {
      o.put("lab", s.lab().get());
    } else {
      o.putNull("lab");
    }
    Json.time(o, "lastAttempt", s.lastAttempt().map(Instant.class::cast));
    return o;
  }
}
