package io.labscan.controller.cli;

import static io.labscan.testsupport.CliRun.run;
import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.RFC5322;
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
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team round 5 of issue #15, finding R4: a configured entry wider than one machine ({@code
 * --trust 198.51.100.0/24}, {@code --trust *.campus.example.edu}) says where the campus MTAs are,
 * not that every machine in it is one. The agentless campus NAT gateway (or VPN concentrator, or
 * proxy) it also covers passes a worm's mail on with the worm's own greeting; the walk must not
 * step through it and believe the line the worm forged below, naming an innocent lab PC. The
 * common legitimate chains through a relay covered by the same entry keep working.
 *
 * <p>Red-team round 6 sharpened the rule: what shows that such a client is an MTA must come from
 * something the sender did not write, and must still hold at the line's time. N0: with no reverse
 * DNS recorded by the trusted writer, the client's HELO and the line below are both the sender's
 * words when the client is a NAT passing a worm's connection, so their agreement shows nothing.
 * N0b: a mail server that held the address once makes it "an MTA's" only while its holding covers
 * the line's time, or it fell silent holding it less than a lease ago.
 *
 * <p>Fleets built through {@code import}, complaints triaged with the real command line and
 * recorded (no {@code --no-record}), as in {@link RedTeamRound3AgentsTest}.
 */
class RedTeamRound5NetworkTrustTest {
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
    // The worm on lab-pc-07 mails outside MXes directly, through the NAT.
    fleet.reporting(linda, "lab-pc-07", "10.20.3.17", worm, egress(worm.minusSeconds(30), "winkabcd.exe", false,
            "142.250.102.27", "142.250.102.26", "203.0.113.40", "203.0.113.41"))
        .reporting(harold, "lab-pc-12", "10.20.3.12", worm)
        .importReports();
  }

  /** Gmail's "show original": the worm's direct send through the NAT and one line it forged below. */
  private Path gmailPasteThroughTheNat(String name) throws Exception {
    return fleet.write(name, String.join("\r\n",
        "Delivered-To: walt@gmail.com",
        "Received: by 2002:a05:7300:1234:b0:12a:3456:7890 with SMTP id q20csp123456dyc;",
        "        " + RFC5322.format(worm.plusSeconds(4)),
        "Return-Path: <harold@campus.example.edu>",
        "Received: from PC17 (nat-gw.campus.example.edu. [" + NAT + "])",
        "        by mx.google.com with SMTP id a1si1234567ejb.200.2026.12.07.08.40.12",
        "        for <walt@gmail.com>;",
        "        " + RFC5322.format(worm.plusSeconds(3)),
        "Received-SPF: pass (google.com: domain of harold@campus.example.edu designates " + NAT
            + " as permitted sender) client-ip=" + NAT + ";",
        "Received: from harold-pc (harold-pc.lab.campus.example.edu [10.20.3.12])",
        "        by nat-gw.campus.example.edu (Postfix) with ESMTP id 1122334432",
        "        for <walt@gmail.com>; " + RFC5322.format(worm),
        "From: \"Harold\" <harold@campus.example.edu>",
        "To: walt@gmail.com",
        "Subject: a funny game",
        "Date: " + RFC5322.format(worm.minusSeconds(9)),
        "Message-ID: <" + name + "@harold-pc>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "A harmless stand-in for the worm's message.",
        ""));
  }

  /**
   * A second shape: an outside site's Exim recorded the campus VPN concentrator (reverse DNS
   * under the campus domain) greeting with the tunnelled PC's Windows name; the worm forged a
   * Postfix line "by vpn-gw" naming Harold's PC.
   */
  private Path eximThroughTheVpnConcentrator(String name) throws Exception {
    return fleet.write(name, String.join("\r\n",
        "Return-Path: <harold@campus.example.edu>",
        "Received: from vpn-gw.campus.example.edu ([198.51.100.9]:51234 helo=WKSTN-3)",
        "\tby mail.example.org with esmtp (Exim 4.96)",
        "\t(envelope-from <harold@campus.example.edu>)",
        "\tid 1rAbCd-000999-7q",
        "\tfor bob@example.org; " + RFC5322.format(worm.plusSeconds(2)),
        "Received: from harold-pc (harold-pc.lab.campus.example.edu [10.20.3.12])",
        "\tby vpn-gw.campus.example.edu (Postfix) with ESMTP id 55AA66BB",
        "\tfor <bob@example.org>; " + RFC5322.format(worm),
        "From: harold@campus.example.edu",
        "To: bob@example.org",
        "Subject: let's be friends",
        "Date: " + RFC5322.format(worm.minusSeconds(3)),
        "Message-ID: <" + name + "@harold-pc>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain",
        "",
        "A harmless stand-in for the worm's message.",
        ""));
  }

  /** Lab PC → department relay (10.20.0.25) → the campus MX, the relay greeting with {@code relayHelo}. */
  private Path throughTheDepartmentRelay(String name, String relayConnection) throws Exception {
    return fleet.relayedComplaint(name, worm, relayConnection, "PC17 (unknown [10.20.3.17])");
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

  private static Iterable<String> warnings(JsonNode result) {
    return StreamSupport.stream(result.get("warnings").spliterator(), false).map(JsonNode::asText)::iterator;
  }

  // ---- the NAT is no MTA -------------------------------------------------------------------

  @Test
  void aTrustedNetworkCoveringTheNatDoesNotLetTheWormsForgedLineBlameHaroldsPc() throws Exception {
    JsonNode result = fleet.triage(gmailPasteThroughTheNat("nat-network"), CAMPUS_NET);

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo(NAT);
    assertThat(result.get("origin").get("hop").asInt()).isEqualTo(1);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(result.get("recordable").asBoolean()).isFalse();
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void aTrustedNameSuffixCoveringTheNatsReverseDnsDoesNotLetTheWormsForgedLineBlameHaroldsPc() throws Exception {
    JsonNode result = fleet.triage(gmailPasteThroughTheNat("nat-wildcard"), "*.campus.example.edu");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo(NAT);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void aVpnConcentratorUnderATrustedNameSuffixGreetingWithTheTunnelledPcsNameIsTheBoundary() throws Exception {
    JsonNode result = fleet.triage(eximThroughTheVpnConcentrator("vpn-wildcard"), "*.campus.example.edu");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("198.51.100.9");
    assertThat(result.get("origin").get("hop").asInt()).isZero();
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void theAnswerSaysTheNetworkCoversTheClientButNothingShowsItIsAnMta() throws Exception {
    JsonNode result = fleet.triage(gmailPasteThroughTheNat("nat-said"), CAMPUS_NET);

    assertThat(warnings(result)).as(result.toPrettyString()).anySatisfy(w -> assertThat(w)
        .contains("entered from " + NAT).contains("--trust " + CAMPUS_NET).contains("HELO 'PC17'")
        .contains("a NAT or proxy?"));
    assertThat(result.get("origin").get("trustedBecause").asText()).contains("nothing shows it is an MTA");
  }

  @Test
  void anExactEntryForTheGatewayIsTheAdministratorsWordThatItIsAnMta() throws Exception {
    // Naming exactly one machine is the administrator's statement about it: the walk steps through.
    JsonNode result = fleet.triage(gmailPasteThroughTheNat("nat-exact"), NAT);

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.12");
  }

  // ---- the legitimate chains keep working ---------------------------------------------------

  @Test
  void aDepartmentRelayCoveredByATrustedNetworkGreetingWithItsOwnNamePassesTheWalkToTheLabPc() throws Exception {
    JsonNode result = fleet.triage(throughTheDepartmentRelay("relay-network",
        "relay.lab.example.edu (relay.lab.example.edu [10.20.0.25])"), "10.20.0.0/24");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).first().isEqualTo(linda);
    assertThat(result.get("recordable").asBoolean()).isTrue();
  }

  @Test
  void aDepartmentRelayCoveredByATrustedNameSuffixGreetingWithItsOwnNamePassesTheWalkToTheLabPc() throws Exception {
    JsonNode result = fleet.triage(throughTheDepartmentRelay("relay-wildcard",
        "relay.lab.example.edu (relay.lab.example.edu [10.20.0.25])"), "*.lab.example.edu");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).first().isEqualTo(linda);
  }

  @Test
  void anExchangeRelayWithoutReverseDnsIsTheBoundaryUnderANetworkEntryWhateverItGreetsWith() throws Exception {
    // Exchange writes the EHLO name and the IP only. Its greeting equals the name in the line
    // below, but a worm behind a NAT writes both of those too (round 6, N0): the safe direction.
    JsonNode result = fleet.triage(throughTheDepartmentRelay("relay-exchange",
        "relay.lab.example.edu (10.20.0.25)"), "10.20.0.0/24");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.0.25");
    assertThat(warnings(result)).anySatisfy(w -> assertThat(w).contains("--trust 10.20.0.25")
        .contains("no reverse DNS name was recorded"));
  }

  @Test
  void anExchangeRelayWithoutReverseDnsNamedByItsExactAddressPassesTheWalkToTheLabPc() throws Exception {
    JsonNode result = fleet.triage(throughTheDepartmentRelay("relay-exchange-exact",
        "relay.lab.example.edu (10.20.0.25)"), "10.20.0.0/24", "10.20.0.25");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).first().isEqualTo(linda);
  }

  @Test
  void anExchangeRelayWithoutReverseDnsWithTheMailServerRolePassesTheWalkToTheLabPc() throws Exception {
    String relay = id();
    fleet.reporting(relay, "lab-relay", "10.20.0.25", worm).importReports();
    fleet.mailServerRole(relay);

    JsonNode result = fleet.triage(throughTheDepartmentRelay("relay-exchange-role",
        "relay.lab.example.edu (10.20.0.25)"), "10.20.0.0/24");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).first().isEqualTo(linda);
  }

  @Test
  void aRelayWithABareHeloButTheMailServerRolePassesTheWalkToTheLabPc() throws Exception {
    String relay = id();
    fleet.report(fleet.scan(relay, "lab-relay", T0, "10.20.0.25"));
    fleet.stillReporting(relay, "lab-relay", "10.20.0.25");
    fleet.importReports();
    assertThat(run("policy", "--db", fleet.db().toString(), "--mail-server", relay).code()).isZero();

    JsonNode result = fleet.triage(throughTheDepartmentRelay("relay-role", "RELAY (unknown [10.20.0.25])"),
        "10.20.0.0/24");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).first().isEqualTo(linda);
  }

  @Test
  void aRelayWithABareHeloAndNothingElseShowingItIsAnMtaIsTheBoundaryUnderANetworkEntry() throws Exception {
    // Safe direction: nobody behind it is believed, so nobody behind it is recorded.
    JsonNode result = fleet.triage(throughTheDepartmentRelay("relay-bare", "RELAY (unknown [10.20.0.25])"),
        "10.20.0.0/24");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.0.25");
    assertThat(warnings(result)).anySatisfy(w -> assertThat(w).contains("--trust 10.20.0.25"));
  }

  // ---- N0: no reverse DNS recorded, so the client's words show nothing ---------------------

  @Test
  void aNatWithoutReverseDnsGreetingAsTheNameInTheWormsForgedLineDoesNotLetItBlameHaroldsPc() throws Exception {
    JsonNode result = fleet.triage(throughTheNat("nat-no-ptr",
        "nat-gw.campus.example.edu (unknown [" + NAT + "])"), CAMPUS_NET);

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo(NAT);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void anExchangeWrittenLineWithoutReverseDnsGreetingAsTheForgedByNameDoesNotBlameHaroldsPc() throws Exception {
    // Exchange records the EHLO name and the address, never a reverse DNS name.
    JsonNode result = fleet.triage(throughTheNat("nat-exchange", "nat-gw.campus.example.edu (" + NAT + ")"),
        CAMPUS_NET);

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo(NAT);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void theWarningSaysNoReverseDnsWasRecordedAndHowToTrustARelayWithoutIt() throws Exception {
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

    JsonNode result = fleet.triage(throughTheDepartmentRelay("relay-agent-silent", "RELAY (unknown [10.20.0.25])"), LAB_NET);

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(candidateIds(result)).first().isEqualTo(linda);
  }
}
