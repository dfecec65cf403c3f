package io.labscan.controller.cli;

import io.labscan.controller.Controller;
import io.labscan.controller.complaint.ComplaintTriage;
import io.labscan.controller.text.Text;
import io.labscan.controller.store.Storage;
import io.labscan.controller.triage.AddressHolding;
import io.labscan.controller.triage.Candidate;
import io.labscan.controller.triage.ComplaintParser;
import io.labscan.controller.triage.EgressHit;
import io.labscan.controller.triage.Triage;
import io.labscan.controller.triage.TriageEvidence;
import io.labscan.controller.triage.ComplaintSummary;
import io.labscan.controller.triage.HopTrust;
import io.labscan.controller.triage.TracedHop;
import io.labscan.controller.triage.HostState;
import io.labscan.controller.triage.MailProviders;
import io.labscan.controller.triage.NotAMailMessageException;
import io.labscan.controller.triage.Origin;
import io.labscan.controller.triage.ParsedComplaint;
import io.labscan.controller.triage.TriageResult;
import io.labscan.controller.triage.TriageOptions;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.contract.text.DurationText;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code labscan-controller triage}: which machine really sent this message. */
@Command(name = "triage", mixinStandardHelpOptions = true,
    description = {
      "Traces complaint messages (.eml, bounces, ARF reports, or pasted headers; '-' reads standard input)",
      "to the machine that really sent them. Several files are triaged together: the answer grows stronger.",
      "The answer becomes evidence for verdicts unless --no-record is given, and only when its origin rests",
      "on a Received: line an MTA of ours wrote (--trust, the Settings page, or a host with the mail-server role)."
    })
final class TriageCommand implements Callable<Integer> {
  /** Larger inputs are refused: a complaint is one message. */
  static final long MAX_INPUT_BYTES = 32L * 1024 * 1024;

  /** Where the command reads the time (the system clock; tests may set another). */
  Clock clock = Clock.systemUTC();

  @Mixin OptionalDatabaseOptions db;

  @Option(names = "--trust", paramLabel = "HOST_OR_CIDR",
      description = "An MTA whose Received: lines are trusted (repeatable): host name, *.domain, IP or CIDR. Added to "
          + "the Settings page's trusted MTAs; hosts with the mail-server role are trusted without it.")
  List<String> trust = new ArrayList<>();

  @Option(names = "--providers", paramLabel = "FILE",
      description = "Extra well-known mail providers (same format as the built-in list, see docs/triage.md).")
  Path providers;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|json",
      description = "Output format (default: ${DEFAULT-VALUE}).")
  OutputFormat format;

  @Option(names = "--egress-window", defaultValue = "10m", paramLabel = "DURATION",
      description = "How far from the origin time SMTP egress still corroborates a host, e.g. 10m, 90s "
          + "(default: ${DEFAULT-VALUE}).")
  String egressWindow;

  @Option(names = "--holding-grace", defaultValue = "2h", paramLabel = "DURATION",
      description = "How long after its last report a silent host still holds the addresses it reported "
          + "(default: ${DEFAULT-VALUE}); after it the host is a weaker 'silent since' candidate.")
  String holdingGrace;

  @Option(names = "--no-record", description = "Do not record the answer as evidence for verdicts (it is recorded"
      + " otherwise, when an MTA of ours recorded its origin).")
  boolean noRecord;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Complaint messages.")
  List<String> files;

  @Override
  public Integer call() throws Exception {
    TrustConfig trustConfig;
    TriageOptions options;
    try {
      try {
        options = new TriageOptions(DurationText.parse(egressWindow), TriageOptions.defaults().maxCandidates());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--egress-window: " + e.getMessage(), e);
      }
      try {
        options = new TriageOptions(options.egressSlack(), options.maxCandidates(), DurationText.parse(holdingGrace));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--holding-grace: " + e.getMessage(), e);
      }
      trustConfig = TrustConfig.of(trust);
      if (providers != null) {
        trustConfig = trustConfig.withProviders(MailProviders.builtIn().with(MailProviders.load(providers)));
      }
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("labscan-controller triage: " + e.getMessage());
      return ControllerMain.EXIT_BAD_INPUT;
    }
    List<byte[]> inputs = new ArrayList<>();
    for (String file : files) {
      try {
        inputs.add(read(file));
      } catch (IOException e) {
        System.err.println("labscan-controller triage: " + Text.terminal(file) + ": " + Text.terminalSafe(e.getMessage(), 400));
        return ControllerMain.EXIT_BAD_INPUT;
      }
    }
    if (!db.given() || db.missingFile()) {
      return triageWithoutFleet(trustConfig, options, inputs);
    }
    var opened = db.open("triage", DatabaseSelection.Absent.REFUSE);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    try (Storage store = opened.get();
        Controller controller = Controller.over(store, clock)) {
      VerdictService verdicts = controller.verdicts();
      ComplaintTriage triage = new ComplaintTriage(store, verdicts, trustConfig, clock, options);
      List<ComplaintTriage.Complaint> complaints = new ArrayList<>();
      for (int i = 0; i < inputs.size(); i++) {
        try {
          complaints.add(triage.parse(inputs.get(i)));
        } catch (NotAMailMessageException e) {
          System.err.println("labscan-controller triage: " + Text.terminal(files.get(i)) + ": not a mail message: "
              + Text.terminalSafe(e.getMessage(), 400));
          return ControllerMain.EXIT_BAD_INPUT;
        }
      }
      try (Progress progress = Progress.forTerminal("Recomputing verdicts")) {
        verdicts.recomputeAll(progress::step);
      }
      ComplaintTriage.Outcome outcome = triage.triage(complaints, !noRecord, "cli");
      TriageResult result = outcome.result();
      io.labscan.controller.audit.AuditLog.forCli(store).cli(io.labscan.controller.audit.Actions.TRIAGE_RUN, String.join(", ", files),
          Text.terminalSafe(result.summary(), 600) + "; evidence: " + outcome.note()
              + (outcome.warnings().isEmpty() ? "" : "; " + String.join("; ", outcome.warnings())));
      if (format == OutputFormat.JSON) {
        System.out.println(Text.jsonMapper().writeValueAsString(result));
        System.err.println("labscan-controller triage: " + Text.terminalSafe(outcome.note(), 600));
        for (String w : outcome.warnings()) {
          System.err.println("labscan-controller triage: warning: " + Text.terminalSafe(w, 600));
        }
      } else {
        System.out.print(table(result));
        System.out.println();
        System.out.println("Evidence: " + Text.terminalSafe(outcome.note(), 600));
        for (String w : outcome.warnings()) {
          System.out.println("Warning: " + Text.terminalSafe(w, 600));
        }
      }
      return 0;
    }
  }

  /** Said when no fleet data was used (table: first line; JSON: on standard error). */
  static final String NO_FLEET_DATA = "No fleet data was used (no controller database): the origin and its "
      + "explanation only; give --db FILE to rank the lab's hosts.";

  /**
   * Triage at any machine with just the jar: the trust walk needs only the message and
   * {@code --trust}, so the origin and its explanation are printed; ranking hosts needs a fleet,
   * so there are no candidates. Nothing is written anywhere (no database is created).
   */
  private Integer triageWithoutFleet(TrustConfig trustConfig, TriageOptions options, List<byte[]> inputs)
      throws IOException {
    List<ParsedComplaint> parsed = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      try {
        parsed.add(ComplaintParser.parse(inputs.get(i), trustConfig));
      } catch (NotAMailMessageException e) {
        System.err.println("labscan-controller triage: " + files.get(i) + ": not a mail message: " + e.getMessage());
        return ControllerMain.EXIT_BAD_INPUT;
      }
    }
    TriageResult result = new Triage(NoFleet.INSTANCE, new byte[32], options).triage(parsed);
    if (format == OutputFormat.JSON) {
      System.err.println("labscan-controller triage: " + NO_FLEET_DATA);
      System.out.println(Text.jsonMapper().writeValueAsString(result));
    } else {
      System.out.println(NO_FLEET_DATA);
      System.out.println();
      System.out.print(table(result));
    }
    return 0;
  }

  /** The evidence of no fleet: no hosts, no egress, no address books, no owners. */
  private enum NoFleet implements TriageEvidence {
    INSTANCE;

    @Override
    public List<AddressHolding> holdersOf(String ip, Instant at) {
      return List.of();
    }

    @Override
    public List<EgressHit> egressNear(Collection<String> hostIds, Instant from, Instant to) {
      return List.of();
    }

    @Override
    public List<EgressHit> unallowedEgressBetween(Instant from, Instant to) {
      return List.of();
    }

    @Override
    public Map<String, Integer> harvestMatches(Collection<byte[]> digests) {
      return Map.of();
    }

    @Override
    public Optional<HostState> hostOwningAddress(String emailAddress) {
      return Optional.empty();
    }

    @Override
    public Optional<HostState> host(String hostId) {
      return Optional.empty();
    }
  }

  private static byte[] read(String file) throws IOException {
    if ("-".equals(file)) {
      try (InputStream in = System.in) {
        byte[] bytes = in.readNBytes((int) MAX_INPUT_BYTES + 1);
        if (bytes.length > MAX_INPUT_BYTES) {
          throw new IOException("standard input is larger than " + MAX_INPUT_BYTES + " bytes");
        }
        return bytes;
      }
    }
    Path path = Path.of(file);
    if (!Files.isRegularFile(path)) {
      throw new IOException(Files.exists(path) ? "not a regular file" : "no such file");
    }
    long size = Files.size(path);
    if (size > MAX_INPUT_BYTES) {
      throw new IOException("is " + size + " bytes; a complaint larger than " + MAX_INPUT_BYTES + " bytes is refused");
    }
    return Files.readAllBytes(path);
  }

  /**
   * The answer for people: the one sentence first ({@link io.labscan.controller.triage.AnswerSentence}),
   * then the Received: chain with trusted lines and the boundary marked, the origin, the
   * candidates with reasons, and the warnings. Endpoint and mail text is made terminal-safe.
   */
  static String table(TriageResult result) {
    StringBuilder sb = new StringBuilder();
    String nl = System.lineSeparator();
    sb.append(Text.terminalSafe(result.summary(), 1200)).append(nl).append(nl);
    chain(result, sb, nl);
    Optional<Origin> origin = result.origin();
    if (origin.isPresent()) {
      Origin o = origin.get();
      sb.append("Origin: ").append(Text.terminalSafe(String.valueOf(o.ip()), 60)).append(" at ").append(o.time()).append(" (hop ").append(o.hop())
          .append(o.recordedBy().map(r -> ", recorded by " + Text.terminalSafe(r, 100)).orElse("")).append(")").append(nl);
      sb.append("  trusted because ").append(Text.terminalSafe(o.trustedBecause(), 400)).append(nl);
      for (String check : o.crossChecks()) {
        sb.append("  cross-check: ").append(Text.terminalSafe(check, 400)).append(nl);
      }
    } else {
      sb.append("Origin: none can be determined").append(nl);
    }
    result.tracedPart().filter(p -> !p.equals(ParsedComplaint.ITSELF))
        .ifPresent(p -> sb.append("Traced: ").append(Text.terminalSafe(p, 400)).append(nl));
    sb.append("Claimed sender (From:, not evidence of who sent it): ")
        .append(result.claimedSender().map(s -> Text.terminalSafe(s, 200)).orElse("(none)")).append(nl);
    Optional<HostState> claimed = result.claimedSenderHost();
    // Only an administrator's mapping makes it the claimed sender's machine; a login is a claim (rt7 S13).
    boolean byLogins = result.claimedSenderOwnerSource().filter(TriageEvidence.OWNER_LOGINS::equals).isPresent();
    claimed.ifPresent(h -> sb.append(byLogins ? "  " : "  claimed sender's machine ").append(Text.terminalSafe(h.hostname(), 80))
        .append(result.nameShared(h.hostname()) || io.labscan.controller.text.HostnameKey.lookAlike(h.hostname())
            ? " (" + Text.terminal(h.hostId()) + ")" : "")
        .append(byLogins ? ", where " + Text.terminalSafe(result.claimedSender().orElse("").replaceFirst("@[^@]*$", ""), 80)
            + " logged in (no administrator mapped the address to a machine)," : "")
        .append(" is ").append(h.verdict())
        .append(!byLogins && result.candidates().stream().noneMatch(c -> c.hostId().equals(h.hostId()) && c.networkConfidence() >= ComplaintTriage.RECORD_THRESHOLD)
            ? "; the From: address is forged" : "").append(nl));
    sb.append(nl);
    if (result.candidates().isEmpty()) {
      sb.append("No candidate host.").append(nl);
    }
    int rank = 1;
    for (Candidate c : result.candidates()) {
      // By its name at the mail's time; the name it reports now beside it when that differs (R9).
      sb.append(String.format(Locale.ROOT, "%d. %s (%s)%s  confidence %.2f%n", rank++,
          Text.terminalSafe(c.nameThen(), 80), Text.terminal(c.hostId()),
          c.renamedAt().map(t -> ", now calling itself " + Text.terminalSafe(c.hostname(), 80) + " since " + t).orElse(""),
          c.confidence()));
      for (String reason : c.reasons()) {
        sb.append("     - ").append(Text.terminalSafe(reason, 400)).append(nl);
      }
    }
    sb.append(nl).append(result.recordable() ? "Recordable: " : "Not recordable: ")
        .append(Text.terminalSafe(result.recordableBecause(), 600)).append(nl);
    if (!result.warnings().isEmpty()) {
      sb.append(nl).append("Warnings:").append(nl);
      for (String w : result.warnings()) {
        sb.append("  - ").append(Text.terminalSafe(w, 400)).append(nl);
      }
    }
    return sb.toString();
  }

  /** The Received: chain of each complaint, newest first, trusted lines and the boundary marked. */
  private static void chain(TriageResult result, StringBuilder sb, String nl) {
    List<ComplaintSummary> complaints = result.complaints();
    for (int i = 0; i < complaints.size(); i++) {
      List<TracedHop> hops = complaints.get(i).hops();
      if (hops.isEmpty()) {
        continue;
      }
      sb.append("Received: chain").append(complaints.size() > 1 ? " of complaint " + (i + 1) : "")
          .append(" (newest first; only TRUSTED and BOUNDARY lines are believed):").append(nl);
      int shown = 0;
      for (TracedHop h : hops) {
        if (shown++ == MAX_HOPS_SHOWN) {
          sb.append("  ... ").append(hops.size() - MAX_HOPS_SHOWN).append(" more line(s)").append(nl);
          break;
        }
        String client = h.hop().fromIp().map(ip -> "[" + ip + "]").orElse("(no client IP)")
            + h.hop().fromRdns().map(r -> " rDNS " + r).orElse("")
            + h.hop().fromHelo().map(x -> " HELO " + x).orElse("");
        sb.append(String.format(Locale.ROOT, "  %2d %-8s by %s from %s", h.index(), h.trust().name(),
            Text.terminalSafe(h.hop().byHost().orElse("?"), 80), Text.terminalSafe(client, 200)));
        h.trustSource().ifPresent(t -> sb.append("  <- ").append(Text.terminalSafe(t.text(), 200)));
        sb.append(h.trust() == HopTrust.BOUNDARY ? "  ** origin" : "").append(nl);
      }
      sb.append(nl);
    }
  }

  /** Received: lines listed per complaint in the table. */
  static final int MAX_HOPS_SHOWN = 30;
}
