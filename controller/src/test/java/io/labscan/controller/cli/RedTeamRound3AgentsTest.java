package io.labscan.controller.cli;

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
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team round 3 of issue #15, agents that lie: fleets built the way {@code FleetScenariosTest}
 * builds them (report files through {@code import}, then {@code triage} and {@code host}), each
 * test one attack by a malware-controlled agent, asserting the answer that blames no innocent host
 * and misses no real sender (findings: rt-agents-findings.md of the round).
 */
class RedTeamRound3AgentsTest {
  @TempDir Path dir;
  /** The stories happened this morning: verdicts judge silence and scan age by the real clock. */
  private static final Instant T0 = Instant.now().minus(Duration.ofHours(6)).truncatedTo(ChronoUnit.SECONDS);
  private static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final String MX = "192.0.2.25";

  private byte[] fleetKey;
  private final List<Report> reports = new ArrayList<>();
  private final Map<String, Long> sequences = new HashMap<>();

  @BeforeEach
  void createTheDatabase() {
    try (Storage store = Storage.open(db())) {
      fleetKey = store.secret(PolicyProvider.FLEET_KEY);
    }
  }

  private Path db() {
    return dir.resolve("c.db");
  }

  // ---- building report files -------------------------------------------------------------

  /** A full scan with fresh antivirus from {@code host} at {@code at}, placing {@code ips} on eth0. */
  private Report.Builder scan(String host, String name, Instant at, String... ips) {
    long seq = sequences.merge(host, 1L, Long::sum);
    Report r = TestReports.fullScan(host, name, at, seq);
    return r.toBuilder()
        .setInventory(r.getInventory().toBuilder().clearInterfaces().addInterfaces(NetworkInterface.newBuilder()
            .setName("eth0").setMac(mac(host)).addAllIpv4(List.of(ips))))
        .addAv(AvStatus.newBuilder().setProvider("clamav").setProduct("ClamAV").setState(AvState.AV_STATE_FRESH));
  }

  private static String mac(String host) {
    int h = host.hashCode();
    return String.format(Locale.ROOT, "00:0c:29:%02x:%02x:%02x", (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
  }

  /** The host's latest report, five minutes ago: it is alive, so its verdict rests on evidence. */
  private RedTeamRound3AgentsTest stillReporting(String host, String name, String... ips) {
    return report(scan(host, name, Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS), ips));
  }

  private RedTeamRound3AgentsTest report(Report.Builder r) {
    reports.add(r.build());
    return this;
  }

  private static SmtpEgressWindow egress(Instant start, String process, boolean allowed, String... destinations) {
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

  private static ArtifactFinding winkFile() {
    return ArtifactFinding.newBuilder().setRuleId("klez.system.wink-exe").setRuleKind(RuleKind.RULE_KIND_FILE_NAME)
        .setPath("WINDOWS/SYSTEM32/WINKABCD.EXE").setSize(57344).setDetail("Klez worm file")
        .setSeverity(FindingSeverity.FINDING_SEVERITY_INFECTION).build();
  }

  /** The MS01-020 iframe trick in an unopened message of the inbox: the worm reached the host. */
  private static ArtifactFinding wormMailInInbox() {
    return ArtifactFinding.newBuilder().setRuleId("mail.ms01-020").setRuleKind(RuleKind.RULE_KIND_MAIL)
        .setPath("Documents and Settings/user/Local Settings/Application Data/Identities/Inbox.dbx")
        .setDetail("iframe src=cid: names an audio/x-wav part 'readme.exe' (MS01-020)")
        .setMail(MailFinding.newBuilder().setMessageId("<klez-4711@harold-pc>").setSubject("let's be friends")
            .setPartName("readme.exe"))
        .setSeverity(FindingSeverity.FINDING_SEVERITY_INFECTION).build();
  }

  private HarvestDigests harvest(String... addresses) {
    HarvestDigests.Builder b = HarvestDigests.newBuilder().setKeyId(PolicyProvider.keyId(fleetKey))
        .setAddressesSeen(addresses.length);
    for (String a : addresses) {
      b.addDigests(ByteString.copyFrom(AddressDigest.digest(fleetKey, a)));
    }
    return b.build();
  }

  /** Writes every report built so far as a protobuf JSON file and imports them all. */
  private void importReports() throws Exception {
    List<String> args = new ArrayList<>(List.of("import", "--db", db().toString()));
    for (int i = 0; i < reports.size(); i++) {
      Path file = dir.resolve("report-" + i + ".json");
      Files.writeString(file, JsonFormat.printer().print(reports.get(i)), StandardCharsets.UTF_8);
      args.add(file.toString());
    }
    reports.clear();
    Run r = run(args.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
  }

  // ---- complaints and commands -----------------------------------------------------------

  /** A complaint whose receiving MX (192.0.2.25) recorded {@code clientIp} at {@code when}. */
  private Path complaint(String name, String clientIp, Instant when, String from, String... to) throws Exception {
    String text = String.join("\r\n",
        "Return-Path: <" + from + ">",
        "Received: from harold-pc (unknown [" + clientIp + "])",
        "\tby mx.example.net (" + MX + ") with SMTP id 4F1E2D",
        "\tfor <" + to[0] + ">; " + RFC5322.format(when),
        "From: " + from,
        "To: " + String.join(", ", to),
        "Subject: let's be friends",
        "Date: " + RFC5322.format(when.minusSeconds(3)),
        "Message-ID: <" + name + "@harold-pc>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain",
        "",
        "A harmless stand-in for the worm's message.",
        "");
    Path file = dir.resolve(name + ".eml");
    Files.writeString(file, text, StandardCharsets.US_ASCII);
    return file;
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = ControllerMain.commandLine().execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  private JsonNode triage(Path complaint) throws Exception {
    // The campus MX is named as trusted, so answers it recorded are evidence (docs/triage.md, recording).
    Run r = run("triage", "--db", db().toString(), "--trust", "mx.example.net", "--format", "json",
        complaint.toString());
    assertThat(r.code()).as(r.err()).isZero();
    return new ObjectMapper().readTree(r.out());
  }

  private static List<String> candidateIds(JsonNode result) {
    return StreamSupport.stream(result.get("candidates").spliterator(), false)
        .map(c -> c.get("hostId").asText()).toList();
  }

  private static double confidence(JsonNode result, String hostId) {
    return StreamSupport.stream(result.get("candidates").spliterator(), false)
        .filter(c -> c.get("hostId").asText().equals(hostId)).findFirst()
        .map(c -> c.get("confidence").asDouble()).orElse(0.0);
  }

  private VerdictRecord verdict(String hostId) {
    try (Storage store = Storage.open(db())) {
      return store.verdict(hostId).orElseThrow();
    }
  }

  private JsonNode hostJson(String hostId) throws Exception {
    Run r = run("host", "--db", db().toString(), "--format", "json", hostId);
    assertThat(r.code()).as(r.err()).isZero();
    return new ObjectMapper().readTree(r.out());
  }

  private static String id() {
    return TestReports.newHostId();
  }

  /** Triage with the given {@code --trust} entries (the campus MX is always among them). */
  private JsonNode triage(Path complaint, String... trust) throws Exception {
    List<String> args = new ArrayList<>(List.of("triage", "--db", db().toString(), "--trust", "mx.example.net"));
    for (String t : trust) {
      args.addAll(List.of("--trust", t));
    }
    args.addAll(List.of("--format", "json", complaint.toString()));
    Run r = run(args.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    return new ObjectMapper().readTree(r.out());
  }

  /**
   * A complaint that went lab PC → the department relay (10.20.0.25) → the MX: the MX recorded the
   * relay as its client, the relay recorded {@code clientIp}.
   */
  private Path relayedComplaint(String name, String clientIp, Instant when, String from, String to) throws Exception {
    String text = String.join("\r\n",
        "Return-Path: <" + from + ">",
        "Received: from relay.lab.example.edu (relay.lab.example.edu [10.20.0.25])",
        "\tby mx.example.net (" + MX + ") with ESMTP id 7A1B2C",
        "\tfor <" + to + ">; " + RFC5322.format(when.plusSeconds(2)),
        "Received: from harold-pc (unknown [" + clientIp + "])",
        "\tby relay.lab.example.edu (Postfix) with SMTP id 3C4D5E",
        "\tfor <" + to + ">; " + RFC5322.format(when),
        "From: " + from,
        "To: " + to,
        "Subject: let's be friends",
        "Date: " + RFC5322.format(when.minusSeconds(3)),
        "Message-ID: <" + name + "@harold-pc>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain",
        "",
        "A harmless stand-in for the worm's message.",
        "");
    Path file = dir.resolve(name + ".eml");
    Files.writeString(file, text, StandardCharsets.US_ASCII);
    return file;
  }

  // ---- address claims --------------------------------------------------------------------

  @Test
  void aLabPcClaimingTheConfiguredRelaysAddressDoesNotMoveTheTrustBoundaryOffTheRealSender() throws Exception {
    String linda = id();
    String liar = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    report(scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    report(scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, "10.20.0.25")));
    // The relay runs no agent; the administrator named it with --trust. A malware-controlled agent
    // places the relay's address on its own interface, before and after the worm's mail.
    report(scan(liar, "lab-pc-66", T0, "10.20.3.66", "10.20.0.25"));
    report(scan(liar, "lab-pc-66", worm.plusSeconds(180), "10.20.3.66", "10.20.0.25"));
    stillReporting(linda, "lab-pc-07", "10.20.3.17").stillReporting(liar, "lab-pc-66", "10.20.3.66", "10.20.0.25");
    importReports();

    JsonNode result = triage(relayedComplaint("relay-claim", "10.20.3.17", worm, "harold@lab.example.edu",
        "bob@example.net"), "10.20.0.25");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).as(result.toPrettyString()).first().isEqualTo(linda);
  }

  @Test
  void aLabPcClaimingTheConfiguredRelaysAddressIsNamedInAWarningAsAFalseClaim() throws Exception {
    String linda = id();
    String liar = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    report(scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    report(scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17"));
    report(scan(liar, "lab-pc-66", T0, "10.20.3.66", "10.20.0.25"));
    report(scan(liar, "lab-pc-66", worm.plusSeconds(180), "10.20.3.66", "10.20.0.25"));
    importReports();

    JsonNode result = triage(relayedComplaint("relay-claim-warned", "10.20.3.17", worm, "harold@lab.example.edu",
        "bob@example.net"), "10.20.0.25");

    assertThat(StreamSupport.stream(result.get("warnings").spliterator(), false).map(JsonNode::asText))
        .as(result.toPrettyString())
        .anySatisfy(w -> assertThat(w).contains("lab-pc-66").contains(liar).contains("10.20.0.25")
            .contains("false claim"));
  }

  @Test
  void aNetworkWiderThanOneAddressStillGivesWayToTheLabPcHoldingTheAddress() throws Exception {
    String linda = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    // --trust 10.20.0.0/16 covers the lab PCs too: a lab PC's address in it is the boundary.
    report(scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    report(scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17"));
    importReports();

    JsonNode result = triage(relayedComplaint("relay-network", "10.20.3.17", worm, "harold@lab.example.edu",
        "bob@example.net"), "10.20.0.0/16");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).first().isEqualTo(linda);
  }

  /** Held (pins F1's premise): without the lying claim, the configured relay passes the walk on. */
  @Test
  void aConfiguredRelayPassesTheWalkToTheLabPcBehindIt() throws Exception {
    String linda = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    report(scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    report(scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, "10.20.0.25")));
    stillReporting(linda, "lab-pc-07", "10.20.3.17");
    importReports();

    JsonNode result = triage(relayedComplaint("relay", "10.20.3.17", worm, "harold@lab.example.edu",
        "bob@example.net"), "10.20.0.25");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).first().isEqualTo(linda);
  }

  @Test
  void anAgentClaimingTheNatsPublicAddressDoesNotHideTheHostWhoseSmtpWentToTheRecordingMta() throws Exception {
    String sender = id();
    String liar = id();
    Instant worm = T0.plus(Duration.ofHours(3));
    report(scan(sender, "lab-pc-21", worm.plusSeconds(120), "10.20.4.21")
        .addEgress(egress(worm.minusSeconds(20), "winkabcd.exe", false, MX)));
    // The lab sits behind a NAT (203.0.113.1) no agent runs on; a lying agent reports the NAT's
    // public address on its interface, and sent no SMTP mail at all.
    report(scan(liar, "lab-pc-66", T0, "10.20.4.66", "203.0.113.1"));
    report(scan(liar, "lab-pc-66", worm.plusSeconds(180), "10.20.4.66", "203.0.113.1"));
    importReports();

    JsonNode result = triage(complaint("nat-claim", "203.0.113.1", worm, "dean@lab.example.edu", "bob@example.net"));

    assertThat(candidateIds(result)).as(result.toPrettyString()).contains(sender);
  }

  @Test
  void theHostWhoseSmtpWentToTheRecordingMtaWhileTheHolderWasSilentStaysBelowTheRecordingThreshold()
      throws Exception {
    String sender = id();
    String holder = id();
    Instant worm = T0.plus(Duration.ofHours(3));
    report(scan(sender, "lab-pc-21", worm.plusSeconds(120), "10.20.4.21")
        .addEgress(egress(worm.minusSeconds(20), "winkabcd.exe", false, MX)));
    report(scan(holder, "lab-pc-66", T0, "10.20.4.66", "203.0.113.1"));
    report(scan(holder, "lab-pc-66", worm.plusSeconds(180), "10.20.4.66", "203.0.113.1"));
    importReports();

    JsonNode result = triage(complaint("nat-claim-capped", "203.0.113.1", worm, "dean@lab.example.edu",
        "bob@example.net"));

    // The holder may be honest and its agent may have missed a short session: a warning, not a record.
    assertThat(confidence(result, sender)).as(result.toPrettyString()).isPositive().isLessThan(0.5);
    assertThat(StreamSupport.stream(result.get("warnings").spliterator(), false).map(JsonNode::asText))
        .anySatisfy(w -> assertThat(w).contains("shows no SMTP egress").contains("lab-pc-21").contains(MX));
  }

  @Test
  void theUnspecifiedAddressReportedByTwoHostsIsNoAddressConflict() throws Exception {
    String one = id();
    String two = id();
    // A Windows adapter whose DHCP request is still pending shows 0.0.0.0; it names no machine.
    report(scan(one, "lab-pc-81", T0, "10.20.8.81", "0.0.0.0"));
    report(scan(two, "lab-pc-82", T0, "10.20.8.82", "0.0.0.0"));
    stillReporting(one, "lab-pc-81", "10.20.8.81", "0.0.0.0").stillReporting(two, "lab-pc-82", "10.20.8.82", "0.0.0.0");
    importReports();

    JsonNode view = hostJson(one);

    assertThat(view.get("addressConflicts")).as(view.toPrettyString()).isEmpty();
  }

  // ---- names are claims ------------------------------------------------------------------

  @Test
  void theAnswerSentenceNamesTheSenderByItsHostIdWhenAnotherHostHasTheSameName() throws Exception {
    String linda = id();
    String sender = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    report(scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    // The infected machine renamed itself after an innocent one.
    report(scan(sender, "lab-pc-07", worm.plusSeconds(120), "10.20.3.66")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, MX)));
    stillReporting(linda, "lab-pc-07", "10.20.3.17");
    importReports();

    JsonNode result = triage(complaint("same-name", "10.20.3.66", worm, "harold@lab.example.edu",
        "janet@lab.example.edu"));

    assertThat(candidateIds(result)).first().isEqualTo(sender);
    assertThat(result.get("summary").asText()).contains(sender);
  }

  @Test
  void theAnswerSentenceNamesTheSenderByItsHostIdWhenItsNameOnlyLooksLikeAnotherHosts() throws Exception {
    String linda = id();
    String sender = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    report(scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    // "lab-pc-07" followed by a zero-width space: printed, it is the innocent host's name.
    report(scan(sender, "lab-pc-07\u200B", worm.plusSeconds(120), "10.20.3.66")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, MX)));
    stillReporting(linda, "lab-pc-07", "10.20.3.17");
    importReports();

    JsonNode result = triage(complaint("look-alike", "10.20.3.66", worm, "harold@lab.example.edu",
        "janet@lab.example.edu"));

    assertThat(candidateIds(result)).first().isEqualTo(sender);
    assertThat(result.get("summary").asText()).contains(sender);
  }
}
