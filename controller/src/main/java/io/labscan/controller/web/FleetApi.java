package io.labscan.controller.web;

import io.labscan.controller.fleet.LabRules;
import io.labscan.controller.fleet.ComplianceHistory;
import io.labscan.controller.fleet.Fleet;
import io.labscan.controller.fleet.HostStatus;
import io.labscan.controller.fleet.LabRule;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.labscan.controller.account.Principal;
import io.labscan.controller.audit.Actions;
import io.labscan.controller.audit.Audit;
import io.labscan.controller.fleet.HostsFormat;
import io.labscan.controller.store.AddressInterval;
import io.labscan.controller.verdict.HostEvidence;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.ReportEntry;
import io.labscan.controller.verdict.HostEvidence;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The read side of the JSON API: overview, labs, trend, hosts, one host, infected list, lab rules.
 *
 * <p>Every answer is limited to the labs the caller may see ({@link Principal#sees}): lists are
 * filtered before anything is counted, and a host of another lab is answered 404 exactly like
 * an unknown id, so a lab manager cannot even confirm that an id exists.
 */
final class FleetApi {
  static final int TIMELINE_REPORTS = 100;

  private final Fleet fleet;
  private final ComplianceHistory history;
  private final Audit audit;
  private final TrustSettings trust;

  FleetApi(Fleet fleet, ComplianceHistory history, Audit audit) {
    this(fleet, history, audit, TrustSettings.unavailable());
  }

  /** With {@code trust}: the host page names the configured MTAs' addresses the host claimed. */
  FleetApi(Fleet fleet, ComplianceHistory history, Audit audit, TrustSettings trust) {
    this.fleet = requireNonNull(fleet, "fleet");
    this.history = requireNonNull(history, "history");
    this.audit = requireNonNull(audit, "audit");
    this.trust = requireNonNull(trust, "trust");
  }

  /** The hosts the caller may see, with their current lab. */
  private List<HostStatus> visible(Context ctx) {
    Principal p = WebServer.principal(ctx);
    List<HostStatus> all = fleet.hosts();
    return p.seesAllLabs() ? all : all.stream().filter(h -> p.sees(h.lab().lab())).toList();
  }

  void overview(Context ctx) {
    List<HostStatus> hosts = visible(ctx);
    ObjectNode o = Json.object();
    o.put("generatedAt", fleet.now().toString());
    o.put("hosts", hosts.size());
    o.put("compliant", hosts.stream().filter(h -> h.compliance().compliant()).count());
    ObjectNode verdicts = o.putObject("verdicts");
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Verdict v : Verdict.values()) {
      counts.put(v.name(), 0);
    }
    counts.put("PENDING", 0);
    hosts.forEach(h -> counts.merge(h.verdictName(), 1, Integer::sum));
    counts.forEach(verdicts::put);
    ArrayNode labs = o.putArray("labs");
    ComplianceHistory.liveCounts(hosts).forEach((lab, c) -> labs.addObject().put("lab", lab).put("hosts", c[0])
        .put("compliant", c[1]).put("percent", percent(c[1], c[0])));
    Json.send(ctx, o);
  }

  void labs(Context ctx) {
    Map<String, List<HostStatus>> byLab = new TreeMap<>();
    Map<String, String> labByHost = new java.util.HashMap<>();
    List<HostStatus> seen = visible(ctx);
    java.util.Set<String> shared = SharedNames.among(fleet, seen);
    for (HostStatus h : seen) {
      byLab.computeIfAbsent(h.lab().lab(), k -> new ArrayList<>()).add(h);
      labByHost.put(h.summary().hostId(), h.lab().lab());
    }
    Map<String, io.labscan.controller.selfwatch.LabResources> resources =
        new io.labscan.controller.selfwatch.AgentResourcesView(fleet.store(), fleet.clock()).labs(labByHost);
    ArrayNode out = Json.array();
    byLab.forEach((lab, hosts) -> {
      int n = hosts.size();
      ObjectNode o = out.addObject();
      o.put("lab", lab);
      o.put("hosts", n);
      o.put("compliant", count(hosts, h -> h.compliance().compliant()));
      o.put("compliancePercent", percent(count(hosts, h -> h.compliance().compliant()), n));
      o.put("definitionsFreshPercent", percent(count(hosts, h -> h.compliance().definitionsFresh()), n));
      o.put("fullScanRecentPercent", percent(count(hosts, h -> h.compliance().fullScanRecent()), n));
      o.put("seenRecentlyPercent", percent(count(hosts, h -> h.compliance().seenRecently()), n));
      ArrayNode egress = o.putArray("smtpEgressHosts");
      hosts.stream().filter(h -> !h.compliance().noSmtpEgress()).forEach(h -> SharedNames.mark(egress.addObject()
          .put("hostId", h.summary().hostId()).put("hostname", h.summary().hostname()), h.summary().hostname(), shared)
          .put("windows", h.egressViolations()));
      ObjectNode verdicts = o.putObject("verdicts");
      hosts.forEach(h -> verdicts.put(h.verdictName(), verdicts.path(h.verdictName()).asInt(0) + 1));
      io.labscan.controller.selfwatch.LabResources r = resources.get(lab);
      if (r != null) {
        o.putObject("agentResources").put("agents", r.agents()).put("rssMedianBytes", r.rssMedianBytes())
            .put("rssMaxBytes", r.rssMaxBytes()).put("cpuMedianPercent", round2(r.cpuMedianPercent()))
            .put("cpuMaxPercent", round2(r.cpuMaxPercent())).put("overBudget", r.overBudget());
      }
    });
    Json.send(ctx, out);
  }

  void trend(Context ctx) {
    int days = intParam(ctx, "days", 30, 1, 366);
    Principal principal = WebServer.principal(ctx);
    Map<String, List<ComplianceHistory.Point>> trend = new TreeMap<>(history.trend(days));
    trend.keySet().removeIf(lab -> !principal.sees(lab));
    ObjectNode o = Json.object();
    o.put("days", days);
    ArrayNode labs = o.putArray("labs");
    Map<String, int[]> all = new TreeMap<>();
    trend.forEach((lab, points) -> {
      ObjectNode l = labs.addObject();
      l.put("lab", lab);
      ArrayNode ps = l.putArray("points");
      for (ComplianceHistory.Point p : points) {
        ps.addObject().put("day", p.day().toString()).put("hosts", p.hosts()).put("compliant", p.compliant())
            .put("percent", round(p.percent())).put("source", p.source().name().toLowerCase(Locale.ROOT));
        int[] sum = all.computeIfAbsent(p.day().toString(), k -> new int[2]);
        sum[0] += p.hosts();
        sum[1] += p.compliant();
      }
    });
    ArrayNode total = o.putArray("all");
    all.forEach((day, c) -> total.addObject().put("day", day).put("hosts", c[0]).put("compliant", c[1])
        .put("percent", percent(c[1], c[0])));
    Json.send(ctx, o);
  }

  /** {@code /api/v1/hosts}: the CLI's JSON shape (or CSV), filtered like the Hosts page. */
  void hosts(Context ctx) {
    List<HostStatus> hosts = filtered(ctx);
    List<HostSummary> summaries = hosts.stream().map(h -> LabRules.withLab(h.summary(), h.lab())).toList();
    String format = Optional.ofNullable(ctx.queryParam("format")).orElse("json").toLowerCase(Locale.ROOT);
    if (format.equals("csv") || ctx.queryParam("download") != null) {
      Principal p = WebServer.principal(ctx);
      audit.record(p.actor(), Actions.HOSTS_EXPORT, "", format + ", " + summaries.size() + " hosts"
          + (ctx.queryString() == null ? "" : ", query " + ctx.queryString()), WebServer.source(ctx));
    }
    switch (format) {
      case "json" -> {
        if (ctx.queryParam("download") != null) {
          ctx.header("Content-Disposition", "attachment; filename=\"labscan-hosts.json\"");
        }
        ctx.contentType("application/json; charset=utf-8");
        ctx.result(HostsFormat.render(summaries, HostsFormat.Format.JSON).getBytes(StandardCharsets.UTF_8));
      }
      case "csv" -> {
        ctx.header("Content-Disposition", "attachment; filename=\"labscan-hosts.csv\"");
        ctx.contentType("text/csv; charset=utf-8");
        ctx.result(HostsFormat.render(summaries, HostsFormat.Format.CSV).getBytes(StandardCharsets.UTF_8));
      }
      default -> throw ApiError.badRequest("format must be json or csv");
    }
  }

  /** {@code /api/v1/host-status}: every host with effective lab, verdict and compliance. */
  void hostStatus(Context ctx) {
    ArrayNode out = Json.array();
    // Shared among every host the caller sees, not only the filtered ones: a filter that shows
    // one of two look-alikes still shows it with its id.
    List<HostStatus> seen = visible(ctx);
    java.util.Set<String> shared = SharedNames.among(fleet, seen);
    for (HostStatus h : filtered(ctx, seen)) {
      out.add(statusJson(h, shared));
    }
    Json.send(ctx, out);
  }

  static ObjectNode statusJson(HostStatus h) {
    return statusJson(h, java.util.Set.of());
  }

  /** {@link #statusJson(HostStatus)} with {@code nameShared} ({@link SharedNames}). */
  static ObjectNode statusJson(HostStatus h, java.util.Set<String> sharedNames) {
    HostSummary s = h.summary();
    ObjectNode o = Json.object();
    o.put("hostId", s.hostId());
    o.put("hostname", s.hostname());
    SharedNames.mark(o, s.hostname(), sharedNames);
    o.put("osFamily", s.osFamily());
    o.put("osVersion", s.osVersion());
    o.put("agentVersion", s.agentVersion());
    o.put("lab", h.lab().lab());
    o.put("labSource", h.lab().source().name().toLowerCase(Locale.ROOT));
    o.put("agentLab", s.lab());
    o.put("demo", s.demo());
    ArrayNode addresses = o.putArray("addresses");
    s.currentAddresses().forEach(addresses::add);
    o.put("lastSeen", s.lastSeen().toString());
    Json.time(o, "lastFullScan", s.lastFullScan());
    o.put("verdict", h.verdictName());
    Json.time(o, "verdictSince", h.verdict().map(VerdictRecord::since));
    o.put("antivirus", h.antivirusState());
    o.put("smtpEgressWindows", h.egressViolations());
    ObjectNode c = o.putObject("compliance");
    c.put("compliant", h.compliance().compliant());
    c.put("seenRecently", h.compliance().seenRecently());
    c.put("definitionsFresh", h.compliance().definitionsFresh());
    c.put("fullScanRecent", h.compliance().fullScanRecent());
    c.put("noSmtpEgress", h.compliance().noSmtpEgress());
    c.put("verdictClean", h.compliance().verdictClean());
    c.put("notQuarantined", h.compliance().notQuarantined());
    o.put("quarantined", !h.compliance().notQuarantined());
    ArrayNode shortfalls = c.putArray("shortfalls");
    h.compliance().shortfalls().forEach(shortfalls::add);
    return o;
  }

  /**
   * {@code {"skewSeconds", "observed", "flagged", "lastReportClaimed", "text"}}: the agent's clock
   * against the controller's (the controller's own times are the ones shown as last seen).
   */
  static void clockJson(ObjectNode o, io.labscan.controller.store.ClockClaim c) {
    o.put("skewSeconds", c.skew().toSeconds());
    o.put("observed", c.observed().toString());
    o.put("flagged", c.flagged());
    Json.time(o, "lastReportClaimed", c.lastReportClaimed());
    o.put("text", c.describe());
  }

  void host(Context ctx) {
    String hostId = ctx.pathParam("hostId");
    Principal principal = WebServer.principal(ctx);
    // Another lab's host is answered as an unknown one: the same status and the same words.
    HostStatus h = fleet.host(hostId).filter(x -> principal.sees(x.lab().lab()))
        .orElseThrow(() -> ApiError.notFound("no host with id " + hostId));
    java.util.Set<String> shared = SharedNames.visibleTo(fleet, principal);
    ObjectNode o = statusJson(h, shared);
    HostSummary s = h.summary();
    o.put("elevated", s.elevated());
    o.put("firstSeen", s.firstSeen().toString());
    Json.time(o, "lastReport", s.lastReport());
    h.lab().ruleId().ifPresent(id -> o.put("labRuleId", id));
    fleet.store().clockClaim(hostId).ifPresent(c -> clockJson(o.putObject("clock"), c));
    fleet.store().certificate(hostId).ifPresent(c -> {
      ObjectNode cert = o.putObject("certificate");
      cert.put("serial", c.serial());
      cert.put("ends", c.notAfter().toString());
      Json.time(cert, "renewed", c.renewed());
    });
    o.set("reasons", Json.reasons(h.verdict().map(VerdictRecord::reasons).orElse(List.of())));
    ArrayNode av = o.putArray("antivirusStatuses");
    for (HostEvidence.Av a : h.antivirus()) {
      av.addObject().put("provider", a.provider()).put("product", a.product()).put("state", a.state())
          .put("reason", a.reason()).put("reportId", a.reportId());
    }
    ArrayNode history = o.putArray("verdictHistory");
    for (VerdictRecord v : fleet.store().history(hostId)) {
      history.addObject().put("verdict", v.verdict().name()).put("at", v.since().toString())
          .set("reasons", Json.reasons(v.reasons()));
    }
    ArrayNode reports = o.putArray("reports");
    for (ReportEntry r : fleet.store().reports(hostId, TIMELINE_REPORTS)) {
      reports.addObject().put("reportId", r.reportId()).put("sequence", r.sequence())
          .put("created", r.created().toString()).put("received", r.received().toString())
          .put("kind", r.scanKind().replace("SCAN_KIND_", "")).put("via", r.via()).put("findings", r.findings())
          .put("egressWindows", r.egressWindows()).put("avStatuses", r.avStatuses());
    }
    ArrayNode conflicts = o.putArray("addressConflicts");
    for (HostEvidence.Conflict k : fleet.store().addressConflicts(hostId, fleet.now())) {
      conflicts.addObject().put("ip", k.ip()).put("otherHostId", k.otherHostId())
          .put("otherHostname", k.otherHostname()).put("since", k.since().toString())
          .put("otherNameShared", io.labscan.controller.text.HostnameKey.isShared(shared, k.otherHostname()));
    }
    // Where imported reports came from ("imported from FILE by USER at TIME"): per report and as a list.
    java.util.Map<String, String> provenance = new java.util.HashMap<>();
    ArrayNode imports = o.putArray("imports");
    for (io.labscan.controller.store.ReportImport i : fleet.store().imports(hostId, TIMELINE_REPORTS)) {
      imports.addObject().put("reportId", i.reportId()).put("file", i.file()).put("importedBy", i.importedBy())
          .put("at", i.at().toString()).put("provenance", i.describe());
      provenance.put(i.reportId(), i.describe());
    }
    reports.forEach(r -> {
      String p = provenance.get(r.path("reportId").asText());
      if (p != null) {
        ((ObjectNode) r).put("provenance", p);
      }
    });
    QuarantineApi.hostJson(o, fleet.quarantines(), hostId);
    new io.labscan.controller.selfwatch.AgentResourcesView(fleet.store(), fleet.clock()).host(hostId)
        .ifPresent(v -> agentResourcesJson(o.putObject("agentResources"), v));
    ArrayNode addressHistory = o.putArray("addressHistory");
    List<AddressInterval> held = fleet.store().addressHistory(hostId);
    for (AddressInterval a : held) {
      addressHistory.addObject().put("ip", a.ip()).put("mac", a.mac()).put("interface", a.interfaceName())
          .put("firstSeen", a.firstSeen().toString()).put("lastSeen", a.lastSeen().toString())
          .put("current", a.current());
    }
    mtaAddressClaims(o.putArray("mtaAddressClaims"), s, held);
    io.labscan.controller.store.HostNames.history(fleet.store().database(), hostId).putInto(o);
    Json.send(ctx, o);
  }

  /**
   * {@code mtaAddressClaims} (docs/api.md): each address the host held (now or before) that is
   * exactly a configured MTA's ({@code --trust} or the Settings page), a false claim that triage
   * ignores ({@link io.labscan.controller.alert.MtaAddressClaims}); empty for a host with the
   * mail-server role, which may be that MTA.
   */
  private void mtaAddressClaims(ArrayNode out, HostSummary s, List<AddressInterval> held) {
    List<String> entries;
    try {
      entries = trust.entries();
    } catch (RuntimeException e) {
      return; // the settings store failed: the page still shows everything else
    }
    if (entries.isEmpty() || held.isEmpty() || fleet.store()
        .hostsWithRole(io.labscan.controller.policy.PolicyProvider.MAIL_SERVER_ROLE).contains(s.hostId())) {
      return;
    }
    for (AddressInterval a : held) {
      for (io.labscan.controller.alert.MtaAddressClaims.Claim c
          : io.labscan.controller.alert.MtaAddressClaims.find(entries, List.of(a.ip()))) {
        out.addObject().put("ip", c.ip()).put("entry", c.entry()).put("current", a.current())
            .put("firstSeen", a.firstSeen().toString()).put("lastSeen", a.lastSeen().toString())
            .put("text", c.describe(s.hostname(), s.hostId()));
      }
    }
  }

  /**
   * {@code agentResources} of a host (docs/api.md): the agent's newest figures about itself, the
   * fleet's budget, why it is flagged ({@code flags}, empty within budget) and the controller's
   * reason for refusing its newest figures ({@code refused}, "" when accepted).
   */
  static void agentResourcesJson(ObjectNode o, io.labscan.controller.selfwatch.AgentResourcesView.HostView v) {
    v.figures().ifPresent(f -> {
      o.put("rssBytes", f.rssBytes());
      if (f.anonBytes().isPresent()) {
        o.put("rssAnonBytes", f.anonBytes().getAsLong());
      }
      if (f.fileBytes().isPresent()) {
        o.put("rssFileBytes", f.fileBytes().getAsLong());
      }
      o.put("cpuPercent", round2(f.cpuPercent()));
      o.put("cpuPercentWindow", round2(f.cpuPercentWindow()));
      o.put("threads", f.threads());
      o.put("budgetState", f.budgetState());
      o.put("memoryOverMinutes", f.memoryOverMinutes());
      o.put("memoryRestarts", f.memoryRestarts());
      // The budget the agent judged itself by (the policy it had applied): differs from the
      // fleet's below until the agent took the newest policy.
      o.put("appliedMemoryBudgetBytes", f.memoryBudgetBytes());
      o.put("appliedCpuBudgetPercent", f.cpuBudgetPercent());
      Json.time(o, "restartedForMemory", f.restartedForMemory());
      Json.time(o, "measured", f.measured());
      o.put("received", f.received().toString());
    });
    o.put("memoryBudgetBytes", v.budget().memoryBytes());
    o.put("cpuBudgetPercent", v.budget().cpuPercent());
    o.put("overBudget", !v.flags().isEmpty());
    ArrayNode flags = o.putArray("flags");
    v.flags().forEach(flags::add);
    o.put("refused", v.refused());
    Json.time(o, "refusedAt", v.refusedAt());
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  void infected(Context ctx) {
    ArrayNode out = Json.array();
    List<HostStatus> seen = visible(ctx);
    java.util.Set<String> shared = SharedNames.among(fleet, seen);
    seen.stream()
        .filter(h -> h.verdict().map(v -> v.verdict().isInfectedList()).orElse(false))
        .sorted(Comparator.comparing((HostStatus h) -> h.verdict().get().verdict())
            .thenComparing(h -> h.verdict().get().since()))
        .forEach(h -> {
          ObjectNode o = statusJson(h, shared);
          o.set("reasons", Json.reasons(h.verdict().get().reasons()));
          out.add(o);
        });
    Json.send(ctx, out);
  }

  /** {@code /api/v1/triage/sample}: the stored sample complaint, for the Triage page to offer; 404 without one. */
  void triageSample(Context ctx) {
    byte[] message = fleet.store().setting(Fleet.TRIAGE_SAMPLE)
        .orElseThrow(() -> ApiError.notFound("no sample complaint is stored"));
    String name = fleet.store().setting(Fleet.TRIAGE_SAMPLE_NAME).map(b -> new String(b, StandardCharsets.UTF_8))
        .orElse("sample complaint");
    Json.send(ctx, Json.object().put("name", name).put("message", new String(message, StandardCharsets.UTF_8)));
  }

  void labRules(Context ctx) {
    ArrayNode out = Json.array();
    Principal p = WebServer.principal(ctx);
    fleet.labRules().list().stream().filter(r -> p.sees(r.lab())).forEach(r -> out.add(ruleJson(r)));
    Json.send(ctx, out);
  }

  void addLabRule(Context ctx) {
    ObjectNode body = Json.body(ctx);
    String lab = Json.text(body, "lab").orElseThrow(() -> ApiError.badRequest("'lab' is required"));
    LabRule.Kind kind = LabRule.Kind.parse(Json.text(body, "kind").orElse(""))
        .orElseThrow(() -> ApiError.badRequest("'kind' must be hostname or cidr"));
    String pattern = Json.text(body, "pattern").orElseThrow(() -> ApiError.badRequest("'pattern' is required"));
    LabRule rule;
    try {
      rule = fleet.labRules().add(lab.strip(), kind, pattern);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    audit.record(WebServer.principal(ctx).actor(), Actions.LAB_RULE_ADD, rule.ruleId(),
        rule.kind().id() + " " + rule.pattern() + " -> " + rule.lab(), WebServer.source(ctx));
    Json.send(ctx, 201, ruleJson(rule));
  }

  void removeLabRule(Context ctx) {
    String ruleId = ctx.pathParam("ruleId");
    Optional<LabRule> rule = fleet.labRules().list().stream().filter(r -> r.ruleId().equals(ruleId)).findFirst();
    if (!fleet.labRules().remove(ruleId)) {
      throw ApiError.notFound("no lab rule with that id");
    }
    audit.record(WebServer.principal(ctx).actor(), Actions.LAB_RULE_REMOVE, ruleId,
        rule.map(r -> r.kind().id() + " " + r.pattern() + " -> " + r.lab()).orElse(""), WebServer.source(ctx));
    ctx.status(204);
  }

  private static ObjectNode ruleJson(LabRule r) {
    return Json.object().put("ruleId", r.ruleId()).put("position", r.position()).put("lab", r.lab())
        .put("kind", r.kind().id()).put("pattern", r.pattern());
  }

  /** Hosts matching the query parameters q, lab, verdict and compliant. */
  private List<HostStatus> filtered(Context ctx) {
    return filtered(ctx, visible(ctx));
  }

  /** {@link #filtered(Context)} of hosts already read ({@link #visible}). */
  private List<HostStatus> filtered(Context ctx, List<HostStatus> visible) {
    Predicate<HostStatus> keep = h -> true;
    String q = ctx.queryParam("q");
    if (q != null && !q.isBlank()) {
      String needle = q.strip().toLowerCase(Locale.ROOT);
      keep = keep.and(h -> haystack(h).contains(needle));
    }
    String lab = ctx.queryParam("lab");
    if (lab != null && !lab.isEmpty()) {
      keep = keep.and(h -> h.lab().lab().equals(lab));
    }
    String verdict = ctx.queryParam("verdict");
    if (verdict != null && !verdict.isEmpty()) {
      String wanted = verdict.toUpperCase(Locale.ROOT);
      keep = keep.and(h -> h.verdictName().equals(wanted));
    }
    String compliant = ctx.queryParam("compliant");
    if (compliant != null && !compliant.isEmpty()) {
      boolean wanted = Boolean.parseBoolean(compliant);
      keep = keep.and(h -> h.compliance().compliant() == wanted);
    }
    return visible.stream().filter(keep).toList();
  }

  private static String haystack(HostStatus h) {
    HostSummary s = h.summary();
    return String.join(" ", s.hostname(), s.hostId(), s.osFamily(), s.osVersion(), h.lab().lab(),
        String.join(" ", s.currentAddresses())).toLowerCase(Locale.ROOT);
  }

  private static int count(List<HostStatus> hosts, Predicate<HostStatus> p) {
    return (int) hosts.stream().filter(p).count();
  }

  static double percent(long part, long whole) {
    return whole == 0 ? 0 : round(100.0 * part / whole);
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static int intParam(Context ctx, String name, int fallback, int min, int max) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw ApiError.badRequest(name + " must be " + min + "-" + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(name + " must be a number");
    }
  }
}
