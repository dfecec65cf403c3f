package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.RFC5322;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.verdict.Verdict;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.testsupport.ImportedFleet;
import io.labscan.testsupport.RelayedComplaint;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team round 4 of issue #15, the trust walk's findings (F1, F2, F6 of rt4-findings.md): fleets
 * built through {@code import}, complaints triaged with the real command line. Each test is one
 * shape of a general rule: an ended holding is evidence only while it lasted (F1); a configured
 * name is DNS's word about an address, so it gives way to a lab host's holding like a network does
 * (F2); a lab host's claim, on a virtual adapter, of an address configuration gives to an MTA is a
 * conflict shown but never recorded (F6).
 */
class RedTeamRound4TrustTest {
  private static final String RELAY = "relay.lab.example.edu";
  private static final String RELAY_IP = "10.20.0.25";

  @TempDir Path dir;
  private ImportedFleet fleet;
  private final String linda = id();
  private final Instant worm = T0.plus(Duration.ofHours(2));

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /** Linda's lab-pc-07 holds 10.20.3.17 all morning and keeps reporting. */
  private void lindaHoldsHerAddress() {
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17"));
    fleet.stillReporting(linda, "lab-pc-07", "10.20.3.17");
  }

  /** {@code host}'s scan placing {@code primary} on eth0 and {@code extra} on the adapter {@code adapter}. */
  private Report.Builder scanWithAdapter(String host, String name, Instant at, String primary, String adapter,
      String extra) {
    Report.Builder r = fleet.scan(host, name, at, primary);
    r.getInventoryBuilder().addInterfaces(NetworkInterface.newBuilder().setName(adapter).setMac("0a:00:27:00:00:00")
        .addIpv4(extra));
    return r;
  }

  /**
   * A complaint that went lab PC → the department relay → the MX: the MX (Postfix) recorded the
   * relay's connection as {@code relayRdns [relayIp]}, the relay recorded {@code clientIp}.
   */
  private Path relayed(String name, String relayRdns, String relayIp, String clientHelo, String clientIp)
      throws Exception {
    return relayedThrough(name, "Received: from relay (" + relayRdns + " [" + relayIp + "])\r\n\tby mx.example.net ("
        + MX + ") with ESMTP id 7A1B2C\r\n\tfor <bob@example.net>; " + RFC5322.format(worm.plusSeconds(2)),
        clientHelo, clientIp);
  }

  private Path relayedThrough(String name, String mxLines, String clientHelo, String clientIp) throws Exception {
    return RelayedComplaint.write(fleet, name, mxLines, RELAY, clientHelo, clientIp, worm);
  }

  private static List<String> warnings(JsonNode result) {
    return StreamSupport.stream(result.get("warnings").spliterator(), false).map(JsonNode::asText).toList();
  }

  // ---- F1: an ended holding is evidence only while it lasted ----------------------------

  @Test
  void aLabPcRenumberedOffTheRelaysAddressLongAgoDoesNotStopTheWalkAtTheRelay() throws Exception {
    String moved = id();
    fleet.report(fleet.scan(moved, "lab-pc-99", T0.minus(Duration.ofDays(30)), RELAY_IP));
    fleet.report(fleet.scan(moved, "lab-pc-99", T0.minus(Duration.ofDays(29)), "10.20.5.5"));
    fleet.stillReporting(moved, "lab-pc-99", "10.20.5.5");
    lindaHoldsHerAddress();
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("renumbered", RELAY, RELAY_IP, "PC17", "10.20.3.17"), "10.20.0.0/24");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).as(result.toPrettyString()).first().isEqualTo(linda);
  }

  @Test
  void aLabPcSilentForMonthsSinceItReportedTheRelaysAddressDoesNotStopTheWalkAtTheRelay() throws Exception {
    String gone = id();
    fleet.report(fleet.scan(gone, "lab-pc-99", T0.minus(Duration.ofDays(60)), RELAY_IP));
    lindaHoldsHerAddress();
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("silent-long-ago", RELAY, RELAY_IP, "PC17", "10.20.3.17"), "10.20.0.0/24");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).as(result.toPrettyString()).first().isEqualTo(linda);
  }

  @Test
  void aWormThatAliasedTheRelaysAddressForOneReportStillIsTracedThroughTheRelay() throws Exception {
    // The worm adds the relay's address as an IP alias for one agent report and removes it again,
    // hoping every later message through the relay stops at the relay's line and names nobody.
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", worm.minus(Duration.ofMinutes(60)), "10.20.3.17", RELAY_IP));
    fleet.report(fleet.scan(linda, "lab-pc-07", worm.minus(Duration.ofMinutes(50)), "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17"));
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("alias", RELAY, RELAY_IP, "PC17", "10.20.3.17"), "10.20.0.0/24");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).as(result.toPrettyString()).first().isEqualTo(linda);
  }

  @Test
  void aLabPcThatFellSilentHoldingTheRelaysAddressHoursAgoIsTheCandidateWhenItStopsTheWalk() throws Exception {
    String silent = id();
    // Its agent reported the address three hours before the mail, then fell silent (Klez kills
    // agents): the holding grace ran out, but nothing says the address changed hands.
    fleet.report(fleet.scan(silent, "lab-pc-99", worm.minus(Duration.ofHours(3)), RELAY_IP));
    lindaHoldsHerAddress();
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("silent-recent", RELAY, RELAY_IP, "PC17", "10.20.3.17"), "10.20.0.0/24");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo(RELAY_IP);
    assertThat(candidateIds(result)).as(result.toPrettyString()).contains(silent);
    assertThat(result.get("origin").get("trustedBecause").asText()).contains("lab-pc-99").contains("silent since");
  }

  // ---- F2: a configured name is DNS's word about an address ------------------------------

  @Test
  void anExactTrustedNameInTheReverseDnsOfALabPcsAddressGivesWayToTheLabPcHoldingIt() throws Exception {
    String harold = id();
    fleet.report(fleet.scan(harold, "lab-pc-12", T0, "10.20.3.12"));
    fleet.report(fleet.scan(harold, "lab-pc-12", worm.plusSeconds(120), "10.20.3.12"));
    fleet.stillReporting(harold, "lab-pc-12", "10.20.3.12");
    lindaHoldsHerAddress();
    fleet.importReports();

    // 10.20.3.17's stale PTR still says relay.lab.example.edu; the line below is the worm's forgery.
    JsonNode result = fleet.triage(relayed("stale-ptr", RELAY, "10.20.3.17", "harold-pc", "10.20.3.12"), RELAY);

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).as(result.toPrettyString()).first().isEqualTo(linda);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(fleet.verdict(harold).verdict()).isNotEqualTo(Verdict.SUSPECTED).isNotEqualTo(Verdict.INFECTED);
  }

  @Test
  void anExactTrustedNameInTheReverseDnsOfALabPcsAddressIsNamedInAWarningAsAStalePtr() throws Exception {
    lindaHoldsHerAddress();
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("stale-ptr-warned", RELAY, "10.20.3.17", "harold-pc", "10.20.3.12"), RELAY);

    assertThat(warnings(result)).as(result.toPrettyString()).anySatisfy(w -> assertThat(w)
        .contains("lab-pc-07").contains("10.20.3.17").contains(RELAY).contains("stale PTR")
        .contains("--trust 10.20.3.17"));
  }

  @Test
  void aQmailMxsUnconfirmedPtrNamingTheTrustedRelayDoesNotMakeALabPcsLineTrusted() throws Exception {
    String harold = id();
    fleet.report(fleet.scan(harold, "lab-pc-12", T0, "10.20.3.12"));
    fleet.report(fleet.scan(harold, "lab-pc-12", worm.plusSeconds(120), "10.20.3.12"));
    lindaHoldsHerAddress();
    fleet.importReports();

    String qmail = "Received: (qmail 4242 invoked from network); " + RFC5322.format(worm.plusSeconds(2)) + "\r\n"
        + "Received: from " + RELAY + " (HELO relay) (10.20.3.17)\r\n  by mx.example.net with SMTP; "
        + RFC5322.format(worm.plusSeconds(2));
    JsonNode result = fleet.triage(relayedThrough("qmail-ptr", qmail, "harold-pc", "10.20.3.12"), RELAY);

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).as(result.toPrettyString()).first().isEqualTo(linda);
    assertThat(candidateIds(result)).doesNotContain(harold);
  }

  @Test
  void anExactTrustedNameGivesWayToALabPcThatFellSilentHoldingTheAddress() throws Exception {
    String harold = id();
    fleet.report(fleet.scan(harold, "lab-pc-12", T0, "10.20.3.12"));
    fleet.report(fleet.scan(harold, "lab-pc-12", worm.plusSeconds(120), "10.20.3.12"));
    // Klez killed Linda's agent three hours before it mailed: her holding's grace ran out.
    fleet.report(fleet.scan(linda, "lab-pc-07", worm.minus(Duration.ofHours(3)), "10.20.3.17"));
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("stale-ptr-silent", RELAY, "10.20.3.17", "harold-pc", "10.20.3.12"), RELAY);

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).as(result.toPrettyString()).contains(linda).doesNotContain(harold);
  }

  // ---- F6: a virtual adapter's address inside the MTAs' configured network ---------------

  @Test
  void aLabPcReportingTheRelaysAddressOnAVirtualAdapterIsAConflictThatIsNeverRecorded() throws Exception {
    String vbox = id();
    fleet.report(scanWithAdapter(vbox, "lab-pc-50", T0, "10.20.5.50", "vboxnet0", RELAY_IP));
    fleet.report(scanWithAdapter(vbox, "lab-pc-50", worm.plusSeconds(180), "10.20.5.50", "vboxnet0", RELAY_IP));
    lindaHoldsHerAddress();
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("vboxnet", RELAY, RELAY_IP, "PC17", "10.20.3.17"), "10.20.0.0/24");

    assertThat(result.get("recordable").asBoolean()).as(result.toPrettyString()).isFalse();
    assertThat(fleet.verdict(vbox).verdict()).isNotEqualTo(Verdict.SUSPECTED).isNotEqualTo(Verdict.INFECTED);
  }

  @Test
  void aVirtualAdapterConflictIsNamedWithItsInterfaceAndHowToResolveIt() throws Exception {
    String vbox = id();
    fleet.report(scanWithAdapter(vbox, "lab-pc-50", T0, "10.20.5.50", "vboxnet0", RELAY_IP));
    fleet.report(scanWithAdapter(vbox, "lab-pc-50", worm.plusSeconds(180), "10.20.5.50", "vboxnet0", RELAY_IP));
    lindaHoldsHerAddress();
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("vboxnet-warned", RELAY, RELAY_IP, "PC17", "10.20.3.17"), "10.20.0.0/24");

    assertThat(warnings(result)).as(result.toPrettyString()).anySatisfy(w -> assertThat(w)
        .contains("lab-pc-50 (" + vbox + ") reports 10.20.0.25, inside --trust 10.20.0.0/24, on vboxnet0")
        .contains("mail-server role").contains("--trust 10.20.0.25"));
  }

  @Test
  void aContainerBridgeHoldingTheAddressOfARelayTrustedByNameIsAConflictThatIsNeverRecorded() throws Exception {
    String docker = id();
    fleet.report(scanWithAdapter(docker, "lab-pc-51", T0, "10.20.5.51", "docker0", RELAY_IP));
    fleet.report(scanWithAdapter(docker, "lab-pc-51", worm.plusSeconds(180), "10.20.5.51", "docker0", RELAY_IP));
    lindaHoldsHerAddress();
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("docker", RELAY, RELAY_IP, "PC17", "10.20.3.17"), RELAY);

    assertThat(result.get("recordable").asBoolean()).as(result.toPrettyString()).isFalse();
    assertThat(warnings(result)).anySatisfy(w -> assertThat(w).contains("lab-pc-51").contains("docker0"));
    assertThat(fleet.verdict(docker).verdict()).isNotEqualTo(Verdict.SUSPECTED).isNotEqualTo(Verdict.INFECTED);
  }

  @Test
  void anExactAddressEntryResolvesAVirtualAdapterConflictAndTheWalkReachesTheSender() throws Exception {
    String vbox = id();
    fleet.report(scanWithAdapter(vbox, "lab-pc-50", T0, "10.20.5.50", "vboxnet0", RELAY_IP));
    fleet.report(scanWithAdapter(vbox, "lab-pc-50", worm.plusSeconds(180), "10.20.5.50", "vboxnet0", RELAY_IP));
    lindaHoldsHerAddress();
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("vboxnet-resolved", RELAY, RELAY_IP, "PC17", "10.20.3.17"),
        "10.20.0.0/24", RELAY_IP);

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).first().isEqualTo(linda);
  }

  @Test
  void aLabPcsOwnAddressOnItsEthernetInsideABroadTrustedNetworkStaysRecordable() throws Exception {
    lindaHoldsHerAddress();
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("broad-network", RELAY, RELAY_IP, "PC17", "10.20.3.17"), "10.20.0.0/16");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(result.get("recordable").asBoolean()).isTrue();
  }
}
