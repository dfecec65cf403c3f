package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.confidence;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.Report;
import io.labscan.testsupport.CliRun;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #15, red-team round 4, F5: the stretch of a holding before a host's first report that
 * showed the address is back-filled (an agent reports within minutes of start), which is an
 * assumption, not a report. DHCP hands the address of a BYOD laptop without an agent to a lab PC
 * switched on in the afternoon: the lab PC may rank as a weak candidate, the answer says the
 * holding is assumed, and it never alone becomes evidence for a verdict. A reported boot time
 * bounds the back-fill: the host cannot have held an address before it started.
 */
class HoldingBackfillTest {
  @TempDir Path dir;
  private ImportedFleet fleet;
  private String linda;
  private String harold;
  /** The BYOD laptop's mail, this morning; the lab PCs' stories run around it. */
  private final Instant mail = T0.plus(Duration.ofMinutes(30));
  /** lab-pc-12 is switched on in the afternoon and first reports 10.20.3.12 4 h 55 min after the mail. */
  private final Instant firstReport = mail.plus(Duration.ofHours(4)).plus(Duration.ofMinutes(55));

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
    linda = id();
    harold = id();
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.stillReporting(linda, "lab-pc-07", "10.20.3.17");
  }

  @Test
  void aHostThatFirstReportedTheAddressHoursAfterTheMailIsOnlyAWeakCandidateAndNotRecorded() throws Exception {
    fleet.report(fleet.scan(harold, "lab-pc-12", firstReport, "10.20.3.12"));
    fleet.stillReporting(harold, "lab-pc-12", "10.20.3.12");
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("byod", "10.20.3.12", mail, "carol@campus.example.edu",
        "bob@example.net"));

    assertThat(result.get("origin").get("ip").asText()).isEqualTo("10.20.3.12");
    assertThat(confidence(result, harold)).as(result.toPrettyString()).isGreaterThan(0).isLessThan(0.5);
    assertThat(reasons(result, harold)).as(result.toPrettyString())
        .anySatisfy(r -> assertThat(r).contains("first reported 10.20.3.12 at " + firstReport)
            .contains("4 h 55 min after the mail").contains("the address may have been someone else's"))
        .noneSatisfy(r -> assertThat(r).contains("held since"));
    assertThat(texts(result.get("warnings"))).as(result.toPrettyString())
        .anySatisfy(w -> assertThat(w).contains("lab-pc-12").contains("first reported 10.20.3.12 at " + firstReport)
            .contains("the address may have been someone else's"));
    assertThat(fleet.verdict(harold).verdict().name()).isNotEqualTo("SUSPECTED").isNotEqualTo("INFECTED");
  }

  @Test
  void severalComplaintsResultingOnlyInAnAssumedHoldingTogetherStillRecordNothing() throws Exception {
    fleet.report(fleet.scan(harold, "lab-pc-12", firstReport, "10.20.3.12"));
    fleet.stillReporting(harold, "lab-pc-12", "10.20.3.12");
    fleet.importReports();
    List<String> args = List.of("triage", "--db", fleet.db().toString(), "--trust", "mx.example.net",
        "--format", "json",
        fleet.complaint("byod-1", "10.20.3.12", mail, "carol@campus.example.edu", "bob@example.net").toString(),
        fleet.complaint("byod-2", "10.20.3.12", mail.plusSeconds(600), "dave@campus.example.edu",
            "eve@example.net").toString(),
        fleet.complaint("byod-3", "10.20.3.12", mail.plusSeconds(1200), "erin@campus.example.edu",
            "frank@example.net").toString());

    JsonNode result = new ObjectMapper().readTree(CliRun.run(args.toArray(String[]::new)).ok().out());

    assertThat(candidateIds(result)).as(result.toPrettyString()).contains(harold);
    assertThat(fleet.verdict(harold).verdict().name()).as(result.toPrettyString())
        .isNotEqualTo("SUSPECTED").isNotEqualTo("INFECTED");
  }

  @Test
  void aReportedBootTimeBoundsTheBackFillSoAHostStartedAfterTheMailIsNoCandidate() throws Exception {
    Instant boot = firstReport.minus(Duration.ofMinutes(3));
    fleet.report(booted(fleet.scan(harold, "lab-pc-12", firstReport, "10.20.3.12"), boot));
    fleet.report(booted(fleet.scan(harold, "lab-pc-12",
        Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS), "10.20.3.12"), boot));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("byod-booted", "10.20.3.12", mail, "carol@campus.example.edu",
        "bob@example.net"));

    assertThat(candidateIds(result)).as(result.toPrettyString()).doesNotContain(harold);
    assertThat(fleet.verdict(harold).verdict().name()).isNotEqualTo("SUSPECTED");
  }

  @Test
  void aHostThatReportedTheAddressBeforeTheMailIsStillRecorded() throws Exception {
    fleet.report(fleet.scan(harold, "lab-pc-12", mail.minus(Duration.ofMinutes(20)), "10.20.3.12"));
    fleet.stillReporting(harold, "lab-pc-12", "10.20.3.12");
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("reported", "10.20.3.12", mail, "carol@campus.example.edu",
        "bob@example.net"));

    assertThat(confidence(result, harold)).as(result.toPrettyString()).isGreaterThanOrEqualTo(0.7);
    assertThat(fleet.verdict(harold).verdict().name()).isEqualTo("SUSPECTED");
  }

  private static Report.Builder booted(Report.Builder r, Instant boot) {
    return r.setInventory(r.getInventory().toBuilder().setBootTime(Timestamps.fromMillis(boot.toEpochMilli())));
  }

  private static List<String> reasons(JsonNode result, String hostId) {
    return StreamSupport.stream(result.get("candidates").spliterator(), false)
        .filter(c -> c.get("hostId").asText().equals(hostId))
        .flatMap(c -> texts(c.get("reasons")).stream()).toList();
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
