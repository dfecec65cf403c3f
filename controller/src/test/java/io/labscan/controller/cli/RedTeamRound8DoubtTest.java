package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.confidence;
import static io.labscan.testsupport.ImportedFleet.egress;
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
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team round 8 of issue #15, findings T6 and T9 (the {@code TrustDoubt} of round 6, N0d).
 * T6: one hostile agent that adds the department relay's exact {@code --trust} address to its
 * report, beside its own, must not switch off recording for every complaint through the relay;
 * the relay's history (an earlier recorded complaint through it) and other hosts handing it mail
 * during the claim make the claim a false one, flagged. The N0d case (a lab PC whose only address
 * is the trusted one, or one no other host hands mail to) stays a doubt. T9: under a doubt, the
 * claimant's own worm-like egress ranks it before the host only the doubted line names.
 */
class RedTeamRound8DoubtTest {
  private static final String RELAY = "relay.lab.example.edu";
  /** The relay's address, trusted exactly ({@code --trust 10.20.1.25}). */
  private static final String RELAY_IP = "10.20.1.25";

  @TempDir Path dir;
  private ImportedFleet fleet;
  /** An earlier worm mail through the relay, recorded before anyone claimed its address. */
  private final Instant earlier = T0.plus(Duration.ofMinutes(10));
  /** When a host first reports the relay's address (its earlier report at T0 + 30 min did not). */
  private final Instant claimBegins = T0.plus(Duration.ofHours(1));
  private final Instant worm = T0.plus(Duration.ofHours(2));

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /** The MX recorded the relay's connection as {@code relayIp}; the relay's line below names {@code clientIp}. */
  private Path relayed(String name, Instant at, String clientHelo, String clientIp) throws Exception {
    return fleet.complaintThrough(name, at,
        ImportedFleet.received("relay (" + RELAY + " [" + RELAY_IP + "])", "mx.example.net (" + MX + ")",
            at.plusSeconds(2)),
        ImportedFleet.received(clientHelo + " (" + clientHelo + ".lab.example.edu [" + clientIp + "])",
            RELAY + " (Postfix)", at));
  }

  /**
   * The relay's history: lab-pc-41 sent worm mail through it at {@link #earlier}, and that
   * complaint was recorded, with the relay as the MTA that recorded its origin.
   */
  private void anEarlierComplaintThroughTheRelayWasRecorded() throws Exception {
    String earlierSender = id();
    fleet.report(fleet.scan(earlierSender, "lab-pc-41", T0, "10.20.3.41"));
    fleet.report(fleet.scan(earlierSender, "lab-pc-41", earlier.plusSeconds(120), "10.20.3.41")
        .addEgress(egress(earlier.minusSeconds(30), "winkabcd.exe", false, RELAY_IP)));
    fleet.stillReporting(earlierSender, "lab-pc-41", "10.20.3.41");
    fleet.importReports();
    JsonNode history = fleet.triage(relayed("earlier", earlier, "PC41", "10.20.3.41"), RELAY_IP);
    assertThat(history.get("recordable").asBoolean()).as(history.toPrettyString()).isTrue();
  }

  /** A host reporting {@code before} at T0 + 30 min, then {@code after} from {@link #claimBegins} on. */
  private void claimsLater(String host, String name, String[] before, String... after) {
    fleet.report(fleet.scan(host, name, T0.plus(Duration.ofMinutes(30)), before));
    fleet.report(fleet.scan(host, name, claimBegins, after));
    fleet.report(fleet.scan(host, name, worm.plusSeconds(120), after));
    fleet.stillReporting(host, name, after);
  }

  /** lab-pc-07 at 10.20.3.17: the worm host behind the relay, its Klez handing mail to the relay. */
  private String wormHostBehindTheRelay() {
    String sender = id();
    fleet.report(fleet.scan(sender, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(sender, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, RELAY_IP)));
    fleet.stillReporting(sender, "lab-pc-07", "10.20.3.17");
    return sender;
  }

  /** A burst of {@code connections} SMTP connections by {@code process} within one minute from {@code start}. */
  private static SmtpEgressWindow burst(Instant start, String process, int connections, String... destinations) {
    SmtpEgressWindow.Builder w = SmtpEgressWindow.newBuilder()
        .setWindowStart(Timestamps.fromMillis(start.toEpochMilli()))
        .setWindowEnd(Timestamps.fromMillis(start.plusSeconds(60).toEpochMilli()))
        .setFirstSeen(Timestamps.fromMillis(start.plusSeconds(2).toEpochMilli()))
        .setLastSeen(Timestamps.fromMillis(start.plusSeconds(55).toEpochMilli()))
        .setPid(4242).setProcessName(process).setConnections(connections)
        .setDistinctDestinations(destinations.length).setAllowed(false).setSource("poll");
    for (String d : destinations) {
      w.addDestinations(EgressDestination.newBuilder().setIp(d).setPort(25)
          .setConnections(connections / destinations.length));
    }
    return w.build();
  }

  private static List<String> warnings(JsonNode result) {
    return StreamSupport.stream(result.get("warnings").spliterator(), false).map(JsonNode::asText).toList();
  }

  private void assertNotBlamed(String host) {
    assertThat(fleet.verdict(host).verdict()).isNotEqualTo(Verdict.SUSPECTED).isNotEqualTo(Verdict.INFECTED);
  }

  // ---- T6: a lying agent claims the relay's address beside its own -----------------------

  @Test
  void aLyingAgentClaimingTheRelaysAddressBesideItsOwnCannotStopTheWormHostBehindTheRelayBeingRecorded()
      throws Exception {
    anEarlierComplaintThroughTheRelayWasRecorded();
    String sender = wormHostBehindTheRelay();
    String liar = id();
    claimsLater(liar, "lab-pc-66", new String[] {"10.20.3.66"}, "10.20.3.66", RELAY_IP);
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("liar-beside-its-own", worm, "PC17", "10.20.3.17"), RELAY_IP);

    assertThat(result.get("recordable").asBoolean()).as(result.toPrettyString()).isTrue();
    assertThat(candidateIds(result).get(0)).isEqualTo(sender);
    assertThat(confidence(result, sender)).isGreaterThanOrEqualTo(0.5);
    assertThat(fleet.verdict(sender).verdict()).isIn(Verdict.SUSPECTED, Verdict.INFECTED);
  }

  @Test
  void theAgentClaimingTheRelaysAddressBesideItsOwnIsFlaggedAsAFalseClaimAndNotBlamed() throws Exception {
    anEarlierComplaintThroughTheRelayWasRecorded();
    wormHostBehindTheRelay();
    String liar = id();
    claimsLater(liar, "lab-pc-66", new String[] {"10.20.3.66"}, "10.20.3.66", RELAY_IP);
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("liar-flagged", worm, "PC17", "10.20.3.17"), RELAY_IP);

    assertThat(warnings(result)).as(result.toPrettyString()).anySatisfy(w -> assertThat(w).contains("lab-pc-66")
        .contains(RELAY_IP).contains("false claim").contains("lying agent"));
    assertThat(candidateIds(result)).doesNotContain(liar);
    assertNotBlamed(liar);
  }

  // ---- N0d still holds ------------------------------------------------------------------

  @Test
  void aLabPcWhoseOnlyAddressIsTheRelaysOldOneStaysADoubtDespiteTheRelaysHistory() throws Exception {
    anEarlierComplaintThroughTheRelayWasRecorded();
    wormHostBehindTheRelay(); // another host still hands mail to the address
    String renumbered = id();
    String innocent = id();
    // The relay was renumbered; DHCP gave its old address to lab-pc-33, whose worm wrote the line below.
    claimsLater(renumbered, "lab-pc-33", new String[] {"10.20.3.33"}, RELAY_IP);
    fleet.report(fleet.scan(innocent, "lab-pc-12", T0, "10.20.3.12"));
    fleet.stillReporting(innocent, "lab-pc-12", "10.20.3.12");
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("only-address", worm, "harold-pc", "10.20.3.12"), RELAY_IP);

    assertThat(result.get("recordable").asBoolean()).as(result.toPrettyString()).isFalse();
    assertThat(result.get("summary").asText()).startsWith("No sender is established");
    assertThat(confidence(result, innocent)).isLessThan(0.5);
    assertNotBlamed(innocent);
  }

  @Test
  void aRenumberedRelaysAddressHeldBesideAnAddressInAnotherSubnetStaysADoubtWhenNoOtherHostHandsItMail()
      throws Exception {
    anEarlierComplaintThroughTheRelayWasRecorded();
    String renumbered = id();
    String innocent = id();
    // The worm on the PC holding the relay's old address also reports a made-up second address.
    claimsLater(renumbered, "lab-pc-33", new String[] {"10.99.0.33"}, "10.99.0.33", RELAY_IP);
    fleet.report(fleet.scan(innocent, "lab-pc-12", T0, "10.20.3.12"));
    fleet.stillReporting(innocent, "lab-pc-12", "10.20.3.12");
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("no-witness", worm, "harold-pc", "10.20.3.12"), RELAY_IP);

    assertThat(result.get("recordable").asBoolean()).as(result.toPrettyString()).isFalse();
    assertThat(confidence(result, innocent)).isLessThan(0.5);
    assertNotBlamed(innocent);
  }

  @Test
  void aClaimBesideItsOwnAddressOfARelayWithNoRecordedHistoryStaysADoubt() throws Exception {
    String sender = wormHostBehindTheRelay();
    String liar = id();
    claimsLater(liar, "lab-pc-66", new String[] {"10.20.3.66"}, "10.20.3.66", RELAY_IP);
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("no-history", worm, "PC17", "10.20.3.17"), RELAY_IP);

    assertThat(result.get("recordable").asBoolean()).as(result.toPrettyString()).isFalse();
    assertThat(candidateIds(result)).contains(sender);
  }

  // ---- T9: under a doubt, evidence that does not rest on the doubted line ranks first -----

  @Test
  void underADoubtTheClaimantWithAWormLikeBurstRanksBeforeTheHostOnlyTheDoubtedLineNames() throws Exception {
    String renumbered = id();
    String innocent = id();
    fleet.report(fleet.scan(renumbered, "lab-pc-33", T0, RELAY_IP));
    fleet.report(fleet.scan(renumbered, "lab-pc-33", worm.plusSeconds(120), RELAY_IP)
        .addEgress(burst(worm.minusSeconds(20), "winkabcd.exe", 30, "198.51.100.7", "203.0.113.9",
            "198.51.100.77", "203.0.113.90", "198.51.100.17")));
    fleet.stillReporting(renumbered, "lab-pc-33", RELAY_IP);
    // The innocent the forged line names sent one message from Outlook to the MX then.
    fleet.report(fleet.scan(innocent, "lab-pc-12", T0, "10.20.3.12"));
    fleet.report(fleet.scan(innocent, "lab-pc-12", worm.plusSeconds(120), "10.20.3.12")
        .addEgress(burst(worm.minusSeconds(40), "outlook.exe", 1, MX)));
    fleet.stillReporting(innocent, "lab-pc-12", "10.20.3.12");
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("doubt-order", worm, "harold-pc", "10.20.3.12"), RELAY_IP);

    assertThat(result.get("summary").asText()).as(result.toPrettyString()).startsWith("No sender is established");
    assertThat(candidateIds(result).get(0)).isEqualTo(renumbered);
    assertThat(confidence(result, innocent)).isLessThan(0.5);
  }
}
