package io.labscan.controller.cli;

import static io.labscan.testsupport.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.Timestamps;
import io.labscan.contract.harvest.AddressDigest;
import io.labscan.controller.TestReports;
import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.HarvestDigests;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.SmtpEgressWindow;
import io.labscan.testsupport.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Klez story against a real store: Linda's PC sends mail "from" Harold; DHCP later gives
 * Linda's old address to Harold's PC. Triage names Linda's PC, never Harold's.
 */
class TriageCommandTest {
  @TempDir Path dir;
  // The story happened this morning: verdicts judge silence and scan age against the real clock.
  private static final Instant T0 = Instant.now().minusSeconds(6 * 3600 + 300).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
  private static final Instant WORM = T0.plusSeconds(2 * 3600 + 32 * 60 + 11);
  private static final Instant RENUMBERED = T0.plusSeconds(5 * 3600);
  private static final Instant HAROLD_TAKES_IT = T0.plusSeconds(5 * 3600 + 600);
  private static final Instant WORM_AGAIN = T0.plusSeconds(6 * 3600);
  private static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", java.util.Locale.ROOT).withZone(ZoneOffset.UTC);

  private final String linda = TestReports.newHostId();
  private final String harold = TestReports.newHostId();
  private final String relay = TestReports.newHostId();
  private final String decoy = TestReports.newHostId();

  private Path db() {
    return dir.resolve("c.db");
  }

  private static Report clean(String id, String name, Instant at, long seq, String ip) {
    return TestReports.fullScan(id, name, at, seq, ip).toBuilder()
        .addAv(AvStatus.newBuilder().setProvider("clamav").setProduct("ClamAV").setState(AvState.AV_STATE_FRESH))
        .build();
  }

  private static SmtpEgressWindow egress(Instant start, String process, boolean allowed, String dest) {
    return SmtpEgressWindow.newBuilder()
        .setWindowStart(Timestamps.fromMillis(start.toEpochMilli()))
        .setWindowEnd(Timestamps.fromMillis(start.plusSeconds(60).toEpochMilli()))
        .setFirstSeen(Timestamps.fromMillis(start.plusSeconds(5).toEpochMilli()))
        .setLastSeen(Timestamps.fromMillis(start.plusSeconds(50).toEpochMilli()))
        .setPid(4242).setProcessName(process).setConnections(6).setDistinctDestinations(1)
        .addDestinations(EgressDestination.newBuilder().setIp(dest).setPort(25).setConnections(6))
        .setAllowed(allowed).setSource("poll")
        .build();
  }

  private static HarvestDigests harvest(byte[] key, String... addresses) {
    HarvestDigests.Builder b = HarvestDigests.newBuilder().setKeyId(PolicyProvider.keyId(key))
        .setAddressesSeen(addresses.length);
    for (String a : addresses) {
      b.addDigests(ByteString.copyFrom(AddressDigest.digest(key, a)));
    }
    return b.build();
  }

  @BeforeEach
  void seedTheLab() {
    try (Storage store = Storage.open(db())) {
      byte[] key = store.secret(PolicyProvider.FLEET_KEY);
      store.ingest(clean(linda, "lab-pc-07", T0, 1, "10.20.3.17").toBuilder()
          .setHarvest(harvest(key, "harold@lab.example.edu", "janet@lab.example.edu", "dean@lab.example.edu"))
          .build(), T0, "t").join();
      store.ingest(clean(harold, "lab-pc-12", T0, 1, "10.20.3.18"), T0, "t").join();
      store.ingest(clean(relay, "relay", T0, 1, "10.20.3.5"), T0, "t").join();
      store.ingest(clean(decoy, "lab-pc-03", T0, 1, "10.20.3.30").toBuilder()
          .setHarvest(harvest(key, "janet@lab.example.edu")).build(), T0, "t").join();
      // Linda's worm mails straight to the MX; the relay sends allowed mail at the same time (its
      // 'master' is on the fleet's allow-list: the controller, not the agent, decides what is allowed).
      store.putSettings(java.util.Map.of(io.labscan.controller.verdict.EgressAllowance.SETTING,
          "master".getBytes(java.nio.charset.StandardCharsets.UTF_8))).join();
      store.ingest(clean(linda, "lab-pc-07", WORM.plusSeconds(120), 2, "10.20.3.17").toBuilder()
          .addEgress(egress(WORM.minusSeconds(30), "winkabcd.exe", false, "10.20.0.25")).build(), WORM, "t").join();
      store.ingest(clean(relay, "relay", WORM.plusSeconds(120), 2, "10.20.3.5").toBuilder()
          .addEgress(egress(WORM.minusSeconds(30), "master", true, "10.20.0.25")).build(), WORM, "t").join();
      // DHCP renumbers Linda's PC and gives its old address to Harold's.
      store.ingest(clean(linda, "lab-pc-07", RENUMBERED, 3, "10.20.3.99"), RENUMBERED, "t").join();
      store.ingest(clean(harold, "lab-pc-12", HAROLD_TAKES_IT, 2, "10.20.3.17"), HAROLD_TAKES_IT, "t").join();
      store.ingest(clean(linda, "lab-pc-07", WORM_AGAIN.plusSeconds(120), 4, "10.20.3.99").toBuilder()
          .addEgress(egress(WORM_AGAIN.minusSeconds(30), "winkabcd.exe", false, "10.20.0.25")).build(),
          WORM_AGAIN, "t").join();
      store.setAddressOwner("harold@lab.example.edu", harold, "operator", T0).join();
    }
  }

  private Path complaint(String name, String clientIp, Instant when) throws Exception {
    String text = String.join("\r\n",
        "Return-Path: <harold@lab.example.edu>",
        "Received: from mx.lab.example.edu (mx.lab.example.edu [10.20.0.25])",
        "\tby mail.lab.example.edu (Postfix) with ESMTP id 9A1B2C3D",
        "\tfor <janet@lab.example.edu>; " + RFC5322.format(when.plusSeconds(2)),
        "Received: from harold-pc (unknown [" + clientIp + "])",
        "\tby mx.lab.example.edu (Postfix) with SMTP id 4F1E2D",
        "\tfor <janet@lab.example.edu>; " + RFC5322.format(when),
        "Received: from trusted.example.org (trusted.example.org [192.0.2.99])",
        "\tby harold-pc (8.12.2/8.12.2) with SMTP id g3F; " + RFC5322.format(when.minusSeconds(3600)),
        "From: Harold <harold@lab.example.edu>",
        "To: janet@lab.example.edu",
        "Subject: let's be friends",
        "Date: " + RFC5322.format(when.minusSeconds(3)),
        "Message-ID: <" + name + "@harold-pc>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain",
        "",
        "Hi, this is a harmless stand-in for the worm's message.",
        "");
    Path file = dir.resolve(name + ".eml");
    Files.writeString(file, text, StandardCharsets.US_ASCII);
    return file;
  }

  private JsonNode triageJson(Path file, String... extra) throws Exception {
    String[] args = new String[6 + extra.length];
    args[0] = "triage";
    args[1] = "--db";
    args[2] = db().toString();
    args[3] = "--trust";
    args[4] = "mx.lab.example.edu";
    System.arraycopy(extra, 0, args, 5, extra.length);
    args[5 + extra.length] = file.toString();
    String[] withFormat = java.util.Arrays.copyOf(args, args.length + 2);
    withFormat[args.length] = "--format";
    withFormat[args.length + 1] = "json";
    CliRun r = run(withFormat);
    assertThat(r.code()).as(r.err()).isZero();
    return new ObjectMapper().readTree(r.out());
  }

  @Test
  void theComplaintIsTracedToLindasPcNotToHarold() throws Exception {
    JsonNode result = triageJson(complaint("first", "10.20.3.17", WORM));

    assertThat(result.get("origin").get("ip").asText()).isEqualTo("10.20.3.17");
    assertThat(result.get("origin").get("time").asText()).isEqualTo(WORM.toString());
    assertThat(result.get("claimedSender").asText()).isEqualTo("harold@lab.example.edu");
    JsonNode top = result.get("candidates").get(0);
    assertThat(top.get("hostname").asText()).isEqualTo("lab-pc-07");
    assertThat(top.get("hostId").asText()).isEqualTo(linda);
    assertThat(top.get("confidence").asDouble()).isGreaterThan(0.8);
    assertThat(top.get("reasons").toString()).contains("10.20.3.17");
    for (JsonNode c : result.get("candidates")) {
      if (!c.get("hostId").asText().equals(linda)) {
        assertThat(c.get("confidence").asDouble()).isLessThan(top.get("confidence").asDouble());
      }
    }
    assertThat(result.get("claimedSenderHost").get("hostname").asText()).isEqualTo("lab-pc-12");
    assertThat(result.get("claimedSenderHost").get("verdict").asText()).isEqualTo("CLEAN");
  }

  @Test
  void theLaterHolderOfTheAddressIsNeverBlamedForTheOldComplaint() throws Exception {
    JsonNode result = triageJson(complaint("first", "10.20.3.17", WORM));
    for (JsonNode c : result.get("candidates")) {
      if (c.get("hostId").asText().equals(harold)) {
        assertThat(c.get("reasons").toString()).doesNotContain("held");
        assertThat(c.get("confidence").asDouble()).isLessThan(0.5);
      }
    }
  }

  @Test
  void afterRenumberingTheNewComplaintStillNamesLindasPc() throws Exception {
    JsonNode result = triageJson(complaint("second", "10.20.3.99", WORM_AGAIN));
    assertThat(result.get("candidates").get(0).get("hostId").asText()).isEqualTo(linda);
  }

  @Test
  void theTableSaysTheFromAddressIsForged() throws Exception {
    CliRun r = run("triage", "--db", db().toString(), "--trust", "mx.lab.example.edu",
        complaint("first", "10.20.3.17", WORM).toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Origin: 10.20.3.17").contains("1. lab-pc-07")
        .contains("claimed sender's machine lab-pc-12 is CLEAN; the From: address is forged");
  }

  @Test
  void theAnswerBecomesEvidenceForVerdicts() throws Exception {
    triageJson(complaint("first", "10.20.3.17", WORM));
    CliRun r = run("infected", "--db", db().toString(), "--format", "json");
    JsonNode infected = new ObjectMapper().readTree(r.out());
    assertThat(infected.findValuesAsText("hostname")).contains("lab-pc-07").doesNotContain("lab-pc-12", "relay");
  }

  @Test
  void aFileThatIsNotAMailMessageIsBadInput() throws Exception {
    Path file = dir.resolve("report.json");
    Files.writeString(file, "{\"reportId\": \"x\"}");
    CliRun r = run("triage", "--db", db().toString(), file.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("report.json").contains("not a mail message");
  }

  @Test
  void aMessageWithoutReceivedLinesSaysNoOriginCanBeDetermined() throws Exception {
    Path file = dir.resolve("bare.eml");
    Files.writeString(file, "From: harold@lab.example.edu\r\nTo: janet@lab.example.edu\r\nSubject: honey\r\n\r\nhi\r\n");
    CliRun r = run("triage", "--db", db().toString(), "--format", "json", file.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode result = new ObjectMapper().readTree(r.out());
    assertThat(result.get("origin").isNull()).isTrue();
    assertThat(r.out().toLowerCase(java.util.Locale.ROOT)).contains("no origin can be determined");
  }

  @Test
  void aMalformedEgressWindowIsBadInputNamingTheOption() throws Exception {
    CliRun r = run("triage", "--db", db().toString(), "--egress-window", "ten minutes",
        complaint("first", "10.20.3.17", WORM).toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--egress-window");
  }
}
