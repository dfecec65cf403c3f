package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.RFC5322;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.confidence;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.util.Timestamps;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.SmtpEgressWindow;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team round 5 of issue #15 (rt5-findings.md R1, R2): a person's mail client sending one
 * message is not a worm's mailing. Fleets built through {@code import}, answers from the real
 * {@code triage} (which records) and verdicts from the stored evidence.
 */
class RedTeamRound5EgressTest {
  /** Our submission server: an MTA of ours, but not the MX that records the complaints. */
  private static final String SUBMIT = "10.20.0.30";
  @TempDir Path dir;
  private ImportedFleet fleet;

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /** One minute of a mail client's submission: {@code connections} to {@code server} on {@code port}. */
  private static SmtpEgressWindow mailClient(Instant start, int connections, String server, int port) {
    return SmtpEgressWindow.newBuilder()
        .setWindowStart(Timestamps.fromMillis(start.toEpochMilli()))
        .setWindowEnd(Timestamps.fromMillis(start.plusSeconds(60).toEpochMilli()))
        .setFirstSeen(Timestamps.fromMillis(start.plusSeconds(5).toEpochMilli()))
        .setLastSeen(Timestamps.fromMillis(start.plusSeconds(20).toEpochMilli()))
        .setPid(3120).setProcessName("thunderbird.exe").setConnections(connections).setDistinctDestinations(1)
        .setAllowed(false).setSource("poll")
        .addDestinations(EgressDestination.newBuilder().setIp(server).setPort(port).setConnections(connections))
        .build();
  }

  /** A worm's own SMTP engine: 5 connections to each of {@code servers}' port 25 within a minute. */
  private static SmtpEgressWindow massMailing(Instant start, String... servers) {
    SmtpEgressWindow.Builder w = SmtpEgressWindow.newBuilder()
        .setWindowStart(Timestamps.fromMillis(start.toEpochMilli()))
        .setWindowEnd(Timestamps.fromMillis(start.plusSeconds(60).toEpochMilli()))
        .setFirstSeen(Timestamps.fromMillis(start.plusSeconds(2).toEpochMilli()))
        .setLastSeen(Timestamps.fromMillis(start.plusSeconds(58).toEpochMilli()))
        .setPid(4242).setProcessName("winkabcd.exe").setConnections(5 * servers.length)
        .setDistinctDestinations(servers.length).setAllowed(false).setSource("poll");
    for (String s : servers) {
      w.addDestinations(EgressDestination.newBuilder().setIp(s).setPort(25).setConnections(5));
    }
    return w.build();
  }

  /** Harold's lab-pc-12 holds 10.20.3.12 all day; its report after {@code worm} carries {@code window}. */
  private String haroldWith(Instant worm, SmtpEgressWindow window) throws Exception {
    String harold = id();
    fleet.report(fleet.scan(harold, "lab-pc-12", T0, "10.20.3.12"));
    fleet.report(fleet.scan(harold, "lab-pc-12", worm.plusSeconds(600), "10.20.3.12").addEgress(window));
    fleet.stillReporting(harold, "lab-pc-12", "10.20.3.12");
    fleet.importReports();
    return harold;
  }

  private static boolean warned(JsonNode result, String text) {
    return StreamSupport.stream(result.get("warnings").spliterator(), false).anyMatch(w -> w.asText().contains(text));
  }

  private boolean complaintRecorded(String hostId) {
    return fleet.verdict(hostId).reasons().stream().map(Reason::code).anyMatch("complaint"::equals);
  }

  /** Harold's own mail: his Thunderbird submitted it to our submission server, which passed it to the MX. */
  private Path authenticatedSubmission(String name, Instant when) throws Exception {
    return fleet.write(name, String.join("\r\n",
        "Received: from submit.example.net (submit.example.net [" + SUBMIT + "])",
        "\tby mx.example.net (" + MX + ") with ESMTPS id 5E6F70",
        "\tfor <carol@lab.example.edu>; " + RFC5322.format(when.plusSeconds(1)),
        "Received: from [10.20.3.12] (unknown [10.20.3.12])",
        "\t(Authenticated sender: harold)",
        "\tby submit.example.net (Postfix) with ESMTPSA id 1A2B3C",
        "\tfor <carol@lab.example.edu>; " + RFC5322.format(when),
        "From: Harold <harold@lab.example.edu>",
        "To: carol@lab.example.edu",
        "Subject: minutes of today's meeting",
        "Date: " + RFC5322.format(when.minusSeconds(2)),
        "Message-ID: <" + name + ".harold@lab.example.edu>",
        "User-Agent: Mozilla Thunderbird",
        "MIME-Version: 1.0",
        "Content-Type: text/plain",
        "",
        "The minutes are attached.",
        ""));
  }

  // ---- R1: an origin no agent held ------------------------------------------------------

  @Test
  void mailFromAnAddressNoAgentHeldIsNotPinnedOnAPcWhoseMailClientSentOneMessageElsewhereThen() throws Exception {
    Instant worm = T0.plus(Duration.ofHours(2));
    String harold = haroldWith(worm, mailClient(worm.minusSeconds(11), 1, SUBMIT, 587));

    JsonNode result = fleet.triage(fleet.complaint("byod", "10.20.3.200", worm, "harold@lab.example.edu",
        "carol@lab.example.edu"));

    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(warned(result, "ordinary mail sending")).isTrue();
    assertThat(complaintRecorded(harold)).isFalse();
    // The unallowed window alone keeps its own verdict: SUSPECTED by policy, never INFECTED.
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.SUSPECTED);
  }

  @Test
  void aMailClientsSubmissionToTheRecordingMtaItselfStaysBelowTheRecordingThresholdAndNeverMakesItInfected()
      throws Exception {
    Instant worm = T0.plus(Duration.ofHours(2));
    String harold = haroldWith(worm, mailClient(worm.minusSeconds(11), 2, MX, 587));

    JsonNode result = fleet.triage(fleet.complaint("byod-mx", "10.20.3.200", worm, "harold@lab.example.edu",
        "carol@lab.example.edu"));

    assertThat(confidence(result, harold)).isPositive().isLessThan(0.5);
    assertThat(complaintRecorded(harold)).isFalse();
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.SUSPECTED);
  }

  @Test
  void aWormsMassMailingToTheRecordingMtaFromBehindANatIsStillRecordedAndInfected() throws Exception {
    Instant worm = T0.plus(Duration.ofHours(2));
    String linda = id();
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "192.168.1.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", worm.plusSeconds(600), "192.168.1.17")
        .addEgress(massMailing(worm.minusSeconds(30), MX, "198.51.100.7", "198.51.100.8", "203.0.113.9")));
    fleet.stillReporting(linda, "lab-pc-07", "192.168.1.17");
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("nat", "203.0.113.200", worm, "harold@lab.example.edu",
        "bob@example.net"));

    assertThat(confidence(result, linda)).isGreaterThanOrEqualTo(0.5);
    assertThat(complaintRecorded(linda)).isTrue();
    assertThat(fleet.verdict(linda).verdict()).isEqualTo(Verdict.INFECTED);
  }

  // ---- R2: a user's own authenticated submission --------------------------------------

  @Test
  void aUsersOwnAuthenticatedSubmissionIsShownWithItsAccountButNotRecordedAsTheWorm() throws Exception {
    Instant sent = T0.plus(Duration.ofHours(2));
    String harold = haroldWith(sent, mailClient(sent.minusSeconds(9), 1, SUBMIT, 587));

    JsonNode result = fleet.triage(authenticatedSubmission("own-mail", sent), "submit.example.net");

    assertThat(candidateIds(result)).startsWith(harold);
    assertThat(confidence(result, harold)).isLessThan(0.5);
    assertThat(warned(result, "authenticated submission (account harold)")).isTrue();
    assertThat(complaintRecorded(harold)).isFalse();
    assertThat(fleet.verdict(harold).verdict()).isNotEqualTo(Verdict.INFECTED);
  }

  @Test
  void anAuthenticatedSubmissionStraightToTheMxIsTheAccountsActEvenWithTheClientsConnectionsToIt() throws Exception {
    Instant sent = T0.plus(Duration.ofHours(2));
    String harold = haroldWith(sent, mailClient(sent.minusSeconds(9), 2, MX, 465));
    Path mail = fleet.write("own-mail-mx", String.join("\r\n",
        "Received: from [10.20.3.12] (unknown [10.20.3.12])",
        "\t(Authenticated sender: harold@lab.example.edu)",
        "\tby mx.example.net (" + MX + ") with ESMTPSA id 9F8E7D",
        "\tfor <carol@lab.example.edu>; " + RFC5322.format(sent),
        "From: harold@lab.example.edu",
        "To: carol@lab.example.edu",
        "Subject: lunch?",
        "Date: " + RFC5322.format(sent.minusSeconds(2)),
        "Message-ID: <own-mail-mx.harold@lab.example.edu>",
        "",
        "12:30?",
        ""));

    JsonNode result = fleet.triage(mail);

    assertThat(confidence(result, harold)).isPositive().isLessThan(0.5);
    assertThat(warned(result, "account harold@lab.example.edu")).isTrue();
    assertThat(complaintRecorded(harold)).isFalse();
    assertThat(fleet.verdict(harold).verdict()).isNotEqualTo(Verdict.INFECTED);
  }

  @Test
  void anAuthenticatedSubmissionIsRecordedWhenTheMachinesOwnEgressLooksLikeAWormsMailing() throws Exception {
    Instant sent = T0.plus(Duration.ofHours(2));
    // A stolen password or the worm on Harold's PC: its own SMTP engine mails recipients' servers directly.
    String harold = haroldWith(sent, massMailing(sent.minusSeconds(20), "198.51.100.7", "198.51.100.8",
        "203.0.113.9", "203.0.113.10", "192.0.2.77"));

    JsonNode result = fleet.triage(authenticatedSubmission("stolen", sent), "submit.example.net");

    assertThat(confidence(result, harold)).isGreaterThanOrEqualTo(0.5);
    assertThat(complaintRecorded(harold)).isTrue();
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.INFECTED);
  }
}
