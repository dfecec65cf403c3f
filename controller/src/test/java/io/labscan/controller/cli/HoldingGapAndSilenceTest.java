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
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #15, red-team round 6 (N2, R10, R6): a host's reports about an address have gaps and end
 * in silence, and the worm's mail falls into them. A host that held the address before and after
 * a short gap in its reports (a DHCP renew glitch, a Wi-Fi reconnect, or a worm that removes the
 * address for one report), and a host that reported the address gone and fell silent minutes
 * later (the worm killed its agent), are weak, clearly labelled candidates for mail in that gap or
 * that silence — never recorded on their own; their own unallowed SMTP egress adds weight through
 * the ordinary rules. A silent host inside its grace is named with the holding assumed, not
 * reported.
 */
class HoldingGapAndSilenceTest {
  @TempDir Path dir;
  private ImportedFleet fleet;
  private String linda;
  private String harold;

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
    linda = id();
    harold = id();
    // A bystander that keeps reporting its own address: the fleet is alive.
    fleet.report(fleet.scan(harold, "lab-pc-12", T0, "10.20.3.12"));
    fleet.stillReporting(harold, "lab-pc-12", "10.20.3.12");
  }

  // ---- N2: a short gap in the reports of a host that held the address before and after -------

  @Test
  void aHostThatHeldTheAddressBeforeAndAfterAShortGapIsAWeakLabelledCandidateForMailInTheGap() throws Exception {
    Instant gapStart = T0.plus(Duration.ofMinutes(5));
    Instant gapEnd = T0.plus(Duration.ofMinutes(12));
    reportsWithAGap(gapStart, gapEnd);
    fleet.importReports();

    JsonNode result = mailFrom17("gap", T0.plus(Duration.ofMinutes(8)));

    assertThat(candidateIds(result)).as(result.toPrettyString()).startsWith(linda);
    assertThat(confidence(result, linda)).as(result.toPrettyString()).isGreaterThan(0).isLessThan(0.5);
    assertThat(reasons(result, linda)).as(result.toPrettyString())
        .anySatisfy(r -> assertThat(r).contains("held 10.20.3.17 until " + gapStart + " and again from " + gapEnd)
            .contains("not reported during the gap"))
        .noneSatisfy(r -> assertThat(r).contains("the address may have been someone else's"));
    assertThat(fleet.verdict(linda).verdict().name()).isNotEqualTo("SUSPECTED").isNotEqualTo("INFECTED");
  }

  @Test
  void aGapCandidateWhoseOwnWormLikeSmtpEgressMatchesTheMailIsRecorded() throws Exception {
    Instant gapStart = T0.plus(Duration.ofMinutes(5));
    Instant gapEnd = T0.plus(Duration.ofMinutes(12));
    Instant mail = T0.plus(Duration.ofMinutes(8));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", gapStart));
    fleet.report(fleet.scan(linda, "lab-pc-07", gapEnd, "10.20.3.17")
        .addEgress(egress(mail.minusSeconds(30), "winkabcd.exe", false, MX, "198.51.100.7", "203.0.113.9", "192.0.2.77")));
    fleet.stillReporting(linda, "lab-pc-07", "10.20.3.17");
    fleet.importReports();

    JsonNode result = mailFrom17("gap-egress", mail);

    assertThat(candidateIds(result)).as(result.toPrettyString()).startsWith(linda);
    assertThat(confidence(result, linda)).as(result.toPrettyString()).isGreaterThanOrEqualTo(0.5);
    assertThat(fleet.verdict(linda).verdict().name()).as(result.toPrettyString()).isEqualTo("INFECTED");
  }

  @Test
  void aGapCandidateWhoseOneOrdinarySendingReachedTheMxIsShownButNotRecorded() throws Exception {
    Instant gapStart = T0.plus(Duration.ofMinutes(5));
    Instant gapEnd = T0.plus(Duration.ofMinutes(12));
    Instant mail = T0.plus(Duration.ofMinutes(8));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", gapStart));
    fleet.report(fleet.scan(linda, "lab-pc-07", gapEnd, "10.20.3.17")
        .addEgress(egress(mail.minusSeconds(30), "outlook.exe", false, MX)));
    fleet.stillReporting(linda, "lab-pc-07", "10.20.3.17");
    fleet.importReports();

    JsonNode result = mailFrom17("gap-egress", mail);

    // One ordinary sending is what every machine does: it does not confirm a holding no report
    // shows at the mail's time (red team round 8, T2).
    assertThat(candidateIds(result)).as(result.toPrettyString()).startsWith(linda);
    assertThat(confidence(result, linda)).as(result.toPrettyString()).isLessThan(0.5);
    assertThat(fleet.verdict(linda).reasons()).noneMatch(r -> r.code().equals("complaint"));
  }

  @Test
  void anotherHostClaimingTheAddressDuringTheGapTakesItAndTheGapNamesNobody() throws Exception {
    Instant gapStart = T0.plus(Duration.ofMinutes(5));
    Instant gapEnd = T0.plus(Duration.ofMinutes(12));
    String kim = id();
    reportsWithAGap(gapStart, gapEnd);
    fleet.report(fleet.scan(kim, "lab-pc-20", T0.plus(Duration.ofMinutes(6)), "10.20.3.17"));
    fleet.report(fleet.scan(kim, "lab-pc-20", T0.plus(Duration.ofMinutes(11)), "10.20.3.20"));
    fleet.stillReporting(kim, "lab-pc-20", "10.20.3.20");
    fleet.importReports();

    JsonNode result = mailFrom17("gap-taken", T0.plus(Duration.ofMinutes(8)));

    assertThat(candidateIds(result)).as(result.toPrettyString()).doesNotContain(linda).startsWith(kim);
  }

  @Test
  void aGapLongerThanTheGraceIsNoGapAndTheLaterTenureStaysAnAssumption() throws Exception {
    Instant gapStart = T0.plus(Duration.ofMinutes(5));
    Instant gapEnd = T0.plus(Duration.ofHours(3));
    reportsWithAGap(gapStart, gapEnd);
    fleet.importReports();

    JsonNode result = mailFrom17("long-gap", T0.plus(Duration.ofHours(2)));

    assertThat(confidence(result, linda)).as(result.toPrettyString()).isLessThan(0.5);
    assertThat(reasons(result, linda)).as(result.toPrettyString())
        .noneSatisfy(r -> assertThat(r).contains("not reported during the gap"));
    assertThat(fleet.verdict(linda).verdict().name()).isNotEqualTo("SUSPECTED").isNotEqualTo("INFECTED");
  }

  // ---- R10: the address reported gone, then the agent fell silent ---------------------------

  @Test
  void aHostThatReportedTheAddressGoneAndFellSilentMinutesLaterIsAWeakLabelledCandidate() throws Exception {
    Instant gone = T0.plus(Duration.ofMinutes(20));
    Instant last = T0.plus(Duration.ofMinutes(23));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", gone, "10.20.3.99"));
    fleet.report(fleet.scan(linda, "lab-pc-07", last, "10.20.3.99"));
    fleet.importReports();

    JsonNode result = mailFrom17("gone-silent", T0.plus(Duration.ofMinutes(40)));

    assertThat(candidateIds(result)).as(result.toPrettyString()).startsWith(linda);
    assertThat(confidence(result, linda)).as(result.toPrettyString()).isGreaterThan(0).isLessThan(0.5);
    assertThat(reasons(result, linda)).as(result.toPrettyString())
        .anySatisfy(r -> assertThat(r).contains("reported 10.20.3.17 gone at " + gone + ", silent since " + last));
    assertThat(fleet.verdict(linda).verdict().name()).isNotEqualTo("SUSPECTED").isNotEqualTo("INFECTED");
  }

  @Test
  void aHostThatReportedTheAddressGoneAndKeepsReportingIsNoCandidate() throws Exception {
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0.plus(Duration.ofMinutes(20)), "10.20.3.99"));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0.plus(Duration.ofMinutes(50)), "10.20.3.99"));
    fleet.stillReporting(linda, "lab-pc-07", "10.20.3.99");
    fleet.importReports();

    JsonNode result = mailFrom17("gone-alive", T0.plus(Duration.ofMinutes(40)));

    assertThat(candidateIds(result)).as(result.toPrettyString()).doesNotContain(linda);
  }

  @Test
  void aHostThatReportedTheAddressGoneIsNoCandidateOnceAnotherHostTookIt() throws Exception {
    String kim = id();
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0.plus(Duration.ofMinutes(20)), "10.20.3.99"));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0.plus(Duration.ofMinutes(23)), "10.20.3.99"));
    fleet.report(fleet.scan(kim, "lab-pc-20", T0.plus(Duration.ofMinutes(30)), "10.20.3.17"));
    fleet.stillReporting(kim, "lab-pc-20", "10.20.3.17");
    fleet.importReports();

    JsonNode result = mailFrom17("gone-taken", T0.plus(Duration.ofMinutes(40)));

    assertThat(candidateIds(result)).as(result.toPrettyString()).doesNotContain(linda).startsWith(kim);
  }

  // ---- R6: inside the grace, the holding is assumed from the last report ---------------------

  @Test
  void aSilentHostInsideItsGraceIsNamedWithTheHoldingAssumedFromItsLastReport() throws Exception {
    Instant last = T0.plus(Duration.ofMinutes(10));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", last, "10.20.3.17"));
    fleet.importReports();

    JsonNode result = mailFrom17("in-grace", T0.plus(Duration.ofMinutes(40)));

    String assumed = "last reported 10.20.3.17 at " + last
        + ", silent since; assumed to still hold it within the 2 h grace";
    assertThat(candidateIds(result)).as(result.toPrettyString()).startsWith(linda);
    assertThat(reasons(result, linda)).as(result.toPrettyString())
        .anySatisfy(r -> assertThat(r).contains(assumed))
        .noneSatisfy(r -> assertThat(r).contains("held 10.20.3.17 at "));
    assertThat(result.get("summary").asText()).as(result.toPrettyString())
        .contains("lab-pc-07").contains("last reported " + "10.20.3.17").contains("assumed");
  }

  // ---- R12: a fresh claim on a secondary interface against an established holder ----------------

  @Test
  void aFreshSecondaryInterfaceClaimOnAnEstablishedHoldersAddressRecordsNeitherAndTheAnswerSaysWhy()
      throws Exception {
    String kim = id();
    fleet.report(fleet.scan(linda, "lab-pc-07", T0.minus(Duration.ofDays(2)), "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.stillReporting(linda, "lab-pc-07", "10.20.3.17");
    fleet.report(withSecondInterface(fleet.scan(kim, "lab-pc-20", T0.plus(Duration.ofMinutes(20)), "10.20.3.20")));
    fleet.report(withSecondInterface(fleet.scan(kim, "lab-pc-20",
        Instant.now().minusSeconds(240).truncatedTo(java.time.temporal.ChronoUnit.SECONDS), "10.20.3.20")));
    fleet.importReports();

    JsonNode result = mailFrom17("fresh-eth1", T0.plus(Duration.ofMinutes(30)));

    assertThat(candidateIds(result)).as(result.toPrettyString()).containsExactly(linda, kim);
    assertThat(confidence(result, linda)).as(result.toPrettyString()).isLessThan(0.5);
    assertThat(result.get("conflicts")).as(result.toPrettyString()).hasSize(1);
    assertThat(StreamSupport.stream(result.get("warnings").spliterator(), false).map(JsonNode::asText))
        .as(result.toPrettyString())
        .anySatisfy(w -> assertThat(w).contains("conflicting claims").contains("no claimant is recorded on its claim"
            + " alone").contains("a fresh one may be the worm's"));
    assertThat(fleet.verdict(linda).verdict().name()).isNotEqualTo("SUSPECTED").isNotEqualTo("INFECTED");
    assertThat(fleet.verdict(kim).verdict().name()).isNotEqualTo("SUSPECTED").isNotEqualTo("INFECTED");
    assertThat(fleet.hostJson(linda).get("addressConflicts")).as("the conflict shows on the host and is alerted")
        .isNotEmpty();
  }

  /** The worm's (or a misconfigured) second adapter, eth1, with its own MAC, carrying 10.20.3.17. */
  private static io.labscan.proto.v1.Report.Builder withSecondInterface(io.labscan.proto.v1.Report.Builder r) {
    return r.setInventory(r.getInventory().toBuilder().addInterfaces(io.labscan.proto.v1.NetworkInterface.newBuilder()
        .setName("eth1").setMac("00:0c:29:aa:bb:cc").addIpv4("10.20.3.17")));
  }

  /** Triage of a complaint whose MX recorded the worm's mail from 10.20.3.17 at {@code at}. */
  private JsonNode mailFrom17(String name, Instant at) throws Exception {
    return fleet.triage(fleet.complaint(name, "10.20.3.17", at, "carol@campus.example.edu", "bob@example.net"));
  }

  private void reportsWithAGap(Instant gapStart, Instant gapEnd) {
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", gapStart));
    fleet.report(fleet.scan(linda, "lab-pc-07", gapEnd, "10.20.3.17"));
    fleet.stillReporting(linda, "lab-pc-07", "10.20.3.17");
  }

  private static List<String> reasons(JsonNode result, String hostId) {
    return StreamSupport.stream(result.get("candidates").spliterator(), false)
        .filter(c -> c.get("hostId").asText().equals(hostId))
        .flatMap(c -> StreamSupport.stream(c.get("reasons").spliterator(), false).map(JsonNode::asText)).toList();
  }
}
