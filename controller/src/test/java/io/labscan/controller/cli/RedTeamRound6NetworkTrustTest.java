package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.egress;
import static io.labscan.testsupport.ImportedFleet.id;
import static io.labscan.testsupport.ImportedFleet.received;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.verdict.Verdict;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team round 6 of issue #15: what makes a client that a network entry covers "an MTA" must
 * come from something the sender did not write, and must still hold at the line's time.
 *
 * <ul>
 *   <li>N0: with no reverse DNS recorded by the trusted writer, the client's HELO and the line
 *       below it are both the sender's words when the client is a NAT passing a worm's
 *       connection; their agreement shows nothing.
 *   <li>N0b: a mail server that held the address once makes it "an MTA's" only while its holding
 *       covers the line's time, or it fell silent holding it less than a lease ago: not after it
 *       was renumbered, nor after months of silence.
 * </ul>
 *
 * <p>Fleets built through {@code import}, complaints triaged with the real command line and
 * recorded (no {@code --no-record}), as in {@link RedTeamRound5NetworkTrustTest}.
 */
class RedTeamRound6NetworkTrustTest {
  /** The campus's public network: its MTAs and its NAT gateway live there. */
  private static final String CAMPUS_NET = "198.51.100.0/24";
  private static final String NAT = "198.51.100.77";
  /** The lab network, SpamAssassin-style trusted as a whole. */
  private static final String LAB_NET = "10.20.0.0/16";
  /** An address of the lab network that a mail relay once had and an agentless NAT has now. */
  private static final String OLD_RELAY_IP = "10.20.3.40";

  @TempDir Path dir;
  private ImportedFleet fleet;
  private String linda;
  private String harold;
  private Instant worm;

  @BeforeEach
  void aCampusWhereTheWormRunsOnLindasPcAndHaroldsPcIsInnocent() throws Exception {
    fleet = new ImportedFleet(dir);
    linda = id();
    harold = id();
    worm = T0.plus(Duration.ofHours(2));
    // The worm on lab-pc-07 mails the campus MX directly; the MX sees the NAT's address.
    fleet.reporting(linda, "lab-pc-07", "10.20.3.17", worm, egress(worm.minusSeconds(30), "winkabcd.exe", false, MX))
        .reporting(harold, "lab-pc-12", "10.20.3.12", worm);
  }

  /**
   * The campus MX recorded the NAT gateway's connection as {@code mxFrom}; below, the line the
   * worm forged naming Harold's PC as written "by nat-gw.campus.example.edu".
   */
  private Path throughTheNat(String name, String mxFrom) throws Exception {
    return fleet.complaintThrough(name, worm,
        received(mxFrom, "mx.example.net (" + MX + ")", worm.plusSeconds(2)),
        received("harold-pc (harold-pc.lab.campus.example.edu [10.20.3.12])",
            "nat-gw.campus.example.edu (Postfix)", worm));
  }

  /** A relay host with the mail-server role that reported {@code ip} at {@code at}. */
  private String mailServerThatHeld(String ip, Instant at) throws Exception {
    String relay = id();
    fleet.report(fleet.scan(relay, "old-relay", at, ip));
    fleet.importReports();
    fleet.mailServerRole(relay);
    return relay;
  }

  private static List<String> warnings(JsonNode result) {
    return StreamSupport.stream(result.get("warnings").spliterator(), false).map(JsonNode::asText).toList();
  }

  // ---- N0: no reverse DNS recorded, so the client's words show nothing ---------------------

  @Test
  void aNatWithoutReverseDnsGreetingAsTheNameInTheWormsForgedLineDoesNotLetItBlameHaroldsPc() throws Exception {
    fleet.importReports();

    JsonNode result = fleet.triage(throughTheNat("nat-no-ptr",
        "nat-gw.campus.example.edu (unknown [" + NAT + "])"), CAMPUS_NET);

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo(NAT);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void anExchangeWrittenLineWithoutReverseDnsGreetingAsTheForgedByNameDoesNotBlameHaroldsPc() throws Exception {
    // Exchange records the EHLO name and the address, never a reverse DNS name.
    fleet.importReports();

    JsonNode result = fleet.triage(throughTheNat("nat-exchange", "nat-gw.campus.example.edu (" + NAT + ")"),
        CAMPUS_NET);

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo(NAT);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void theWarningSaysNoReverseDnsWasRecordedAndHowToTrustARelayWithoutIt() throws Exception {
    fleet.importReports();

    JsonNode result = fleet.triage(throughTheNat("nat-no-ptr-said",
        "nat-gw.campus.example.edu (unknown [" + NAT + "])"), CAMPUS_NET);

    assertThat(warnings(result)).as(result.toPrettyString()).anySatisfy(w -> assertThat(w)
        .contains("entered from " + NAT).contains("a NAT or proxy?").contains("no reverse DNS name was recorded")
        .contains("--trust " + NAT).contains("mail-server role"));
    assertThat(result.get("origin").get("trustedBecause").asText()).contains("recorded no reverse DNS name");
  }

  // ---- N0b: a mail server's holding counts only while it stands ----------------------------

  @Test
  void aMailServerRenumberedOffAnAddressMonthsAgoDoesNotMakeTheNatNowUsingItAnMta() throws Exception {
    String relay = mailServerThatHeld(OLD_RELAY_IP, T0.minus(Duration.ofDays(120)));
    // Its next report, ninety days ago, showed its new address: it gave the old one up.
    fleet.report(fleet.scan(relay, "old-relay", T0.minus(Duration.ofDays(90)), "10.20.0.41"));
    fleet.stillReporting(relay, "old-relay", "10.20.0.41");
    fleet.importReports();

    JsonNode result = fleet.triage(throughTheNat("renumbered-relay", "PC17 (unknown [" + OLD_RELAY_IP + "])"),
        LAB_NET);

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo(OLD_RELAY_IP);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void aMailServerSilentForDaysSinceItReportedAnAddressDoesNotMakeItsClientAnMta() throws Exception {
    // A relay switched off three days ago while it held the address; the address went elsewhere.
    mailServerThatHeld(OLD_RELAY_IP, T0.minus(Duration.ofDays(3)));

    JsonNode result = fleet.triage(throughTheNat("silent-relay", "PC17 (unknown [" + OLD_RELAY_IP + "])"),
        LAB_NET);

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo(OLD_RELAY_IP);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void aMailServerWhoseAgentFellSilentHoursBeforeTheLineStillPassesTheWalkToTheLabPc() throws Exception {
    // The department relay's agent stopped reporting six hours before the mail (past the 2 h
    // grace, within a lease): it still had the address, and the walk goes on to the sender.
    mailServerThatHeld("10.20.0.25", worm.minus(Duration.ofHours(6)));

    JsonNode result = fleet.triage(fleet.complaintThrough("relay-agent-silent", worm,
        received("RELAY (unknown [10.20.0.25])", "mx.example.net (" + MX + ")", worm.plusSeconds(2)),
        received("PC17 (unknown [10.20.3.17])", "relay.lab.example.edu (Postfix)", worm)), LAB_NET);

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).first().isEqualTo(linda);
  }
}
