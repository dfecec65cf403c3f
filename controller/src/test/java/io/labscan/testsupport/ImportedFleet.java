package io.labscan.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import io.labscan.contract.harvest.AddressDigest;
import io.labscan.controller.TestReports;
import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.FindingSeverity;
import io.labscan.proto.v1.HarvestDigests;
import io.labscan.proto.v1.MailFinding;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.RuleKind;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.StreamSupport;

/**
 * A fleet built only the way an air-gapped site builds one: agents' report files
 * ({@code labscan-agent scan --out}) written as protobuf JSON and imported with
 * {@code labscan-controller import} into one SQLite file, then {@code triage} and {@code host} run
 * on the result through the real command line ({@link CliRun}).
 *
 * <p>The fleet tests of issue #15 (fleet scenarios and the red-team rounds) share this one builder,
 * so a report file, a complaint and a triage mean the same in every one of them. Not thread-safe:
 * one per test.
 */
public final class ImportedFleet {
  /** The stories happened this morning: verdicts judge silence and scan age by the real clock. */
  public static final Instant T0 = Instant.now().minus(Duration.ofHours(6)).truncatedTo(ChronoUnit.SECONDS);
  /** The date layout MTAs write in {@code Received:} and {@code Date:}. */
  public static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);
  /** The campus MX's address; its name {@code mx.example.net} is trusted by every {@link #triage}. */
  public static final String MX = "192.0.2.25";

  private final Path dir;
  private final byte[] fleetKey;
  private final List<Report> reports = new ArrayList<>();
  private final Map<String, Long> sequences = new HashMap<>();

  /** Creates the fleet's database {@code c.db} in {@code dir} (the test's temporary folder). */
  public ImportedFleet(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
    try (Storage store = Storage.open(db())) {
      fleetKey = store.secret(PolicyProvider.FLEET_KEY);
    }
  }

  /** The fleet's SQLite file. */
  public Path db() {
    return dir.resolve("c.db");
  }

  /** A fresh host id, as an agent generates one at enrolment. */
  public static String id() {
    return TestReports.newHostId();
  }

  // ---- building report files -------------------------------------------------------------

  /** A full scan with fresh antivirus from {@code host} at {@code at}, placing {@code ips} on eth0. */
  public Report.Builder scan(String host, String name, Instant at, String... ips) {
    long seq = sequences.merge(host, 1L, Long::sum);
    Report r = TestReports.fullScan(host, name, at, seq);
    return r.toBuilder()
        .setInventory(r.getInventory().toBuilder().clearInterfaces().addInterfaces(NetworkInterface.newBuilder()
            .setName("eth0").setMac(mac(host)).addAllIpv4(List.of(ips))))
        .addAv(AvStatus.newBuilder().setProvider("clamav").setProduct("ClamAV").setState(AvState.AV_STATE_FRESH));
  }

  /** A stable VMware-style MAC for {@code host}. */
  public static String mac(String host) {
    int h = host.hashCode();
    return String.format(Locale.ROOT, "00:0c:29:%02x:%02x:%02x", (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
  }

  /** The host's latest report, five minutes ago: it is alive, so its verdict rests on evidence. */
  public ImportedFleet stillReporting(String host, String name, String... ips) {
    return report(scan(host, name, Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS), ips));
  }

  /**
   * A host that reports {@code ip} on eth0 at {@link #T0}, two minutes after {@code worm} (with
   * {@code egress}: the SMTP windows its agent saw around the worm's mail) and five minutes ago:
   * it held the address throughout and is alive. Imported with the next {@link #importReports()}.
   */
  public ImportedFleet reporting(String host, String name, String ip, Instant worm, SmtpEgressWindow... egress) {
    report(scan(host, name, T0, ip));
    report(scan(host, name, worm.plusSeconds(120), ip).addAllEgress(List.of(egress)));
    return stillReporting(host, name, ip);
  }

  /** Gives {@code hostId} the mail-server role ({@code policy --mail-server}). */
  public ImportedFleet mailServerRole(String hostId) {
    CliRun.run("policy", "--db", db().toString(), "--mail-server", hostId).ok();
    return this;
  }

  /** Adds {@code r} to the reports the next {@link #importReports()} writes and imports. */
  public ImportedFleet report(Report.Builder r) {
    reports.add(r.build());
    return this;
  }

  /** One minute of SMTP egress from {@code start} by {@code process}, six connections per destination. */
  public static SmtpEgressWindow egress(Instant start, String process, boolean allowed, String... destinations) {
    SmtpEgressWindow.Builder w = SmtpEgressWindow.newBuilder()
        .setWindowStart(Timestamps.fromMillis(start.toEpochMilli()))
        .setWindowEnd(Timestamps.fromMillis(start.plusSeconds(60).toEpochMilli()))
        .setFirstSeen(Timestamps.fromMillis(start.plusSeconds(5).toEpochMilli()))
        .setLastSeen(Timestamps.fromMillis(start.plusSeconds(50).toEpochMilli()))
        .setPid(4242).setProcessName(process).setConnections(6 * destinations.length)
        .setDistinctDestinations(destinations.length).setAllowed(allowed).setSource("poll");
    for (String d : destinations) {
      w.addDestinations(EgressDestination.newBuilder().setIp(d).setPort(25).setConnections(6));
    }
    return w.build();
  }

  /** Klez's own file in the system folder: the worm ran there. */
  public static ArtifactFinding winkFile() {
    return ArtifactFinding.newBuilder().setRuleId("klez.system.wink-exe").setRuleKind(RuleKind.RULE_KIND_FILE_NAME)
        .setPath("WINDOWS/SYSTEM32/WINKABCD.EXE").setSize(57344).setDetail("Klez worm file")
        .setSeverity(FindingSeverity.FINDING_SEVERITY_INFECTION).build();
  }

  /** The MS01-020 iframe trick in an unopened message of the inbox: the worm reached the host. */
  public static ArtifactFinding wormMailInInbox() {
    return ArtifactFinding.newBuilder().setRuleId("mail.ms01-020").setRuleKind(RuleKind.RULE_KIND_MAIL)
        .setPath("Documents and Settings/user/Local Settings/Application Data/Identities/Inbox.dbx")
        .setDetail("iframe src=cid: names an audio/x-wav part 'readme.exe' (MS01-020)")
        .setMail(MailFinding.newBuilder().setMessageId("<klez-4711@harold-pc>").setSubject("let's be friends")
            .setPartName("readme.exe"))
        .setSeverity(FindingSeverity.FINDING_SEVERITY_INFECTION).build();
  }

  /** The keyed digests of the address book the agent harvested (the fleet's own key). */
  public HarvestDigests harvest(String... addresses) {
    HarvestDigests.Builder b = HarvestDigests.newBuilder().setKeyId(PolicyProvider.keyId(fleetKey))
        .setAddressesSeen(addresses.length);
    for (String a : addresses) {
      b.addDigests(ByteString.copyFrom(AddressDigest.digest(fleetKey, a)));
    }
    return b.build();
  }

  /** Writes every report built so far as a protobuf JSON file and imports them all. */
  public void importReports() throws Exception {
    List<String> args = new ArrayList<>(List.of("import", "--db", db().toString()));
    for (int i = 0; i < reports.size(); i++) {
      Path file = dir.resolve("report-" + i + ".json");
      Files.writeString(file, JsonFormat.printer().print(reports.get(i)), StandardCharsets.UTF_8);
      args.add(file.toString());
    }
    reports.clear();
    CliRun.run(args.toArray(String[]::new)).ok();
  }

  // ---- complaints and commands -----------------------------------------------------------

  /** A complaint whose receiving MX (192.0.2.25) recorded {@code clientIp} at {@code when}. */
  public Path complaint(String name, String clientIp, Instant when, String from, String... to) throws Exception {
    String received = "Received: from harold-pc (unknown [" + clientIp + "])\r\n\tby mx.example.net (" + MX
        + ") with SMTP id 4F1E2D\r\n\tfor <" + to[0] + ">; " + RFC5322.format(when);
    return write(name, message(from, List.of(received), from, String.join(", ", to), when, "<" + name + "@harold-pc>",
        "A harmless stand-in for the worm's message."));
  }

  /**
   * A complaint {@code name.eml} whose {@code Received:} lines are {@code received} (top first, each
   * a whole field, continuation lines included) above the worm's own headers: From {@code
   * harold@lab.example.edu} (forged) to {@code bob@example.net}, dated three seconds before {@code
   * sent}, CRLF line ends.
   */
  public Path complaintThrough(String name, Instant sent, String... received) throws Exception {
    return complaintThrough(name, "<" + name + "@harold-pc>", "\r\n", sent, received);
  }

  /**
   * {@link #complaintThrough(String, Instant, String...)} with its {@code Message-ID} and the line
   * end the file is saved with ({@code "\r\n"}, or {@code "\n"} as a paste saves it).
   */
  public Path complaintThrough(String name, String messageId, String eol, Instant sent, String... received)
      throws Exception {
    return write(name, message("harold@lab.example.edu", List.of(received), "\"Harold\" <harold@lab.example.edu>",
        "bob@example.net", sent, messageId, "A harmless stand-in for the worm's message (" + name + ").")
        .replace("\r\n", eol));
  }

  /** The worm's message: its header fields below {@code received}, dated three seconds before {@code sent}. */
  private static String message(String returnPath, List<String> received, String from, String to, Instant sent,
      String messageId, String body) {
    List<String> lines = new ArrayList<>(List.of("Return-Path: <" + returnPath + ">"));
    lines.addAll(received);
    lines.addAll(List.of("From: " + from, "To: " + to, "Subject: let's be friends",
        "Date: " + RFC5322.format(sent.minusSeconds(3)), "Message-ID: " + messageId, "MIME-Version: 1.0",
        "Content-Type: text/plain", "", body, ""));
    return String.join("\r\n", lines);
  }

  /**
   * A complaint that went lab PC → the department relay {@code relay.lab.example.edu} → the campus
   * MX: the MX recorded the relay's connection as {@code relayConnection} two seconds after {@code
   * sent}, the relay recorded {@code clientConnection} at {@code sent}.
   */
  public Path relayedComplaint(String name, Instant sent, String relayConnection, String clientConnection)
      throws Exception {
    return complaintThrough(name, sent, viaRelay(sent, relayConnection, clientConnection));
  }

  /** The two {@code Received:} fields of {@link #relayedComplaint}, top first. */
  public static String[] viaRelay(Instant sent, String relayConnection, String clientConnection) {
    return new String[] {received(relayConnection, "mx.example.net (" + MX + ")", sent.plusSeconds(2)),
        received(clientConnection, "relay.lab.example.edu (Postfix)", sent)};
  }

  /**
   * One {@code Received:} field: {@code from} as the writer recorded the connection, written by
   * {@code by} at {@code when}, for bob@example.net.
   */
  public static String received(String from, String by, Instant when) {
    return "Received: from " + from + "\r\n\tby " + by + " with ESMTP id 7A1B2C\r\n\tfor <bob@example.net>; "
        + RFC5322.format(when);
  }

  /** Writes {@code text} as the complaint file {@code name.eml} (US-ASCII) and returns its path. */
  public Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name + ".eml");
    Files.writeString(file, text, StandardCharsets.US_ASCII);
    return file;
  }

  /**
   * {@code triage --format json} of {@code complaint}, recording (no {@code --no-record}), with the
   * campus MX named as trusted (so answers it recorded are evidence, docs/triage.md) plus any
   * further {@code --trust} entries.
   */
  public JsonNode triage(Path complaint, String... trust) throws Exception {
    List<String> args = new ArrayList<>(List.of("triage", "--db", db().toString(), "--trust", "mx.example.net"));
    for (String t : trust) {
      args.addAll(List.of("--trust", t));
    }
    args.addAll(List.of("--format", "json", complaint.toString()));
    return new ObjectMapper().readTree(CliRun.run(args.toArray(String[]::new)).ok().out());
  }

  /** The candidates' host ids in the answer's order. */
  public static List<String> candidateIds(JsonNode result) {
    return StreamSupport.stream(result.get("candidates").spliterator(), false)
        .map(c -> c.get("hostId").asText()).toList();
  }

  /** The confidence of {@code hostId} among the answer's candidates, 0 when it is none. */
  public static double confidence(JsonNode result, String hostId) {
    return StreamSupport.stream(result.get("candidates").spliterator(), false)
        .filter(c -> c.get("hostId").asText().equals(hostId)).findFirst()
        .map(c -> c.get("confidence").asDouble()).orElse(0.0);
  }

  /** The host's stored verdict. */
  public VerdictRecord verdict(String hostId) {
    try (Storage store = Storage.open(db())) {
      return store.verdict(hostId).orElseThrow();
    }
  }

  /** {@code host --format json hostId}. */
  public JsonNode hostJson(String hostId) throws Exception {
    return new ObjectMapper().readTree(CliRun.run("host", "--db", db().toString(), "--format", "json", hostId).ok().out());
  }
}
