package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.util.Timestamps;
import io.labscan.controller.verdict.Verdict;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.SmtpEgressWindow;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, red-team round 7, S2 and S3: egress-only ranking (no agent held the origin) never makes
 * a host INFECTED or recorded for mail it could not have been the origin of — a host holding an
 * address the configuration names exactly as an MTA (a department relay without the mail-server
 * role yet), a host that held another address of our private network when the MTA recorded the
 * origin, a host whose connections went only to submission ports while the origin's hand-in was
 * unauthenticated. Fleets through {@code import}; answers from the real {@code triage}, which records.
 */
class RedTeamRound7EgressTest {
  @TempDir Path dir;
  private ImportedFleet fleet;
  private Instant worm;

  @BeforeEach
  void aVisitorsLaptopWithoutAnAgentMailsTheWormThroughTheMx() {
    fleet = new ImportedFleet(dir);
    worm = T0.plus(Duration.ofHours(2));
  }

  /** {@code connections} SMTP connections of {@code process} to {@code server}:{@code port} in one minute. */
  private static SmtpEgressWindow mailing(Instant start, String process, String server, int port, int connections) {
    return SmtpEgressWindow.newBuilder()
        .setWindowStart(Timestamps.fromMillis(start.toEpochMilli()))
        .setWindowEnd(Timestamps.fromMillis(start.plusSeconds(60).toEpochMilli()))
        .setFirstSeen(Timestamps.fromMillis(start.plusSeconds(2).toEpochMilli()))
        .setLastSeen(Timestamps.fromMillis(start.plusSeconds(58).toEpochMilli()))
        .setPid(4242).setProcessName(process).setConnections(connections).setDistinctDestinations(1)
        .setAllowed(false).setSource("poll")
        .addDestinations(EgressDestination.newBuilder().setIp(server).setPort(port).setConnections(connections))
        .build();
  }

  /** {@code name} holds {@code ip} all day and reports three busy minutes around the worm's mail. */
  private String busyHost(String name, String ip, String process, int port) throws Exception {
    String host = id();
    fleet.report(fleet.scan(host, name, T0, ip));
    fleet.report(fleet.scan(host, name, worm.plusSeconds(300), ip)
        .addEgress(mailing(worm.minusSeconds(90), process, MX, port, 10))
        .addEgress(mailing(worm.minusSeconds(30), process, MX, port, 10))
        .addEgress(mailing(worm.plusSeconds(30), process, MX, port, 10)));
    fleet.stillReporting(host, name, ip);
    fleet.importReports();
    return host;
  }

  private boolean recordedOrInfected(String hostId) {
    Verdict v = fleet.verdict(hostId).verdict();
    return v == Verdict.INFECTED || fleet.verdict(hostId).reasons().stream().anyMatch(r -> r.code().equals("complaint"));
  }

  @Test
  void aRelayNamedExactlyByTrustIsNeverRankedByItsRelayedTraffic() throws Exception {
    String relay = busyHost("relay", "10.20.0.30", "smtp", 25);

    JsonNode result = fleet.triage(fleet.complaint("byod-relay", "10.20.3.200", worm, "harold@lab.example.edu",
        "bob@example.net"), "10.20.0.30");

    assertThat(candidateIds(result)).as(result.toPrettyString()).doesNotContain(relay);
    assertThat(result.get("warnings").toString()).contains("names exactly as an MTA");
    assertThat(recordedOrInfected(relay)).as(fleet.verdict(relay).toString()).isFalse();
  }

  @Test
  void aMailMergeFromAHostHoldingItsOwnAddressIsNotTheVisitorsWormMail() throws Exception {
    String office = busyHost("lab-office-01", "10.20.3.90", "thunderbird.exe", 25);

    JsonNode result = fleet.triage(fleet.complaint("byod-merge", "10.20.3.200", worm, "harold@lab.example.edu",
        "bob@example.net"));

    assertThat(result.toString()).as(result.toPrettyString()).contains("held its own address 10.20.3.90");
    assertThat(networkConfidence(result, office)).as(result.toPrettyString()).isLessThan(0.5);
    assertThat(recordedOrInfected(office)).as(fleet.verdict(office).toString()).isFalse();
  }

  @Test
  void connectionsOnlyToTheSubmissionPortDoNotExplainAnUnauthenticatedHandIn() throws Exception {
    // Behind the campus NAT (public origin), so only the ports tell this host from the sender.
    String office = busyHost("lab-office-01", "10.20.3.90", "thunderbird.exe", 587);

    JsonNode result = fleet.triage(fleet.complaint("nat-merge", "198.51.100.7", worm, "harold@lab.example.edu",
        "bob@example.net"));

    assertThat(result.toString()).as(result.toPrettyString()).contains("only to submission ports");
    assertThat(networkConfidence(result, office)).as(result.toPrettyString()).isLessThan(0.5);
    assertThat(recordedOrInfected(office)).as(fleet.verdict(office).toString()).isFalse();
  }

  @Test
  void aWormMailingOnPort25BehindTheNatStillRecordsItsHost() throws Exception {
    String linda = busyHost("lab-pc-07", "10.20.3.17", "winkabcd.exe", 25);

    JsonNode result = fleet.triage(fleet.complaint("nat-worm", "198.51.100.7", worm, "harold@lab.example.edu",
        "bob@example.net"));

    assertThat(candidateIds(result)).as(result.toPrettyString()).first().isEqualTo(linda);
    assertThat(networkConfidence(result, linda)).as(result.toPrettyString()).isGreaterThanOrEqualTo(0.5);
    assertThat(fleet.verdict(linda).verdict()).isEqualTo(Verdict.INFECTED);
  }

  private static double networkConfidence(JsonNode result, String hostId) {
    for (JsonNode c : result.get("candidates")) {
      if (c.get("hostId").asText().equals(hostId)) {
        return c.get("networkConfidence").asDouble();
      }
    }
    return 0;
  }
}
