package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.RFC5322;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labscan.controller.verdict.Reason;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.SmtpEgressWindow;
import io.labscan.testsupport.CliRun;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team round 7 of issue #15 (rt7-findings.md S1, S2, S5a): recording, and the sentence's
 * "Sent by … medium", rest on network evidence alone. The address book (the sender's chosen
 * From/To matched against a colleague's harvest) may rank a candidate, never carry it over the
 * recording threshold; weights capped below recording stay below it however many of them a batch
 * adds up. Fleets through {@code import}, answers from the real {@code triage} (which records).
 */
class RedTeamRound7RecordingTest {
  private static final String[] COLLEAGUES = {"harold@lab.example.edu", "carol@lab.example.edu",
      "erin@lab.example.edu", "frank@lab.example.edu"};
  @TempDir Path dir;
  private ImportedFleet fleet;
  private final Instant worm = T0.plus(Duration.ofHours(2));

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /** A person's mail client: ONE connection to the MX at {@code start} (not a worm's mailing). */
  private static SmtpEgressWindow oneMessage(Instant start, String process, int port) {
    SmtpEgressWindow w = ImportedFleet.egress(start, process, false, MX);
    return w.toBuilder().setConnections(1)
        .setDestinations(0, w.getDestinations(0).toBuilder().setPort(port).setConnections(1)).build();
  }

  /**
   * A PC reporting {@code ip} all day, its address book ({@code harvest}) in its first report and
   * {@code window} in its report after the worm's mail; returns its host id.
   */
  private String oneMessageFrom(String name, String ip, SmtpEgressWindow window, String... harvest) throws Exception {
    String host = id();
    Report.Builder first = fleet.scan(host, name, T0, ip);
    fleet.report(harvest.length == 0 ? first : first.setHarvest(fleet.harvest(harvest)));
    fleet.report(fleet.scan(host, name, worm.plusSeconds(600), ip).addEgress(window));
    fleet.stillReporting(host, name, ip);
    fleet.importReports();
    return host;
  }

  /** Harold's lab-pc-12 and Carol's lab-pc-30 report all day; their addresses' owners are recorded. */
  private void haroldAndCarolWithOwners() throws Exception {
    String harold = id();
    String carol = id();
    fleet.report(fleet.scan(harold, "lab-pc-12", T0, "10.20.3.12"));
    fleet.stillReporting(harold, "lab-pc-12", "10.20.3.12");
    fleet.report(fleet.scan(carol, "lab-pc-30", T0, "10.20.3.30"));
    fleet.stillReporting(carol, "lab-pc-30", "10.20.3.30");
    fleet.importReports();
    CliRun.run("owner", "--db", fleet.db().toString(), "harold@lab.example.edu", harold).ok();
    CliRun.run("owner", "--db", fleet.db().toString(), "carol@lab.example.edu", carol).ok();
  }

  private boolean complaintRecorded(String hostId) {
    return fleet.verdict(hostId).reasons().stream().map(Reason::code).anyMatch("complaint"::equals);
  }

  /** The candidate's {@code networkConfidence}, or -1 when the answer does not list it. */
  private static double networkConfidence(JsonNode result, String hostId) {
    return StreamSupport.stream(result.get("candidates").spliterator(), false)
        .filter(c -> c.get("hostId").asText().equals(hostId)).findFirst()
        .map(c -> c.path("networkConfidence").asDouble(-1)).orElse(-1.0);
  }

  @Test
  void aSilentFormerHolderWhoseAddressBookHoldsTheColleaguesAddressesIsNotRecorded() throws Exception {
    // S1a: dave-laptop held 10.20.3.40 until last night and went home; a visitor got the address.
    String dave = id();
    Instant last = T0.minus(Duration.ofHours(12));
    fleet.report(fleet.scan(dave, "dave-laptop", last.minus(Duration.ofHours(8)), "10.20.3.40"));
    fleet.report(fleet.scan(dave, "dave-laptop", last, "10.20.3.40").setHarvest(fleet.harvest(COLLEAGUES)));
    fleet.importReports();
    haroldAndCarolWithOwners();

    JsonNode result = fleet.triage(fleet.complaint("silent-dave", "10.20.3.40", worm, "harold@lab.example.edu",
        "carol@lab.example.edu"));

    assertThat(complaintRecorded(dave)).isFalse();
    assertThat(result.get("summary").asText()).doesNotContain("Sent by dave-laptop");
    assertThat(networkConfidence(result, dave)).isBetween(0.0, 0.30);
  }

  @Test
  void oneMessageFromAMailClientToTheMxPlusTheAddressBookIsNotRecorded() throws Exception {
    // S1b: a visitor's laptop without an agent mails the worm; Dave's Outlook sent one message 4 min before.
    String dave = oneMessageFrom("lab-pc-40", "10.20.3.40", oneMessage(worm.minusSeconds(240), "OUTLOOK.EXE", 587),
        COLLEAGUES);
    haroldAndCarolWithOwners();

    JsonNode result = fleet.triage(fleet.complaint("byod", "10.20.3.200", worm, "harold@lab.example.edu",
        "carol@lab.example.edu"));

    assertThat(complaintRecorded(dave)).isFalse();
    assertThat(result.get("summary").asText()).startsWith("Possibly sent by lab-pc-40").contains("confidence low");
    assertThat(networkConfidence(result, dave)).isBetween(0.0, 0.45);
  }

  @Test
  void anAuthenticatedSubmissionToColleaguesInTheAccountsAddressBookIsNotRecorded() throws Exception {
    // S1c (R2): Harold's own mail, authenticated, to three colleagues his address book holds.
    String harold = oneMessageFrom("lab-pc-12", "10.20.3.12", oneMessage(worm.minusSeconds(9), "thunderbird.exe", 465),
        COLLEAGUES);
    CliRun.run("owner", "--db", fleet.db().toString(), "harold@lab.example.edu", harold).ok();
    Path ownMail = fleet.write("own-mail", String.join("\r\n",
        "Received: from [10.20.3.12] (unknown [10.20.3.12])",
        "\t(Authenticated sender: harold@lab.example.edu)",
        "\tby mx.example.net (" + MX + ") with ESMTPSA id 9F8E7D",
        "\tfor <carol@lab.example.edu>; " + RFC5322.format(worm),
        "From: harold@lab.example.edu",
        "To: carol@lab.example.edu, erin@lab.example.edu, frank@lab.example.edu",
        "Subject: group meeting moved to 3pm",
        "Date: " + RFC5322.format(worm.minusSeconds(2)),
        "Message-ID: <own-mail.harold@lab.example.edu>",
        "",
        "See you there.",
        ""));

    JsonNode result = fleet.triage(ownMail);

    assertThat(complaintRecorded(harold)).isFalse();
    assertThat(result.get("summary").asText()).doesNotContain("confidence medium").doesNotContain("confidence high");
    assertThat(networkConfidence(result, harold)).isBetween(0.0, 0.45);
  }

  @Test
  void oneEgressWindowCountsOnceAcrossABatchOfComplaints() throws Exception {
    // S2: a visitor's laptop mails two worm copies 3 min apart; Dave's Outlook sent ONE message before.
    String dave = oneMessageFrom("lab-pc-40", "10.20.3.40", oneMessage(worm.minusSeconds(60), "OUTLOOK.EXE", 25));
    Path first = fleet.complaint("byod-1", "10.20.3.200", worm, "harold@lab.example.edu", "carol@lab.example.edu");
    Path second = fleet.complaint("byod-2", "10.20.3.200", worm.plusSeconds(180), "erin@lab.example.edu",
        "frank@lab.example.edu");

    JsonNode result = new ObjectMapper().readTree(CliRun.run("triage", "--db", fleet.db().toString(), "--trust",
        "mx.example.net", "--format", "json", first.toString(), second.toString()).ok().out());

    assertThat(complaintRecorded(dave)).isFalse();
    assertThat(ImportedFleet.confidence(result, dave)).isLessThan(0.5);
    assertThat(result.get("summary").asText()).startsWith("Possibly sent by lab-pc-40");
    assertThat(networkConfidence(result, dave)).isBetween(0.0, 0.45);
  }

  @Test
  void aHostTiedToTheMailByItsAddressBookAloneIsNotNamedAsTheSender() throws Exception {
    // S5a: the worm's mail came from outside; Dave's lab-pc-40 merely holds both colleagues' addresses.
    String dave = id();
    fleet.report(fleet.scan(dave, "lab-pc-40", T0, "10.20.3.40").setHarvest(fleet.harvest(COLLEAGUES)));
    fleet.stillReporting(dave, "lab-pc-40", "10.20.3.40");
    fleet.importReports();
    haroldAndCarolWithOwners();

    JsonNode result = fleet.triage(fleet.write("outside", String.join("\r\n",
        "Received: from home-pc (unknown [198.51.100.77])",
        "\tby mx.example.net (" + MX + ") with SMTP id 4F1E2D",
        "\tfor <carol@lab.example.edu>; " + RFC5322.format(worm),
        "From: harold@lab.example.edu",
        "To: carol@lab.example.edu",
        "Subject: let's be friends",
        "Date: " + RFC5322.format(worm.minusSeconds(3)),
        "Message-ID: <outside@home-pc>",
        "",
        "A harmless stand-in for the worm's message.",
        "")));

    assertThat(complaintRecorded(dave)).isFalse();
    assertThat(result.get("summary").asText()).doesNotContain("Sent by lab-pc-40")
        .doesNotContain("confidence medium").contains("address book only");
    assertThat(networkConfidence(result, dave)).isEqualTo(0.0);
  }

  @Test
  void aHolderWhoseEgressCorroboratesItIsStillRecordedWithItsNetworkConfidence() throws Exception {
    // The rule must not lose the true sender: lab-pc-07 held the origin and mass-mailed through the MX.
    String linda = id();
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", worm.plusSeconds(600), "10.20.3.17")
        .addEgress(ImportedFleet.egress(worm.minusSeconds(20), "winkabcd.exe", false, MX)));
    fleet.stillReporting(linda, "lab-pc-07", "10.20.3.17");
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("worm", "10.20.3.17", worm, "harold@lab.example.edu",
        "carol@lab.example.edu"));

    assertThat(complaintRecorded(linda)).isTrue();
    assertThat(result.get("summary").asText()).startsWith("Sent by lab-pc-07");
    assertThat(networkConfidence(result, linda)).isGreaterThanOrEqualTo(0.8);
  }
}
