package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.confidence;
import static io.labscan.testsupport.ImportedFleet.egress;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.verdict.Verdict;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
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
 * Red-team round 6 of issue #15, the trust walk's findings N0c, N1 and N0d: fleets built through
 * {@code import}, complaints triaged with the real command line. A holding on a virtual or
 * container adapter is no evidence on its own that the host was the MTA's client (N0c), except
 * when the host's own egress speaks or the "virtual" adapter carries its LAN address (N1); an exact
 * {@code --trust} address a lab host holds on an ordinary NIC is a conflict that records nothing
 * (N0d).
 */
class RedTeamRound6TrustWalkTest {
  /** Docker's bridge gateway on every machine with Docker. */
  private static final String DOCKER_GATEWAY = "172.17.0.1";
  private static final String RELAY = "relay.lab.example.edu";
  /** The relay's old address: it was renumbered, and DHCP hands the address out now. */
  private static final String OLD_RELAY_IP = "10.20.1.25";

  @TempDir Path dir;
  private ImportedFleet fleet;
  private final Instant worm = T0.plus(Duration.ofHours(2));

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /** {@code host}'s scan: {@code primary} on eth0 and {@code extra} on {@code adapter}. */
  private Report.Builder scanWithAdapter(String host, String name, Instant at, String primary, String adapter,
      String extra) {
    Report.Builder r = fleet.scan(host, name, at, primary);
    r.getInventoryBuilder().addInterfaces(NetworkInterface.newBuilder().setName(adapter).setMac("02:42:ac:11:00:01")
        .addIpv4(extra));
    return r;
  }

  /** {@code host}'s scan whose only interface is {@code adapter} carrying {@code ip}. */
  private Report.Builder scanOnlyOn(String host, String name, Instant at, String adapter, String ip) {
    Report.Builder r = fleet.scan(host, name, at, ip);
    r.getInventoryBuilder().clearInterfaces().addInterfaces(NetworkInterface.newBuilder().setName(adapter)
        .setMac(ImportedFleet.mac(host)).addIpv4(ip));
    return r;
  }

  /** A lab PC with Docker reporting before and after the worm's mail, and still now. */
  private void dockerHost(String host, String name, String lan) {
    fleet.report(scanWithAdapter(host, name, T0, lan, "docker0", DOCKER_GATEWAY));
    fleet.report(scanWithAdapter(host, name, worm.plusSeconds(120), lan, "docker0", DOCKER_GATEWAY));
    fleet.report(scanWithAdapter(host, name, Instant.now().minusSeconds(300), lan, "docker0", DOCKER_GATEWAY));
  }

  /** A host reporting only {@code ips} on eth0, before and after the mail and still now. */
  private void plainHost(String host, String name, String... ips) {
    fleet.report(fleet.scan(host, name, T0, ips));
    fleet.report(fleet.scan(host, name, worm.plusSeconds(120), ips));
    fleet.stillReporting(host, name, ips);
  }

  /**
   * The MX (Postfix) recorded the relay's connection as {@code relayIp}; the relay line below names
   * {@code clientIp}: the worm's forgery when the relay line is not really the relay's.
   */
  private Path relayed(String name, String relayIp, String clientHelo, String clientIp) throws Exception {
    return fleet.complaintThrough(name, worm,
        ImportedFleet.received("relay (" + RELAY + " [" + relayIp + "])", "mx.example.net (" + MX + ")",
            worm.plusSeconds(2)),
        ImportedFleet.received(clientHelo + " (" + clientHelo + ".lab.example.edu [" + clientIp + "])",
            RELAY + " (Postfix)", worm));
  }

  private static List<String> warnings(JsonNode result) {
    return StreamSupport.stream(result.get("warnings").spliterator(), false).map(JsonNode::asText).toList();
  }

  private void assertNotBlamed(String host) {
    assertThat(fleet.verdict(host).verdict()).isNotEqualTo(Verdict.SUSPECTED).isNotEqualTo(Verdict.INFECTED);
  }

  // ---- N0c: a container's MTA logs its host's bridge address ----------------------------

  @Test
  void aLabPcWithDockerIsNotRecordedWhenAContainerisedMxLogsItsBridgeAddress() throws Exception {
    String docker = id();
    dockerHost(docker, "lab-pc-40", "10.20.5.40");
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("docker-mx", DOCKER_GATEWAY, worm, "harold@lab.example.edu",
        "bob@example.net"));

    assertThat(result.get("recordable").asBoolean()).as(result.toPrettyString()).isFalse();
    assertThat(confidence(result, docker)).isLessThanOrEqualTo(0.45);
    assertNotBlamed(docker);
  }

  @Test
  void theBridgeAddressWarningNamesTheInterfaceTheLikelyCauseAndTheFix() throws Exception {
    String docker = id();
    dockerHost(docker, "lab-pc-40", "10.20.5.40");
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("docker-mx-warned", DOCKER_GATEWAY, worm, "harold@lab.example.edu",
        "bob@example.net"));

    assertThat(warnings(result)).as(result.toPrettyString()).anySatisfy(w -> assertThat(w)
        .contains("lab-pc-40").contains("docker0").contains(DOCKER_GATEWAY).contains("container")
        .contains("real client is hidden").contains("Fix:"));
    assertThat(result.get("summary").asText()).doesNotStartWith("Sent by");
  }

  @Test
  void severalLabPcsHoldingTheBridgeAddressAreNoAddressConflict() throws Exception {
    String one = id();
    String two = id();
    dockerHost(one, "lab-pc-40", "10.20.5.40");
    dockerHost(two, "lab-pc-41", "10.20.5.41");
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("docker-many", DOCKER_GATEWAY, worm, "harold@lab.example.edu",
        "bob@example.net"));

    assertThat(result.get("conflicts")).as(result.toPrettyString()).isEmpty();
    assertThat(warnings(result)).noneSatisfy(w -> assertThat(w).contains("conflicting claims"));
    assertThat(result.get("recordable").asBoolean()).isFalse();
    assertNotBlamed(one);
    assertNotBlamed(two);
  }

  @Test
  void twoDockerHostsAreNoAddressConflictOnTheirHostPages() throws Exception {
    String one = id();
    String two = id();
    dockerHost(one, "lab-pc-40", "10.20.5.40");
    dockerHost(two, "lab-pc-41", "10.20.5.41");
    fleet.importReports();

    JsonNode host = fleet.hostJson(one);

    assertThat(host.get("addressConflicts")).as(host.toPrettyString()).isEmpty();
  }

  // ---- N1: the adapter label does not hide a real sender --------------------------------

  @Test
  void aBridgeAddressHolderWhoseOwnWormLikeEgressReachedTheMxIsStillRecorded() throws Exception {
    String sender = id();
    fleet.report(scanWithAdapter(sender, "lab-pc-42", T0, "10.20.5.42", "docker0", DOCKER_GATEWAY));
    fleet.report(scanWithAdapter(sender, "lab-pc-42", worm.plusSeconds(120), "10.20.5.42", "docker0", DOCKER_GATEWAY)
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, MX, "198.51.100.7", "203.0.113.9", "192.0.2.77")));
    fleet.report(scanWithAdapter(sender, "lab-pc-42", Instant.now().minusSeconds(300), "10.20.5.42", "docker0",
        DOCKER_GATEWAY));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("docker-egress", DOCKER_GATEWAY, worm, "harold@lab.example.edu",
        "bob@example.net"));

    assertThat(result.get("recordable").asBoolean()).as(result.toPrettyString()).isTrue();
    assertThat(confidence(result, sender)).isGreaterThanOrEqualTo(0.5);
  }

  @Test
  void aVirtualNamedAdapterInTheSubnetOfTheHostsEthernetCountsAsItsLanAddress() throws Exception {
    String sender = id();
    fleet.report(scanWithAdapter(sender, "lab-pc-43", T0, "10.20.3.5", "docker0", "10.20.3.43"));
    fleet.report(scanWithAdapter(sender, "lab-pc-43", worm.plusSeconds(120), "10.20.3.5", "docker0", "10.20.3.43"));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("same-subnet", "10.20.3.43", worm, "harold@lab.example.edu",
        "bob@example.net"));

    assertThat(result.get("recordable").asBoolean()).as(result.toPrettyString()).isTrue();
    assertThat(confidence(result, sender)).isGreaterThanOrEqualTo(0.5);
  }

  @Test
  void aVirtualNamedAdapterCarryingTheHostsOnlyAddressCountsAsItsLanAddress() throws Exception {
    String sender = id();
    fleet.report(scanOnlyOn(sender, "lab-pc-44", T0, "vboxnet0", "10.20.3.44"));
    fleet.report(scanOnlyOn(sender, "lab-pc-44", worm.plusSeconds(120), "vboxnet0", "10.20.3.44"));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("only-address", "10.20.3.44", worm, "harold@lab.example.edu",
        "bob@example.net"));

    assertThat(result.get("recordable").asBoolean()).as(result.toPrettyString()).isTrue();
    assertThat(confidence(result, sender)).isGreaterThanOrEqualTo(0.5);
  }

  // ---- N0d: an exact entry whose address a lab PC now holds ------------------------------

  @Test
  void anExactTrustEntryWhoseAddressALabPcNowHoldsRecordsNobody() throws Exception {
    String renumbered = id();
    String innocent = id();
    // The worm on lab-pc-33 (DHCP gave it the relay's old address) wrote the line naming lab-pc-12.
    plainHost(renumbered, "lab-pc-33", OLD_RELAY_IP);
    plainHost(innocent, "lab-pc-12", "10.20.3.12");
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("renumbered-mta", OLD_RELAY_IP, "harold-pc", "10.20.3.12"), OLD_RELAY_IP);

    assertThat(result.get("recordable").asBoolean()).as(result.toPrettyString()).isFalse();
    assertThat(confidence(result, innocent)).isLessThan(0.5);
    assertThat(confidence(result, renumbered)).isLessThan(0.5);
    assertNotBlamed(innocent);
  }

  @Test
  void anExactTrustEntryContradictedByALabPcNamesTheClaimantAndTheLinesBelowAsCandidates() throws Exception {
    String renumbered = id();
    String innocent = id();
    plainHost(renumbered, "lab-pc-33", OLD_RELAY_IP);
    plainHost(innocent, "lab-pc-12", "10.20.3.12");
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("renumbered-candidates", OLD_RELAY_IP, "harold-pc", "10.20.3.12"),
        OLD_RELAY_IP);

    assertThat(candidateIds(result)).as(result.toPrettyString()).contains(renumbered, innocent);
  }

  @Test
  void anExactTrustEntryContradictedByALabPcStatesNoSenderAndNamesBothFixes() throws Exception {
    String renumbered = id();
    plainHost(renumbered, "lab-pc-33", OLD_RELAY_IP);
    plainHost(id(), "lab-pc-12", "10.20.3.12");
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("renumbered-headline", OLD_RELAY_IP, "harold-pc", "10.20.3.12"),
        OLD_RELAY_IP);

    String summary = result.get("summary").asText();
    assertThat(summary).as(result.toPrettyString()).doesNotStartWith("Sent by").doesNotStartWith("Possibly sent by")
        .contains("claimed by lab-pc-33").contains("calls it an MTA");
    assertThat(warnings(result)).anySatisfy(w -> assertThat(w).contains("lab-pc-33").contains(OLD_RELAY_IP)
        .contains("remove the stale entry").contains("lying agent"));
  }

  @Test
  void aLyingAgentClaimingAConfiguredMtasAddressGetsNobodyRecordedAndTheRealSenderStaysACandidate()
      throws Exception {
    String sender = id();
    String liar = id();
    fleet.report(fleet.scan(sender, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(sender, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, OLD_RELAY_IP)));
    fleet.stillReporting(sender, "lab-pc-07", "10.20.3.17");
    plainHost(liar, "lab-pc-66", "10.20.3.66", OLD_RELAY_IP);
    fleet.importReports();

    JsonNode result = fleet.triage(relayed("liar", OLD_RELAY_IP, "PC17", "10.20.3.17"), OLD_RELAY_IP);

    assertThat(result.get("recordable").asBoolean()).as(result.toPrettyString()).isFalse();
    assertThat(candidateIds(result)).contains(sender);
    assertNotBlamed(liar);
  }
}
