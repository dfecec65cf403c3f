package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.confidence;
import static io.labscan.testsupport.ImportedFleet.egress;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
  private ImportedFleet fleet;

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /**
   * A complaint that went lab PC → the department relay (10.20.0.25) → the MX: the MX recorded the
   * relay as its client, the relay recorded {@code clientIp}.
   */
  private Path relayedComplaint(String name, String clientIp, Instant when) throws Exception {
    return fleet.relayedComplaint(name, when, "relay.lab.example.edu (relay.lab.example.edu [10.20.0.25])",
        "harold-pc (unknown [" + clientIp + "])");
  }

  // ---- address claims --------------------------------------------------------------------

  @Test
  void aLabPcClaimingTheConfiguredRelaysAddressDoesNotMoveTheTrustBoundaryOffTheRealSender() throws Exception {
    String linda = id();
    String liar = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, "10.20.0.25")));
    // The relay runs no agent; the administrator named it with --trust. A malware-controlled agent
    // places the relay's address on its own interface, before and after the worm's mail.
    fleet.report(fleet.scan(liar, "lab-pc-66", T0, "10.20.3.66", "10.20.0.25"));
    fleet.report(fleet.scan(liar, "lab-pc-66", worm.plusSeconds(180), "10.20.3.66", "10.20.0.25"));
    fleet.stillReporting(linda, "lab-pc-07", "10.20.3.17").stillReporting(liar, "lab-pc-66", "10.20.3.66", "10.20.0.25");
    fleet.importReports();

    JsonNode result = fleet.triage(relayedComplaint("relay-claim", "10.20.3.17", worm), "10.20.0.25");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).as(result.toPrettyString()).first().isEqualTo(linda);
  }

  @Test
  void aLabPcClaimingTheConfiguredRelaysAddressIsNamedInAWarningAsAFalseClaim() throws Exception {
    String linda = id();
    String liar = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17"));
    fleet.report(fleet.scan(liar, "lab-pc-66", T0, "10.20.3.66", "10.20.0.25"));
    // Reports within the holding grace of the mail on both sides (hours without one are silence).
    fleet.report(fleet.scan(liar, "lab-pc-66", worm.minus(Duration.ofHours(1)), "10.20.3.66", "10.20.0.25"));
    fleet.report(fleet.scan(liar, "lab-pc-66", worm.plusSeconds(180), "10.20.3.66", "10.20.0.25"));
    fleet.importReports();

    JsonNode result = fleet.triage(relayedComplaint("relay-claim-warned", "10.20.3.17", worm), "10.20.0.25");

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
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17"));
    fleet.importReports();

    JsonNode result = fleet.triage(relayedComplaint("relay-network", "10.20.3.17", worm), "10.20.0.0/16");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).first().isEqualTo(linda);
  }

  /** Held (pins F1's premise): without the lying claim, the configured relay passes the walk on. */
  @Test
  void aConfiguredRelayPassesTheWalkToTheLabPcBehindIt() throws Exception {
    String linda = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    fleet.reporting(linda, "lab-pc-07", "10.20.3.17", worm, egress(worm.minusSeconds(30), "winkabcd.exe", false,
        "10.20.0.25")).importReports();

    JsonNode result = fleet.triage(relayedComplaint("relay", "10.20.3.17", worm), "10.20.0.25");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).first().isEqualTo(linda);
  }

  @Test
  void anAgentClaimingTheNatsPublicAddressDoesNotHideTheHostWhoseSmtpWentToTheRecordingMta() throws Exception {
    String sender = id();
    String liar = id();
    Instant worm = T0.plus(Duration.ofHours(3));
    fleet.report(fleet.scan(sender, "lab-pc-21", worm.plusSeconds(120), "10.20.4.21")
        .addEgress(egress(worm.minusSeconds(20), "winkabcd.exe", false, MX)));
    // The lab sits behind a NAT (203.0.113.1) no agent runs on; a lying agent reports the NAT's
    // public address on its interface, and sent no SMTP mail at all.
    fleet.report(fleet.scan(liar, "lab-pc-66", T0, "10.20.4.66", "203.0.113.1"));
    fleet.report(fleet.scan(liar, "lab-pc-66", worm.plusSeconds(180), "10.20.4.66", "203.0.113.1"));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("nat-claim", "203.0.113.1", worm, "dean@lab.example.edu", "bob@example.net"));

    assertThat(candidateIds(result)).as(result.toPrettyString()).contains(sender);
  }

  @Test
  void theHostWhoseSmtpWentToTheRecordingMtaWhileTheHolderWasSilentStaysBelowTheRecordingThreshold()
      throws Exception {
    String sender = id();
    String holder = id();
    Instant worm = T0.plus(Duration.ofHours(3));
    fleet.report(fleet.scan(sender, "lab-pc-21", worm.plusSeconds(120), "10.20.4.21")
        .addEgress(egress(worm.minusSeconds(20), "winkabcd.exe", false, MX)));
    fleet.report(fleet.scan(holder, "lab-pc-66", T0, "10.20.4.66", "203.0.113.1"));
    // Reports within the holding grace of the mail on both sides (hours without one are silence).
    fleet.report(fleet.scan(holder, "lab-pc-66", worm.minus(Duration.ofHours(1)), "10.20.4.66", "203.0.113.1"));
    fleet.report(fleet.scan(holder, "lab-pc-66", worm.plusSeconds(180), "10.20.4.66", "203.0.113.1"));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("nat-claim-capped", "203.0.113.1", worm, "dean@lab.example.edu",
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
    fleet.report(fleet.scan(one, "lab-pc-81", T0, "10.20.8.81", "0.0.0.0"));
    fleet.report(fleet.scan(two, "lab-pc-82", T0, "10.20.8.82", "0.0.0.0"));
    fleet.stillReporting(one, "lab-pc-81", "10.20.8.81", "0.0.0.0").stillReporting(two, "lab-pc-82", "10.20.8.82", "0.0.0.0");
    fleet.importReports();

    JsonNode view = fleet.hostJson(one);

    assertThat(view.get("addressConflicts")).as(view.toPrettyString()).isEmpty();
  }

  // ---- names are claims ------------------------------------------------------------------

  @Test
  void theAnswerSentenceNamesTheSenderByItsHostIdWhenAnotherHostHasTheSameName() throws Exception {
    String linda = id();
    String sender = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    // The infected machine renamed itself after an innocent one.
    fleet.report(fleet.scan(sender, "lab-pc-07", worm.plusSeconds(120), "10.20.3.66")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, MX)));
    fleet.stillReporting(linda, "lab-pc-07", "10.20.3.17");
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("same-name", "10.20.3.66", worm, "harold@lab.example.edu",
        "janet@lab.example.edu"));

    assertThat(candidateIds(result)).first().isEqualTo(sender);
    assertThat(result.get("summary").asText()).contains(sender);
  }

  @Test
  void theAnswerSentenceNamesTheSenderByItsHostIdWhenItsNameOnlyLooksLikeAnotherHosts() throws Exception {
    String linda = id();
    String sender = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    // "lab-pc-07" followed by a zero-width space: printed, it is the innocent host's name.
    fleet.report(fleet.scan(sender, "lab-pc-07\u200B", worm.plusSeconds(120), "10.20.3.66")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, MX)));
    fleet.stillReporting(linda, "lab-pc-07", "10.20.3.17");
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("look-alike", "10.20.3.66", worm, "harold@lab.example.edu",
        "janet@lab.example.edu"));

    assertThat(candidateIds(result)).first().isEqualTo(sender);
    assertThat(result.get("summary").asText()).contains(sender);
  }
}
