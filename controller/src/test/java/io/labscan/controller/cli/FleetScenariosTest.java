package io.labscan.controller.cli;

import static io.labscan.testsupport.CliRun.run;
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
import io.labscan.testsupport.CliRun;
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
 * Whole fleets built only the way an air-gapped site builds them: agents' report files
 * ({@code labscan-agent scan --out}) imported with {@code labscan-controller import}, then
 * {@code triage} and {@code host} run on the result. Each scenario is one story of issue #15:
 * rankings and verdicts that never blame the innocent, and agents that lie about addresses.
 */
class FleetScenariosTest {
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
  private FleetScenariosTest stillReporting(String host, String name, String... ips) {
    return report(scan(host, name, Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS), ips));
  }

  private FleetScenariosTest report(Report.Builder r) {
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
    CliRun r = run(args.toArray(String[]::new));
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

  private JsonNode triage(Path complaint) throws Exception {
    // The campus MX is named as trusted, so answers it recorded are evidence (docs/triage.md, recording).
    CliRun r = run("triage", "--db", db().toString(), "--trust", "mx.example.net", "--format", "json",
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
    CliRun r = run("host", "--db", db().toString(), "--format", "json", hostId);
    assertThat(r.code()).as(r.err()).isZero();
    return new ObjectMapper().readTree(r.out());
  }

  private static String id() {
    return TestReports.newHostId();
  }

  // ---- scenarios -------------------------------------------------------------------------

  @Test
  void dhcpRenumberingBlamesTheHostThatHeldTheAddressAtTheTimeNotItsLaterHolder() throws Exception {
    String linda = id();
    String harold = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    report(scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    report(scan(harold, "lab-pc-12", T0, "10.20.3.18"));
    report(scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, MX)));
    // DHCP renumbers Linda's PC and hands 10.20.3.17 to Harold's.
    report(scan(linda, "lab-pc-07", T0.plus(Duration.ofHours(4)), "10.20.3.99"));
    report(scan(harold, "lab-pc-12", T0.plus(Duration.ofHours(4)).plusSeconds(300), "10.20.3.17"));
    report(scan(linda, "lab-pc-07", T0.plus(Duration.ofHours(5)), "10.20.3.99"));
    report(scan(harold, "lab-pc-12", T0.plus(Duration.ofHours(5)), "10.20.3.17"));
    stillReporting(linda, "lab-pc-07", "10.20.3.99").stillReporting(harold, "lab-pc-12", "10.20.3.17");
    importReports();

    JsonNode result = triage(complaint("dhcp", "10.20.3.17", worm, "harold@lab.example.edu", "janet@lab.example.edu"));

    assertThat(candidateIds(result)).containsExactly(linda);
    assertThat(confidence(result, linda)).isEqualTo(0.925);
    assertThat(result.get("conflicts")).isEmpty();
    assertThat(verdict(linda).verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(verdict(harold).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void behindANatTheHostThatSentSmtpToTheRecordingMtaRanksFirst() throws Exception {
    String sender = id();
    String other = id();
    String quiet = id();
    Instant worm = T0.plus(Duration.ofHours(3));
    report(scan(sender, "lab-pc-21", worm.plusSeconds(120), "10.20.4.21")
        .addEgress(egress(worm.minusSeconds(20), "winkabcd.exe", false, MX)));
    report(scan(other, "lab-pc-22", worm.plusSeconds(120), "10.20.4.22")
        .addEgress(egress(worm.minusSeconds(20), "thunderbird.exe", false, "198.51.100.10")));
    report(scan(quiet, "lab-pc-23", worm.plusSeconds(120), "10.20.4.23"));
    importReports();

    // The outside MX saw the lab's NAT address, which no agent reports.
    JsonNode result = triage(complaint("nat", "203.0.113.1", worm, "dean@lab.example.edu", "bob@example.net"));

    assertThat(candidateIds(result)).containsExactly(sender, other);
    assertThat(confidence(result, sender)).isEqualTo(0.70);
    assertThat(confidence(result, other)).isEqualTo(0.25);
    assertThat(result.get("warnings").toString()).contains("no host held 203.0.113.1");
  }

  @Test
  void aRelayWithTheMailServerRoleIsNeverACandidateAndItsAllowedEgressScoresNothing() throws Exception {
    String relay = id();
    String sender = id();
    String bystander = id();
    Instant worm = T0.plus(Duration.ofHours(3));
    report(scan(relay, "lab-relay", worm.plusSeconds(120), "10.20.0.25")
        .addEgress(egress(worm.minusSeconds(10), "master", true, MX))
        .setHarvest(harvest("harold@lab.example.edu", "janet@lab.example.edu")));
    report(scan(sender, "lab-pc-31", worm.plusSeconds(120), "10.20.3.31")
        .addEgress(egress(worm.minusSeconds(40), "winkabcd.exe", false, "10.20.0.25")));
    report(scan(bystander, "lab-pc-32", worm.plusSeconds(120), "10.20.3.32"));
    stillReporting(relay, "lab-relay", "10.20.0.25");
    importReports();
    assertThat(run("policy", "--db", db().toString(), "--mail-server", relay).code()).isZero();

    // The relay is not in --trust, so the MX's line names the relay as the client.
    JsonNode result = triage(complaint("relay", "10.20.0.25", worm, "harold@lab.example.edu", "janet@lab.example.edu"));

    assertThat(candidateIds(result)).containsExactly(sender).doesNotContain(relay);
    assertThat(result.get("warnings").toString()).contains("lab-relay (" + relay + "), which has the mail-server role");
    assertThat(result.get("candidates").toString()).doesNotContain("allowed by policy");
    assertThat(verdict(relay).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void twoInfectedHostsAreEachNamedForTheirOwnComplaintAndBothInfected() throws Exception {
    String first = id();
    String second = id();
    String clean = id();
    Instant one = T0.plus(Duration.ofHours(2));
    Instant two = T0.plus(Duration.ofHours(3));
    report(scan(first, "lab-pc-41", T0, "10.20.5.41").addFindings(winkFile()));
    report(scan(second, "lab-pc-42", T0, "10.20.5.42").addFindings(winkFile()));
    report(scan(clean, "lab-pc-43", T0, "10.20.5.43"));
    report(scan(first, "lab-pc-41", one.plusSeconds(120), "10.20.5.41").addFindings(winkFile())
        .addEgress(egress(one.minusSeconds(30), "winkabcd.exe", false, MX)));
    report(scan(second, "lab-pc-42", two.plusSeconds(120), "10.20.5.42").addFindings(winkFile())
        .addEgress(egress(two.minusSeconds(30), "winkqzrt.exe", false, MX)));
    stillReporting(clean, "lab-pc-43", "10.20.5.43");
    importReports();

    JsonNode a = triage(complaint("one", "10.20.5.41", one, "dean@lab.example.edu", "bob@example.net"));
    JsonNode b = triage(complaint("two", "10.20.5.42", two, "dean@lab.example.edu", "carol@example.net"));

    assertThat(candidateIds(a)).containsExactly(first);
    assertThat(candidateIds(b)).containsExactly(second);
    assertThat(verdict(first).verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(verdict(second).verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(verdict(clean).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void anOutbreakWithThirtyRecipientsMakesNoneOfThemInfected() throws Exception {
    String sender = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    List<String> recipients = new ArrayList<>();
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String r = id();
      recipients.add(r);
      addresses.add("student" + i + "@lab.example.edu");
      // Each inbox holds the worm's message, its own address and the forged sender's.
      report(scan(r, "lab-pc-" + (100 + i), Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS),
          "10.20.6." + (100 + i))
          .addFindings(wormMailInInbox())
          .setHarvest(harvest("student" + i + "@lab.example.edu", "harold@lab.example.edu")));
    }
    report(scan(sender, "lab-pc-50", worm.plusSeconds(120), "10.20.6.50").addFindings(winkFile())
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, MX))
        .setHarvest(harvest(addresses.toArray(String[]::new))));
    importReports();
    for (int i = 0; i < 30; i++) {
      assertThat(run("owner", "--db", db().toString(), addresses.get(i), recipients.get(i)).code()).isZero();
    }

    JsonNode result = triage(complaint("outbreak", "10.20.6.50", worm, "harold@lab.example.edu",
        addresses.toArray(String[]::new)));

    assertThat(candidateIds(result).get(0)).isEqualTo(sender);
    assertThat(verdict(sender).verdict()).isEqualTo(Verdict.INFECTED);
    for (String r : recipients) {
      VerdictRecord v = verdict(r);
      assertThat(v.verdict()).as(r).isEqualTo(Verdict.AT_RISK);
      assertThat(v.reasons()).extracting(Reason::code).containsExactly("exposure");
      assertThat(confidence(result, r)).isLessThan(0.5);
    }
  }

  @Test
  void aComplaintForwardedByItsRecipientLeavesTheRecipientsMachineExposedNotInfected() throws Exception {
    String linda = id();
    String janet = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    report(scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, MX))
        .setHarvest(harvest("harold@lab.example.edu", "janet@lab.example.edu")));
    // Janet received the worm's mail, which names her and the forged sender, and forwarded it to IT.
    report(scan(janet, "lab-pc-09", Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS), "10.20.3.9")
        .addFindings(wormMailInInbox())
        .setHarvest(harvest("janet@lab.example.edu", "harold@lab.example.edu")));
    importReports();
    assertThat(run("owner", "--db", db().toString(), "janet@lab.example.edu", janet).code()).isZero();

    JsonNode result = triage(complaint("forwarded", "10.20.3.17", worm, "harold@lab.example.edu",
        "janet@lab.example.edu"));

    assertThat(candidateIds(result).get(0)).isEqualTo(linda);
    assertThat(confidence(result, janet)).isLessThan(0.5);
    assertThat(verdict(janet).verdict()).isEqualTo(Verdict.AT_RISK);
    assertThat(verdict(linda).verdict()).isEqualTo(Verdict.INFECTED);
  }

  @Test
  void aWormMailCarryingAForgedForwardIsRecordedAgainstItsSenderNeverAgainstTheHostTheForwardNames()
      throws Exception {
    String linda = id();
    String harold = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    report(scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    // A mass mailing: 36 SMTP sessions to the MX in the minute. One session would look like a
    // person forwarding a message (issue 15, red-team round 2): then the carried part is traced,
    // capped and never recorded, whatever the process is called.
    SmtpEgressWindow burst = egress(worm.minusSeconds(30), "winkabcd.exe", false, MX).toBuilder()
        .setConnections(36).setDestinations(0, EgressDestination.newBuilder().setIp(MX).setPort(25).setConnections(36))
        .build();
    report(scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17").addEgress(burst));
    report(scan(harold, "lab-pc-12", T0, "10.20.3.12"));
    stillReporting(harold, "lab-pc-12", "10.20.3.12");
    importReports();
    // The worm mails the MX directly; its text "forwards" a message whose forged Received: line
    // says the MX received it from lab-pc-12 half an hour earlier.
    String boundary = "----=_NextPart_000_0007_01C2A9B1";
    Path mail = dir.resolve("forged-forward.eml");
    Files.writeString(mail, String.join("\r\n",
        "Received: from Wqkrtz (unknown [10.20.3.17])",
        "\tby mx.example.net (" + MX + ") with SMTP id 7A1B2C",
        "\tfor <janet@lab.example.edu>; " + RFC5322.format(worm),
        "From: harold@lab.example.edu",
        "To: janet@lab.example.edu",
        "Subject: Fw: meeting notice",
        "Date: " + RFC5322.format(worm.minusSeconds(2)),
        "Message-ID: <fw-4711@Wqkrtz>",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"",
        "",
        "--" + boundary,
        "Content-Type: text/plain",
        "",
        "This came from lab-pc-12, see the attachment.",
        "",
        "--" + boundary,
        "Content-Type: message/rfc822",
        "",
        "Received: from LAB-PC-12 (unknown [10.20.3.12])",
        "\tby mx.example.net (" + MX + ") with SMTP id 2B7E90",
        "\tfor <janet@lab.example.edu>; " + RFC5322.format(worm.minus(Duration.ofMinutes(30))),
        "From: harold@lab.example.edu",
        "To: janet@lab.example.edu",
        "Subject: meeting notice",
        "Date: " + RFC5322.format(worm.minus(Duration.ofMinutes(30))),
        "",
        "See you at the meeting.",
        "",
        "--" + boundary + "--",
        ""), StandardCharsets.US_ASCII);

    JsonNode result = triage(mail);

    assertThat(result.get("tracedPart").asText()).isEqualTo("the message itself");
    assertThat(candidateIds(result).get(0)).isEqualTo(linda);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(result.get("recordable").asBoolean()).isTrue();
    assertThat(verdict(linda).verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(verdict(harold).verdict()).isNotEqualTo(Verdict.INFECTED).isNotEqualTo(Verdict.SUSPECTED);
  }

  @Test
  void anAgentClaimingAnotherHostsAddressMakesAConflictWithBothHostsCandidates() throws Exception {
    String linda = id();
    String liar = id();
    Instant claim = T0.plus(Duration.ofHours(1));
    Instant worm = T0.plus(Duration.ofHours(2));
    report(scan(linda, "lab-pc-07", T0, "10.20.3.20"));
    report(scan(liar, "lab-pc-12", claim, "10.20.3.20"));
    report(scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.20")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, MX)));
    report(scan(liar, "lab-pc-12", worm.plusSeconds(180), "10.20.3.20"));
    report(scan(linda, "lab-pc-07", Instant.now().minusSeconds(600), "10.20.3.20"));
    report(scan(liar, "lab-pc-12", Instant.now().minusSeconds(500), "10.20.3.20"));
    importReports();

    JsonNode result = triage(complaint("conflict", "10.20.3.20", worm, "harold@lab.example.edu",
        "janet@lab.example.edu"));

    assertThat(candidateIds(result)).containsExactly(linda, liar);
    // Linda's interface held the address before the liar's claim began: the larger share (0.70 · 2/3),
    // with her egress to the MX 0.867; the liar's fresh claim 0.70 · 1/3.
    assertThat(confidence(result, linda)).isEqualTo(0.867);
    assertThat(confidence(result, liar)).isEqualTo(0.233);
    assertThat(result.get("warnings").toString()).contains("10.20.3.20 is claimed by lab-pc-07 (" + linda
        + ") and lab-pc-12 (" + liar + ") since " + claim);
    JsonNode conflict = result.get("conflicts").get(0);
    assertThat(conflict.get("ip").asText()).isEqualTo("10.20.3.20");
    assertThat(conflict.get("since").asText()).isEqualTo(claim.toString());
    for (String host : List.of(linda, liar)) {
      JsonNode view = hostJson(host);
      assertThat(view.get("addressConflicts").get(0).get("ip").asText()).isEqualTo("10.20.3.20");
      assertThat(view.get("addressConflicts").get(0).get("otherHostId").asText()).isEqualTo(host.equals(linda) ? liar : linda);
      assertThat(view.get("verdict").get("reasons").toString()).contains("address-conflict");
    }
  }

  @Test
  void aSilentHostsReusedAddressRanksTheNewHolderFirstAndTheSilentOneLower() throws Exception {
    String old = id();
    String fresh = id();
    Instant lastWord = T0;
    Instant worm = T0.plus(Duration.ofHours(4));
    // The old PC reports 10.20.3.40 and is switched off; the DHCP lease is later given to another.
    report(scan(old, "lab-pc-40", lastWord.minus(Duration.ofHours(1)), "10.20.3.40"));
    report(scan(old, "lab-pc-40", lastWord, "10.20.3.40"));
    report(scan(fresh, "lab-pc-44", T0.plus(Duration.ofHours(3)), "10.20.3.40"));
    report(scan(fresh, "lab-pc-44", worm.plusSeconds(120), "10.20.3.40"));
    importReports();

    JsonNode result = triage(complaint("silent", "10.20.3.40", worm, "harold@lab.example.edu", "janet@lab.example.edu"));

    assertThat(candidateIds(result)).containsExactly(fresh, old);
    assertThat(confidence(result, fresh)).isEqualTo(0.70);
    assertThat(confidence(result, old)).isEqualTo(0.30);
    assertThat(result.get("warnings").toString()).contains("lab-pc-40 (" + old + ")").contains("silent since " + lastWord);
    assertThat(result.get("conflicts")).isEmpty();
  }

  @Test
  void anAmbiguousHostnameIsRefusedListingTheHostIds() throws Exception {
    String one = id();
    String two = id();
    report(scan(one, "lab-pc-07", T0, "10.20.3.7"));
    report(scan(two, "LAB-PC-07", T0, "10.20.3.8"));
    importReports();

    for (List<String> command : List.of(List.of("host"), List.of("revoke"), List.of("owner", "linda@lab.example.edu"),
        List.of("policy", "--mail-server"), List.of("policy", "--not-mail-server"))) {
      List<String> args = new ArrayList<>(command.subList(0, 1));
      args.addAll(List.of("--db", db().toString()));
      args.addAll(command.subList(1, command.size()));
      args.add("lab-pc-07");
      CliRun r = run(args.toArray(String[]::new));
      assertThat(r.code()).as(command + ": " + r.err()).isEqualTo(2);
      assertThat(r.err()).as(command.toString()).contains(one).contains(two);
    }
    assertThat(Optional.of(hostJson(one).get("hostname").asText())).contains("lab-pc-07");
  }
}
