package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.egress;
import static io.labscan.testsupport.ImportedFleet.id;
import static io.labscan.testsupport.ImportedFleet.received;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.verdict.Reason;
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
 * Red-team round 7 of issue #15, finding S1: a department relay that runs a LabScan agent but was
 * never given the mail-server role. The campus MX recorded the relay's connection, so the trust
 * walk stopped at the relay (an agent host: "lab machines are not MTAs"); the relay was recorded
 * and became INFECTED while the worm host behind it, whose own agent reported its unallowed SMTP
 * to the relay, stayed SUSPECTED. The relay is a relay the administrator has not declared: never
 * recorded; the client below is the candidate when its own egress reached the relay. A host that
 * forges a relay line below its own hop cannot push the blame down, and a relay that is itself
 * the worm stays the boundary.
 */
class RedTeamRound7RelayTest {
  private static final String RELAY = "relay.dept.example.net";
  private static final String RELAY_IP = "10.20.9.5";
  private static final String PC_IP = "10.20.3.17";

  @TempDir Path dir;
  private ImportedFleet fleet;
  private final Instant worm = T0.plus(Duration.ofHours(2));
  private final String relay = id();
  private final String pc = id();

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /** The relay's agent reports its address all day and its Postfix's SMTP to the campus MX (not allow-listed). */
  private void theRelayReportsItsPostfixToTheMx() {
    fleet.reporting(relay, "relay", RELAY_IP, worm, egress(worm.minusSeconds(20), "smtp", false, MX));
  }

  /** lab-pc-07's agent reports the worm's burst of unallowed port-25 SMTP to the relay. */
  private void theWormHostReportsItsSmtpToTheRelay() {
    fleet.reporting(pc, "lab-pc-07", PC_IP, worm, egress(worm.minusSeconds(20), "winkabcd.exe", false, RELAY_IP));
  }

  /** lab-pc-07 → relay.dept.example.net → mx.example.net. */
  private Path throughTheRelay(String name) throws Exception {
    return fleet.complaintThrough(name, worm,
        received(RELAY + " (" + RELAY + " [" + RELAY_IP + "])", "mx.example.net (" + MX + ")", worm.plusSeconds(2)),
        received("lab-pc-07 ([" + PC_IP + "])", RELAY + " (Postfix)", worm));
  }

  private boolean recorded(String hostId) {
    return fleet.verdict(hostId).reasons().stream().map(Reason::code).anyMatch("complaint"::equals);
  }

  private static List<String> warnings(JsonNode result) {
    return StreamSupport.stream(result.get("warnings").spliterator(), false).map(JsonNode::asText).toList();
  }

  @Test
  void aRelayTrustedByNameButNotGivenTheRoleIsNeverRecordedAndTheWormHostBehindItIs() throws Exception {
    theRelayReportsItsPostfixToTheMx();
    theWormHostReportsItsSmtpToTheRelay();
    fleet.importReports();

    JsonNode result = fleet.triage(throughTheRelay("named-relay"), RELAY);

    assertThat(recorded(relay)).as(result.toPrettyString()).isFalse();
    // SUSPECTED at most, for its own Postfix's SMTP that policy does not allow, never for the complaint.
    assertThat(fleet.verdict(relay).verdict()).isNotEqualTo(Verdict.INFECTED);
    assertThat(result.get("origin").get("ip").asText()).isEqualTo(PC_IP);
    assertThat(recorded(pc)).as(result.toPrettyString()).isTrue();
    assertThat(result.get("summary").asText()).doesNotContain("by relay ");
  }

  @Test
  void aRelayWithNoConfigurationAtAllIsNeverRecordedWhenTheClientBelowSentToIt() throws Exception {
    theRelayReportsItsPostfixToTheMx();
    theWormHostReportsItsSmtpToTheRelay();
    fleet.importReports();

    JsonNode result = fleet.triage(throughTheRelay("zero-config-relay"));

    assertThat(recorded(relay)).as(result.toPrettyString()).isFalse();
    // SUSPECTED at most, for its own Postfix's SMTP that policy does not allow, never for the complaint.
    assertThat(fleet.verdict(relay).verdict()).isNotEqualTo(Verdict.INFECTED);
    assertThat(candidateIds(result)).first().isEqualTo(pc);
    assertThat(result.get("summary").asText()).contains("lab-pc-07").doesNotContain("by relay ");
  }

  @Test
  void anUndeclaredRelayIsNamedInAWarningWithTheFix() throws Exception {
    theRelayReportsItsPostfixToTheMx();
    theWormHostReportsItsSmtpToTheRelay();
    fleet.importReports();

    JsonNode result = fleet.triage(throughTheRelay("relay-warned"));

    assertThat(warnings(result)).as(result.toPrettyString()).anySatisfy(w -> assertThat(w)
        .contains("relay (" + relay + ")").contains(RELAY_IP).contains("lab-pc-07")
        .contains("policy --mail-server").contains("--trust " + RELAY_IP));
  }

  @Test
  void aRelayTrustedByNameWhoseClientBelowShowsNoSmtpToItIsShownButNeverRecorded() throws Exception {
    // The relay relayed for a visitor's laptop without an agent: nothing corroborates a sender
    // below, and the administrator's name entry says the relay is an MTA.
    fleet.reporting(relay, "relay", RELAY_IP, worm);
    fleet.importReports();

    JsonNode result = fleet.triage(throughTheRelay("named-relay-byod"), RELAY);

    assertThat(result.get("recordable").asBoolean()).as(result.toPrettyString()).isFalse();
    assertThat(recorded(relay)).isFalse();
    assertThat(fleet.verdict(relay).verdict()).isNotEqualTo(Verdict.INFECTED).isNotEqualTo(Verdict.SUSPECTED);
    assertThat(result.get("summary").asText()).doesNotContain("Sent by relay");
    assertThat(warnings(result)).anySatisfy(w -> assertThat(w).contains("policy --mail-server"));
  }

  @Test
  void aLabPcThatForgesARelayLineBelowItsOwnHopCannotPushTheBlameOntoTheHostItNames() throws Exception {
    // lab-pc-66 mails the MX itself and writes a line below its hop in which it "relayed" for
    // Harold's PC. Harold's Outlook sent one message to the MX on 587 then, allow-listed; nothing
    // Harold's agent said reaches lab-pc-66.
    String worm66 = id();
    String harold = id();
    fleet.reporting(worm66, "lab-pc-66", "10.20.3.66", worm, egress(worm.minusSeconds(20), "winkabcd.exe", false, MX));
    fleet.reporting(harold, "lab-pc-12", "10.20.3.12", worm, egress(worm.minusSeconds(30), "OUTLOOK.EXE", true, MX));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaintThrough("forged-relay", worm,
        received("lab-pc-66 (lab-pc-66.lab.example.net [10.20.3.66])", "mx.example.net (" + MX + ")", worm.plusSeconds(2)),
        received("harold-pc (harold-pc.lab.example.net [10.20.3.12])", "lab-pc-66.lab.example.net (Postfix)", worm)));

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.66");
    assertThat(candidateIds(result)).first().isEqualTo(worm66);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(recorded(harold)).isFalse();
    assertThat(recorded(worm66)).isTrue();
  }

  @Test
  void aLabPcThatForgesARelayLineNamingAnInnocentWithSmtpElsewhereCannotPushTheBlameEither() throws Exception {
    // Harold's PC sent unallowed SMTP, but to an outside host, not to lab-pc-66.
    String worm66 = id();
    String harold = id();
    fleet.reporting(worm66, "lab-pc-66", "10.20.3.66", worm, egress(worm.minusSeconds(20), "winkabcd.exe", false, MX));
    fleet.reporting(harold, "lab-pc-12", "10.20.3.12", worm,
        egress(worm.minusSeconds(30), "python.exe", false, "198.51.100.7"));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaintThrough("forged-relay-elsewhere", worm,
        received("lab-pc-66 (lab-pc-66.lab.example.net [10.20.3.66])", "mx.example.net (" + MX + ")", worm.plusSeconds(2)),
        received("harold-pc (harold-pc.lab.example.net [10.20.3.12])", "lab-pc-66.lab.example.net (Postfix)", worm)),
        "10.20.0.0/16");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.66");
    assertThat(recorded(harold)).isFalse();
    assertThat(fleet.verdict(harold).verdict()).isNotEqualTo(Verdict.INFECTED);
  }

  @Test
  void aRelayThatIsItselfTheWormStaysTheBoundaryAndIsRecorded() throws Exception {
    // The "relay" sends the worm's mail to the MX itself and writes a line naming lab-pc-07 below
    // its hop; lab-pc-07's agent shows no SMTP to the relay.
    fleet.reporting(relay, "relay", RELAY_IP, worm, egress(worm.minusSeconds(20), "winkabcd.exe", false, MX));
    fleet.reporting(pc, "lab-pc-07", PC_IP, worm);
    fleet.importReports();

    JsonNode result = fleet.triage(throughTheRelay("relay-is-the-worm"));

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo(RELAY_IP);
    assertThat(candidateIds(result)).first().isEqualTo(relay);
    assertThat(recorded(relay)).isTrue();
    assertThat(recorded(pc)).isFalse();
  }
}
