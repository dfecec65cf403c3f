package io.labscan.controller.cli;

import io.labscan.controller.Controller;
import io.labscan.controller.fleet.HostsFormat;
import io.labscan.controller.text.Text;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labscan.controller.quarantine.QuarantineRecord;
import io.labscan.controller.quarantine.Quarantines;
import io.labscan.controller.store.AddressInterval;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.ReportEntry;
import io.labscan.controller.store.ReportImport;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.HostEvidence;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import io.labscan.controller.verdict.VerdictService;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code labscan-controller host}: everything known about one host. */
@Command(name = "host", mixinStandardHelpOptions = true,
    description = "Shows one host: inventory, verdict with reasons, verdict history, evidence timeline, address history.")
final class HostCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = Text.jsonMapper();
  /** Provenance rows shown per host: the newest; older ones stay in the database. */
  static final int MAX_IMPORTS = 50;

  /** Where the command reads the time (the system clock; tests may set another). */
  Clock clock = Clock.systemUTC();

  @Mixin DatabaseOptions db;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|json",
      description = "Output format (default: ${DEFAULT-VALUE}).")
  OutputFormat format;

  @Parameters(paramLabel = "ID", description = "Host id, or a hostname when it is unique.")
  String id;

  @Override
  public Integer call() throws Exception {
    var opened = db.open("host", DatabaseSelection.Absent.REFUSE);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    try (Storage store = opened.get();
        Controller controller = Controller.over(store, clock)) {
      VerdictService verdicts = controller.verdicts();
      // A name resolves only when one host has it now or had it lately (HostLookup, red-team R9).
      Optional<HostSummary> found = HostLookup.find(store, "host", id, clock.instant());
      if (found.isEmpty()) {
        return ControllerMain.EXIT_BAD_INPUT;
      }
      HostSummary h = found.get();
      verdicts.recompute(h.hostId());
      Optional<VerdictRecord> verdict = store.verdict(h.hostId());
      List<VerdictRecord> history = store.history(h.hostId());
      List<ReportEntry> reports = store.reports(h.hostId(), 50);
      List<AddressInterval> addresses = store.addressHistory(h.hostId());
      List<HostEvidence.Conflict> conflicts = store.addressConflicts(h.hostId(), clock.instant());
      Optional<io.labscan.controller.trust.TrustRepository.CertificateRecord> certificate = store.certificate(h.hostId());
      Optional<io.labscan.controller.store.ClockClaim> clockClaim = store.clockClaim(h.hostId());
      List<ReportImport> imports = store.imports(h.hostId(), MAX_IMPORTS);
      Quarantines quarantines = controller.quarantines();
      io.labscan.controller.text.NameHistory names = io.labscan.controller.store.HostNames.history(store.database(), h.hostId());
      if (format == OutputFormat.JSON) {
        ObjectNode o = json(h, verdict, history, reports, addresses);
        ArrayNode k = o.putArray("addressConflicts");
        conflicts.forEach(c -> k.addObject().put("ip", c.ip()).put("otherHostId", c.otherHostId())
            .put("otherHostname", c.otherHostname()).put("since", c.since().toString()));
        certificate.ifPresent(c -> certificateJson(o.putObject("certificate"), c));
        clockClaim.ifPresent(c -> clockJson(o.putObject("clock"), c));
        importsJson(o, imports);
        quarantineJson(o, quarantines, h.hostId());
        names.putInto(o);
        System.out.println(JSON.writeValueAsString(o));
      } else {
        System.out.print(table(h, verdict, history, reports, addresses, certificate, clockClaim));
        if (!conflicts.isEmpty()) {
          StringBuilder sb = new StringBuilder(System.lineSeparator()).append("Address conflicts (another host reports the same address):")
              .append(System.lineSeparator());
          for (HostEvidence.Conflict c : conflicts) {
            sb.append(String.format("  %-39s also claimed by %s (%s) since %s%n", Text.terminalSafe(c.ip(), 60),
                Text.terminalSafe(c.otherHostname(), 80), Text.terminal(c.otherHostId()), c.since()));
          }
          System.out.print(sb);
        }
        System.out.print(namesTable(names));
        System.out.print(importsTable(imports));
        System.out.print(quarantineTable(quarantines, h.hostId()));
      }
      return 0;
    }
  }

  private static ObjectNode json(HostSummary h, Optional<VerdictRecord> verdict, List<VerdictRecord> history,
      List<ReportEntry> reports, List<AddressInterval> addresses) {
    ObjectNode o = JSON.createObjectNode();
    o.put("hostId", h.hostId());
    o.put("hostname", h.hostname());
    o.put("osFamily", h.osFamily());
    o.put("osVersion", h.osVersion());
    o.put("agentVersion", h.agentVersion());
    o.put("lab", h.lab());
    o.put("elevated", h.elevated());
    o.put("demo", h.demo());
    o.put("firstSeen", h.firstSeen().toString());
    o.put("lastSeen", h.lastSeen().toString());
    o.put("lastFullScan", h.lastFullScan().map(Object::toString).orElse(null));
    ArrayNode current = o.putArray("addresses");
    h.currentAddresses().forEach(current::add);
    verdict.ifPresent(v -> {
      ObjectNode vn = o.putObject("verdict");
      vn.put("verdict", v.verdict().name());
      vn.put("since", v.since().toString());
      reasons(vn.putArray("reasons"), v.reasons());
    });
    ArrayNode hist = o.putArray("verdictHistory");
    for (VerdictRecord v : history) {
      ObjectNode vn = hist.addObject();
      vn.put("verdict", v.verdict().name());
      vn.put("at", v.since().toString());
      reasons(vn.putArray("reasons"), v.reasons());
    }
    ArrayNode timeline = o.putArray("reports");
    for (ReportEntry r : reports) {
      timeline.addObject().put("reportId", r.reportId()).put("sequence", r.sequence())
          .put("created", r.created().toString()).put("received", r.received().toString())
          .put("kind", r.scanKind()).put("via", r.via()).put("findings", r.findings())
          .put("egressWindows", r.egressWindows()).put("avStatuses", r.avStatuses());
    }
    ArrayNode addr = o.putArray("addressHistory");
    for (AddressInterval a : addresses) {
      addr.addObject().put("ip", a.ip()).put("mac", a.mac()).put("interface", a.interfaceName())
          .put("firstSeen", a.firstSeen().toString()).put("lastSeen", a.lastSeen().toString())
          .put("current", a.current());
    }
    return o;
  }

  /** {@code {"skewSeconds", "observed", "flagged", "lastReportClaimed", "text"}}, as the web API's host view. */
  /**
   * The names the host reported before its current one (red-team R9: a host may take another
   * machine's name); nothing when it never changed its name.
   */
  static String namesTable(io.labscan.controller.text.NameHistory names) {
    if (names.spans().size() < 2) {
      return "";
    }
    StringBuilder sb = new StringBuilder(System.lineSeparator()).append("Names this host reported (first: the controller's"
        + " name for it, " + Text.terminalSafe(names.enrolledAs().orElse(""), 80) + "):").append(System.lineSeparator());
    for (io.labscan.controller.text.NameHistory.Span span : names.spans()) {
      sb.append(String.format("  %-40s from %s%s%n", Text.terminalSafe(span.name(), 80), span.from(),
          span.until().map(u -> " until " + u).orElse(" (current)")));
    }
    return sb.toString();
  }

  private static void clockJson(ObjectNode o, io.labscan.controller.store.ClockClaim c) {
    o.put("skewSeconds", c.skew().toSeconds());
    o.put("observed", c.observed().toString());
    o.put("flagged", c.flagged());
    o.put("lastReportClaimed", c.lastReportClaimed().map(Object::toString).orElse(null));
    o.put("text", c.describe());
  }

  /**
   * {@code "imports": [{"reportId", "file", "importedBy", "at", "provenance"}]}, newest first, and each
   * imported report's {@code provenance} in {@code reports[]}, as the web API's host view carries them.
   */
  static void importsJson(ObjectNode o, List<ReportImport> imports) {
    ArrayNode array = o.putArray("imports");
    java.util.Map<String, String> byReport = new java.util.HashMap<>();
    for (ReportImport i : imports) {
      array.addObject().put("reportId", i.reportId()).put("file", i.file()).put("importedBy", i.importedBy())
          .put("at", i.at().toString()).put("provenance", i.describe());
      byReport.put(i.reportId(), i.describe());
    }
    if (o.get("reports") instanceof ArrayNode reports) {
      reports.forEach(r -> {
        String provenance = byReport.get(r.path("reportId").asText());
        if (provenance != null && r instanceof ObjectNode report) {
          report.put("provenance", provenance);
        }
      });
    }
  }

  private static String importsTable(List<ReportImport> imports) {
    if (imports.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    String nl = System.lineSeparator();
    sb.append(nl).append("Imported reports (newest first; a file is not the agent speaking):").append(nl);
    for (ReportImport i : imports) {
      sb.append("  ").append(Text.terminalSafe(i.reportId(), 40)).append("  ")
          .append(Text.terminalSafe(i.describe(), 600)).append(nl);
    }
    return sb.toString();
  }

  /** {@code {"serial", "ends", "renewed"}}, as the web API's host view carries it. */
  private static void certificateJson(ObjectNode o, io.labscan.controller.trust.TrustRepository.CertificateRecord c) {
    o.put("serial", c.serial());
    o.put("ends", c.notAfter().toString());
    o.put("renewed", c.renewed().map(Object::toString).orElse(null));
  }

  private static void reasons(ArrayNode array, List<Reason> reasons) {
    for (Reason r : reasons) {
      array.addObject().put("code", r.code()).put("text", r.text()).put("evidence", r.evidence());
    }
  }

  /** {@code quarantine}: the host's SMTP quarantine, as the JSON API's host view has it. */
  private static void quarantineJson(ObjectNode o, Quarantines quarantines, String hostId) {
    ObjectNode q = o.putObject("quarantine");
    var current = quarantines.current(hostId);
    q.put("quarantined", current.map(QuarantineRecord::quarantined).orElse(false));
    current.ifPresent(r -> q.put("order", r.describe()).put("revision", r.revision()));
    quarantines.agentState(hostId).ifPresent(a -> q.putObject("agent").put("revision", a.revision())
        .put("enforcement", a.enforcement()).put("detail", a.detail()).put("reported", a.reported().toString()));
    ArrayNode blocked = q.putArray("blocked");
    quarantines.blocked(hostId, 50).forEach(b -> blocked.addObject().put("ip", b.ip()).put("port", b.port())
        .put("user", b.user()).put("process", b.process()).put("attempts", b.attempts()).put("last", b.last().toString()));
    ArrayNode history = q.putArray("history");
    quarantines.history(hostId).forEach(r -> history.add(r.describe()));
  }

  private static String quarantineTable(Quarantines quarantines, String hostId) {
    var history = quarantines.history(hostId);
    if (history.isEmpty()) {
      return "";
    }
    String nl = System.lineSeparator();
    QuarantineRecord current = history.get(history.size() - 1);
    StringBuilder sb = new StringBuilder(nl).append("SMTP quarantine: ")
        .append(current.quarantined() ? "QUARANTINED" : "not quarantined").append(nl);
    quarantines.agentState(hostId).ifPresent(a -> sb.append("  Agent reports ").append(a.enforcement())
        .append(a.detail().isEmpty() ? "" : " (" + Text.terminalSafe(a.detail(), 300) + ")")
        .append(" for order ").append(a.revision()).append(", ").append(a.reported()).append(nl));
    for (Quarantines.Blocked b : quarantines.blocked(hostId, 20)) {
      sb.append(String.format("  refused %6d x %s:%d user %s%s%n", b.attempts(), Text.terminalSafe(b.ip(), 45), b.port(),
          Text.terminalSafe(b.user(), 40), b.process().isEmpty() ? "" : " " + Text.terminalSafe(b.process(), 200)));
    }
    for (QuarantineRecord r : history) {
      sb.append("  order ").append(r.revision()).append(": ").append(Text.terminalSafe(r.describe(), 400)).append(nl);
    }
    return sb.toString();
  }

  private static String table(HostSummary h, Optional<VerdictRecord> verdict, List<VerdictRecord> history,
      List<ReportEntry> reports, List<AddressInterval> addresses, Optional<io.labscan.controller.trust.TrustRepository.CertificateRecord> certificate,
      Optional<io.labscan.controller.store.ClockClaim> clock) {
    StringBuilder sb = new StringBuilder();
    String nl = System.lineSeparator();
    sb.append(Text.terminalSafe(h.hostname(), 80)).append("  ").append(Text.terminal(h.hostId()))
        .append(h.demo() ? "  " + HostsFormat.DEMO_MARK : "").append(nl);
    if (h.demo()) {
      sb.append("  Demo data:   simulated by 'labscan-controller demo'; not a real machine").append(nl);
    }
    sb.append("  OS:          ").append(Text.terminalSafe(h.osVersion(), 100)).append(" (")
        .append(Text.terminalSafe(h.osFamily(), 20)).append(")").append(nl);
    sb.append("  Lab:         ").append(h.lab().isEmpty() ? "(none)" : Text.terminalSafe(h.lab(), 60)).append(nl);
    sb.append("  Agent:       ").append(Text.terminalSafe(h.agentVersion(), 40))
        .append(h.elevated() ? " (elevated)" : " (NOT elevated: other users' sockets may be invisible)").append(nl);
    sb.append("  Addresses:   ").append(Text.terminalSafe(String.join(", ", h.currentAddresses()), 400)).append(nl);
    sb.append("  Last seen:   ").append(h.lastSeen()).append(nl);
    sb.append("  Full scan:   ").append(h.lastFullScan().map(Object::toString).orElse("never")).append(nl);
    certificate.ifPresent(c -> sb.append("  Certificate: ").append(Text.terminal(c.serial())).append(", ends ").append(c.notAfter())
        .append(c.renewed().map(r -> " (renewed " + r + ")").orElse("")).append(nl));
    clock.ifPresent(c -> sb.append("  Clock:       ").append(c.flagged() ? "SKEWED: " : "").append(c.describe())
        .append(", seen ").append(c.observed()).append(nl));
    sb.append(nl);
    if (verdict.isPresent()) {
      sb.append("Verdict: ").append(verdict.get().verdict()).append(" since ").append(verdict.get().since()).append(nl);
      for (Reason r : verdict.get().reasons()) {
        sb.append("  - ").append(Text.terminalSafe(r.text(), 400)).append("  [").append(Text.terminalSafe(r.evidence(), 200))
            .append("]").append(nl);
      }
    }
    sb.append(nl).append("Verdict history:").append(nl);
    for (VerdictRecord v : history) {
      sb.append("  ").append(v.since()).append("  ").append(v.verdict()).append(nl);
    }
    sb.append(nl).append("Reports (newest first):").append(nl);
    for (ReportEntry r : reports) {
      sb.append(String.format("  %s  %-16s #%-6d findings %-4d egress %-4d av %-2d via %s  %s%n", r.created(),
          Text.terminalSafe(r.scanKind().replace("SCAN_KIND_", ""), 16), r.sequence(), r.findings(), r.egressWindows(),
          r.avStatuses(), Text.terminalSafe(r.via(), 20), Text.terminalSafe(r.reportId(), 40)));
    }
    sb.append(nl).append("Address history (newest first):").append(nl);
    for (AddressInterval a : addresses) {
      sb.append(String.format("  %-39s %s .. %s%s%n", Text.terminalSafe(a.ip(), 45), a.firstSeen(), a.lastSeen(), a.current() ? " (current)" : ""));
    }
    return sb.toString();
  }
}
