package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.confidence;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import io.labscan.proto.v1.AddressLease;
import io.labscan.proto.v1.Report;
import io.labscan.testsupport.CliRun;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #15, red-team round 8, T7: a laptop that reported its DHCP address gone (it went home)
 * and fell silent minutes later is a weak "gone-then-silent" candidate (R10) only while it is
 * plausible that it still used the address — within the holding grace after its last report, or
 * until the DHCP lease end it reported — not for days: once its own report said the address was
 * gone, DHCP hands it to the next device, and an agentless phone, printer or visitor's PC that
 * mails from it must not make the laptop "Possibly sent by". After that horizon the answer names
 * the laptop only as context ("held it until … (reported gone)"), never as a candidate.
 */
class RedTeamRound8HoldingTest {
  /** A week before {@link ImportedFleet#T0}: the laptop's tenure, so that days later is still the past. */
  private static final Instant MONDAY = T0.minus(Duration.ofDays(7));
  private static final Instant GONE = MONDAY.plus(Duration.ofMinutes(20));
  private static final Instant LAST = MONDAY.plus(Duration.ofMinutes(23));

  @TempDir Path dir;
  private ImportedFleet fleet;
  private String laptop;

  @BeforeEach
  void createTheFleet() {
    fleet = new ImportedFleet(dir);
    laptop = id();
    String bystander = id();
    // A bystander that keeps reporting its own address: the fleet is alive.
    fleet.report(fleet.scan(bystander, "lab-pc-12", MONDAY, "10.20.3.12"));
    fleet.stillReporting(bystander, "lab-pc-12", "10.20.3.12");
  }

  @Test
  void anAgentlessDeviceMailingFromTheAddressThreeHoursAfterTheLaptopWentHomeDoesNotNameTheLaptop()
      throws Exception {
    laptopWentHome();

    JsonNode result = mailFrom17("3h", LAST.plus(Duration.ofHours(3)));

    assertNotASuspect(result);
  }

  @Test
  void anAgentlessDeviceMailingFromTheAddressADayAfterTheLaptopWentHomeDoesNotNameTheLaptop() throws Exception {
    laptopWentHome();

    JsonNode result = mailFrom17("1d", LAST.plus(Duration.ofDays(1)));

    assertNotASuspect(result);
  }

  @Test
  void anAgentlessDeviceMailingFromTheAddressSixDaysAfterTheLaptopWentHomeDoesNotNameTheLaptop() throws Exception {
    laptopWentHome();

    JsonNode result = mailFrom17("6d", LAST.plus(Duration.ofDays(6)));

    assertNotASuspect(result);
  }

  @Test
  void afterTheHorizonTheAnswerNamesTheLaptopAsContextOnly() throws Exception {
    laptopWentHome();

    JsonNode result = mailFrom17("context", LAST.plus(Duration.ofDays(1)));

    assertThat(warnings(result)).as(result.toPrettyString())
        .anySatisfy(w -> assertThat(w).contains("no lab host held 10.20.3.17 at ")
            .contains("lab-laptop-3 (" + laptop + ") held it until " + GONE + " (reported gone)"));
  }

  @Test
  void withinTheGraceAfterItsLastReportTheLaptopStaysAWeakLabelledCandidate() throws Exception {
    laptopWentHome();

    JsonNode result = mailFrom17("in-grace", LAST.plus(Duration.ofMinutes(50)));

    assertThat(candidateIds(result)).as(result.toPrettyString()).contains(laptop);
    assertThat(confidence(result, laptop)).as(result.toPrettyString()).isGreaterThan(0).isLessThan(0.5);
    assertThat(reasons(result, laptop)).as(result.toPrettyString())
        .anySatisfy(r -> assertThat(r).contains("reported 10.20.3.17 gone at " + GONE + ", silent since " + LAST));
    assertThat(result.get("summary").asText()).as(result.toPrettyString())
        .contains("reported 10.20.3.17 gone, then fell silent");
    assertThat(fleet.verdict(laptop).verdict().name()).isNotEqualTo("SUSPECTED").isNotEqualTo("INFECTED");
  }

  @Test
  void withinTheGraceTheLaptopHeadsTheAnswerAsPossibleSenderOnlyWhenNothingElseIsKnown() throws Exception {
    laptopWentHome();
    Instant mail = LAST.plus(Duration.ofMinutes(50));
    // Three lab PCs sent mail to the MX around the mail's time (split egress-only weight, below the laptop's).
    for (String name : List.of("lab-pc-31", "lab-pc-32", "lab-pc-33")) {
      String pc = id();
      fleet.report(fleet.scan(pc, name, MONDAY, "10.20.4." + name.substring(8)));
      fleet.report(fleet.scan(pc, name, mail.plusSeconds(120), "10.20.4." + name.substring(8))
          .addEgress(ImportedFleet.egress(mail.minusSeconds(30), "thunderbird.exe", false, ImportedFleet.MX)));
      fleet.stillReporting(pc, name, "10.20.4." + name.substring(8));
    }
    fleet.importReports();

    JsonNode result = mailFrom17("in-grace-others", mail);

    assertThat(candidateIds(result)).as(result.toPrettyString()).startsWith(laptop).hasSize(4);
    assertThat(result.get("summary").asText()).as(result.toPrettyString())
        .doesNotContain("Possibly sent by lab-laptop-3").doesNotContain("Sent by lab-laptop-3")
        .contains("No LabScan host held 10.20.3.17");
  }

  @Test
  void aLongerConfiguredGraceKeepsTheLaptopAWeakCandidateForLonger() throws Exception {
    laptopWentHome();

    JsonNode result = triage("grace-4h", LAST.plus(Duration.ofHours(3)), "--holding-grace", "4h");

    assertThat(candidateIds(result)).as(result.toPrettyString()).contains(laptop);
    assertThat(confidence(result, laptop)).as(result.toPrettyString()).isLessThan(0.5);
  }

  @Test
  void aReportedDhcpLeaseEndBoundsTheLaptopsWeakCandidacyInsteadOfTheGrace() throws Exception {
    Instant leaseEnd = MONDAY.plus(Duration.ofHours(8));
    fleet.report(withLease(fleet.scan(laptop, "lab-laptop-3", MONDAY, "10.20.3.17"), leaseEnd));
    fleet.report(fleet.scan(laptop, "lab-laptop-3", GONE, "192.168.1.23"));
    fleet.report(fleet.scan(laptop, "lab-laptop-3", LAST, "192.168.1.23"));
    fleet.importReports();

    JsonNode inLease = mailFrom17("in-lease", leaseEnd.minus(Duration.ofHours(1)));
    JsonNode afterLease = mailFrom17("after-lease", leaseEnd.plus(Duration.ofHours(1)));

    assertThat(candidateIds(inLease)).as(inLease.toPrettyString()).contains(laptop);
    assertThat(confidence(inLease, laptop)).as(inLease.toPrettyString()).isLessThan(0.5);
    assertNotASuspect(afterLease);
  }

  // ---- Leftover: a "virtual" adapter name on the host's real NIC (F6 in the walk, N1 in ranking) ----

  @ParameterizedTest
  @ValueSource(strings = {"docker0", "vEthernet (Default Switch)"})
  void aHostWhoseOnlyAddressIsOnAVirtualNamedAdapterIsAnOrdinaryHolderInTheWalkAndInRanking(String adapter)
      throws Exception {
    String pc = id();
    Instant mail = T0.plus(Duration.ofHours(2));
    fleet.report(onAdapter(fleet.scan(pc, "lab-pc-40", T0, "10.20.3.17"), adapter));
    fleet.report(onAdapter(fleet.scan(pc, "lab-pc-40", mail.plusSeconds(120), "10.20.3.17"), adapter));
    fleet.report(onAdapter(fleet.scan(pc, "lab-pc-40",
        Instant.now().minusSeconds(300).truncatedTo(java.time.temporal.ChronoUnit.SECONDS), "10.20.3.17"), adapter));
    fleet.importReports();

    // 10.20.0.0/16 is where the MTAs are: a network, not a statement that every machine in it is one.
    JsonNode result = fleet.triage(fleet.complaint("only-" + adapter.charAt(0), "10.20.3.17", mail,
        "carol@campus.example.edu", "bob@example.net"), "10.20.0.0/16");

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.17");
    assertThat(result.get("recordable").asBoolean()).as(result.toPrettyString()).isTrue();
    assertThat(warnings(result)).as(result.toPrettyString())
        .noneSatisfy(w -> assertThat(w).contains("a conflict between configuration and the fleet"))
        .noneSatisfy(w -> assertThat(w).contains("only on virtual or container adapters"));
    assertThat(candidateIds(result)).as(result.toPrettyString()).startsWith(pc);
    assertThat(confidence(result, pc)).as(result.toPrettyString()).isGreaterThanOrEqualTo(0.5);
  }

  // ---- Leftover: several complaints, each candidate named at its own complaint's time ---------------

  @Test
  void withSeveralComplaintsEachCandidateIsNamedAtItsOwnComplaintsOriginTime() throws Exception {
    String first = id();
    String second = id();
    Instant mail1 = T0.plus(Duration.ofHours(1));
    Instant mail2 = T0.plus(Duration.ofHours(4));
    fleet.reporting(first, "lab-pc-07", "10.20.3.17", mail1);
    // The second host was the kiosk when the first mail left, lab-pc-20 when the second did, lab-pc-21 now.
    fleet.report(fleet.scan(second, "kiosk-2", T0.minus(Duration.ofDays(1)), "10.20.3.18"));
    fleet.report(fleet.scan(second, "lab-pc-20", T0.plus(Duration.ofHours(3)), "10.20.3.18"));
    fleet.stillReporting(second, "lab-pc-21", "10.20.3.18");
    fleet.importReports();
    Path one = fleet.complaint("first", "10.20.3.17", mail1, "carol@campus.example.edu", "bob@example.net");
    Path two = fleet.complaint("second", "10.20.3.18", mail2, "carol@campus.example.edu", "dave@example.org");

    JsonNode result = new ObjectMapper().readTree(CliRun.run("triage", "--db", fleet.db().toString(), "--trust",
        "mx.example.net", "--format", "json", one.toString(), two.toString()).ok().out());

    assertThat(nameAtTime(result, first)).as(result.toPrettyString()).isEqualTo("lab-pc-07");
    assertThat(nameAtTime(result, second)).as(result.toPrettyString()).isEqualTo("lab-pc-20");
  }

  private static String nameAtTime(JsonNode result, String hostId) {
    return StreamSupport.stream(result.get("candidates").spliterator(), false)
        .filter(c -> c.get("hostId").asText().equals(hostId)).findFirst()
        .map(c -> c.get("nameAtTime").isNull() ? c.get("hostname").asText() : c.get("nameAtTime").asText())
        .orElse("(no candidate)");
  }

  private static Report.Builder onAdapter(Report.Builder r, String adapter) {
    r.getInventoryBuilder().getInterfacesBuilder(0).setName(adapter);
    return r;
  }

  /** The laptop held 10.20.3.17 in the lab, reported it gone (home network), and fell silent. */
  private void laptopWentHome() throws Exception {
    fleet.report(fleet.scan(laptop, "lab-laptop-3", MONDAY, "10.20.3.17"));
    fleet.report(fleet.scan(laptop, "lab-laptop-3", GONE, "192.168.1.23"));
    fleet.report(fleet.scan(laptop, "lab-laptop-3", LAST, "192.168.1.23"));
    fleet.importReports();
  }

  private void assertNotASuspect(JsonNode result) {
    assertThat(candidateIds(result)).as(result.toPrettyString()).doesNotContain(laptop);
    assertThat(result.get("summary").asText()).as(result.toPrettyString()).doesNotContain("lab-laptop-3");
    assertThat(fleet.verdict(laptop).verdict().name()).isNotEqualTo("SUSPECTED").isNotEqualTo("INFECTED");
  }

  private static Report.Builder withLease(Report.Builder r, Instant end) {
    return r.setInventory(r.getInventory().toBuilder().setInterfaces(0, r.getInventory().getInterfaces(0).toBuilder()
        .addLeases(AddressLease.newBuilder().setIp("10.20.3.17")
            .setLeaseEnd(Timestamp.newBuilder().setSeconds(end.getEpochSecond())))));
  }

  /** Triage of a complaint whose MX recorded the mail from 10.20.3.17 at {@code at}. */
  private JsonNode mailFrom17(String name, Instant at) throws Exception {
    return fleet.triage(fleet.complaint(name, "10.20.3.17", at, "carol@campus.example.edu", "bob@example.net"));
  }

  private JsonNode triage(String name, Instant at, String... options) throws Exception {
    Path complaint = fleet.complaint(name, "10.20.3.17", at, "carol@campus.example.edu", "bob@example.net");
    List<String> args = new java.util.ArrayList<>(List.of("triage", "--db", fleet.db().toString(), "--trust",
        "mx.example.net", "--format", "json"));
    args.addAll(List.of(options));
    args.add(complaint.toString());
    return new ObjectMapper().readTree(CliRun.run(args.toArray(String[]::new)).ok().out());
  }

  private static List<String> warnings(JsonNode result) {
    return StreamSupport.stream(result.get("warnings").spliterator(), false).map(JsonNode::asText).toList();
  }

  private static List<String> reasons(JsonNode result, String hostId) {
    return StreamSupport.stream(result.get("candidates").spliterator(), false)
        .filter(c -> c.get("hostId").asText().equals(hostId))
        .flatMap(c -> StreamSupport.stream(c.get("reasons").spliterator(), false).map(JsonNode::asText)).toList();
  }
}
