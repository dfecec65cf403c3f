package io.labscan.controller.cli;

import io.labscan.controller.ComplaintTriage;
import io.labscan.controller.store.SqliteStore;
import io.labscan.controller.triage.Candidate;
import io.labscan.controller.triage.HostState;
import io.labscan.controller.triage.MailProviders;
import io.labscan.controller.triage.NotAMailMessageException;
import io.labscan.controller.triage.Origin;
import io.labscan.controller.triage.TriageResult;
import io.labscan.controller.triage.TriageOptions;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.agent.checks.egress.DurationText;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code labscan-controller triage}: which machine really sent this message. */
@Command(name = "triage", mixinStandardHelpOptions = true,
    description = {
      "Traces complaint messages (.eml, bounces, ARF reports, or pasted headers; '-' reads standard input)",
      "to the machine that really sent them. Several files are triaged together: the answer grows stronger.",
      "The candidates become evidence for verdicts unless --no-record is given."
    })
final class TriageCommand implements Callable<Integer> {
  /** Larger inputs are refused: a complaint is one message. */
  static final long MAX_INPUT_BYTES = 32L * 1024 * 1024;

  @Option(names = "--db", required = true, paramLabel = "FILE", description = "Controller database (SQLite).")
  Path db;

  @Option(names = "--trust", paramLabel = "HOST_OR_CIDR",
      description = "An MTA whose Received: lines are trusted (repeatable): host name, *.domain, IP or CIDR.")
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

  @Option(names = "--no-record", description = "Do not record the answer as evidence for verdicts.")
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
    var opened = ExistingDatabase.open("triage", db);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    try (SqliteStore store = opened.get();
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), Clock.systemUTC())) {
      ComplaintTriage triage = new ComplaintTriage(store, verdicts, trustConfig, Clock.systemUTC(), options);
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
      verdicts.recomputeAll();
      TriageResult result = triage.triage(complaints, !noRecord);
      if (format == OutputFormat.JSON) {
        System.out.println(Text.jsonMapper().writeValueAsString(result));
      } else {
        System.out.print(table(result));
      }
      return 0;
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

  static String table(TriageResult result) {
    StringBuilder sb = new StringBuilder();
    String nl = System.lineSeparator();
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
    sb.append("Claimed sender (From:, not evidence of who sent it): ")
        .append(result.claimedSender().map(s -> Text.terminalSafe(s, 200)).orElse("(none)")).append(nl);
    Optional<HostState> claimed = result.claimedSenderHost();
    claimed.ifPresent(h -> sb.append("  claimed sender's machine ").append(Text.terminalSafe(h.hostname(), 80))
        .append(" is ").append(h.verdict())
        .append(result.candidates().stream().noneMatch(c -> c.hostId().equals(h.hostId()) && c.confidence() >= ComplaintTriage.RECORD_THRESHOLD)
            ? "; the From: address is forged" : "").append(nl));
    sb.append(nl);
    if (result.candidates().isEmpty()) {
      sb.append("No candidate host.").append(nl);
    }
    int rank = 1;
    for (Candidate c : result.candidates()) {
      sb.append(String.format(Locale.ROOT, "%d. %s (%s)  confidence %.2f%n", rank++,
          Text.terminalSafe(c.hostname(), 80), Text.terminal(c.hostId()), c.confidence()));
      for (String reason : c.reasons()) {
        sb.append("     - ").append(Text.terminalSafe(reason, 400)).append(nl);
      }
    }
    if (!result.warnings().isEmpty()) {
      sb.append(nl).append("Warnings:").append(nl);
      for (String w : result.warnings()) {
        sb.append("  - ").append(Text.terminalSafe(w, 400)).append(nl);
      }
    }
    return sb.toString();
  }
}
