package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.egress;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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

/**
 * Hostnames are claims, over time (issue 15, D; red-team R9, "an innocent blamed by name"): the
 * worm's host lab-pc-07 mails, then its agent, which the worm controls, reports Harold's machine's
 * name. Fleets built through {@code import} ({@link ImportedFleet}); the answer must name the
 * sender by the name it reported when it mailed, say what it calls itself now, and never show
 * Harold's machine as the sender; a name two hosts held is ambiguous on the command line.
 */
class HostnameHistoryTest {
  @TempDir Path dir;
  private ImportedFleet fleet;
  private final String worm = id();
  private final String harold = id();
  /** When the worm's host mailed. */
  private final Instant mailed = T0.plus(Duration.ofHours(2));
  /** When the worm's agent first reported the innocent's name. */
  private final Instant renamed = mailed.plus(Duration.ofMinutes(5));

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /**
   * Harold's machine reports {@code haroldsName} all morning; the worm's host lab-pc-07 sends the
   * worm's mail from 10.20.3.17 at {@link #mailed} and from {@link #renamed} on calls itself
   * {@code takenName}.
   */
  private void wormTakesAName(String haroldsName, String takenName) throws Exception {
    fleet.report(fleet.scan(harold, haroldsName, T0, "10.20.3.12"));
    fleet.report(fleet.scan(worm, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(worm, "lab-pc-07", mailed.plusSeconds(60), "10.20.3.17")
        .addEgress(egress(mailed.minusSeconds(20), "winkabcd.exe", false, ImportedFleet.MX)));
    fleet.report(fleet.scan(worm, takenName, renamed, "10.20.3.17"));
    fleet.stillReporting(harold, haroldsName, "10.20.3.12").stillReporting(worm, takenName, "10.20.3.17");
    fleet.importReports();
  }

  private JsonNode triageTheWormsMail() throws Exception {
    return fleet.triage(fleet.complaint("klez", "10.20.3.17", mailed, "harold@lab.example.edu", "bob@example.net"));
  }

  private static String time(Instant t) {
    return java.time.format.DateTimeFormatter.ofPattern("HH:mm").withZone(java.time.ZoneOffset.UTC).format(t);
  }

  @Test
  void aSenderThatTookAnInnocentsNameAfterMailingIsNamedByItsNameAtTheMailsTime() throws Exception {
    wormTakesAName("lab-pc-12", "lab-pc-12");

    JsonNode result = triageTheWormsMail();

    assertThat(candidateIds(result)).first().isEqualTo(worm);
    JsonNode top = result.get("candidates").get(0);
    assertThat(top.get("nameAtTime").asText()).isEqualTo("lab-pc-07");
    assertThat(top.get("hostname").asText()).isEqualTo("lab-pc-12");
    assertThat(Instant.parse(top.get("renamedAt").asText())).isEqualTo(renamed);
    assertThat(result.get("summary").asText()).startsWith("Sent by lab-pc-07 [" + worm + "], now calling itself lab-pc-12"
        + " since " + time(renamed));
  }

  @Test
  void theInnocentWhoseNameWasTakenIsNeverShownAsTheSender() throws Exception {
    wormTakesAName("lab-pc-12", "lab-pc-12");

    JsonNode result = triageTheWormsMail();

    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(result.get("summary").asText()).doesNotStartWith("Sent by lab-pc-12");
    CliRun table = CliRun.run("triage", "--db", fleet.db().toString(), "--trust", "mx.example.net", "--no-record",
        fleet.complaint("klez-table", "10.20.3.17", mailed, "harold@lab.example.edu", "bob@example.net").toString()).ok();
    assertThat(table.out()).contains("1. lab-pc-07 (" + worm + "), now calling itself lab-pc-12 since");
  }

  @Test
  void aSenderThatNeverChangedItsNameCarriesItsNameAndNoRename() throws Exception {
    wormTakesAName("lab-pc-12", "lab-pc-07");

    JsonNode top = triageTheWormsMail().get("candidates").get(0);

    assertThat(top.get("nameAtTime").asText()).isEqualTo("lab-pc-07");
    assertThat(top.get("renamedAt").isNull()).isTrue();
  }

  @Test
  void aNameAnotherHostGaveUpIsSharedSoBothHostsAreNamedWithTheirIds() throws Exception {
    // Harold's machine was harold-pc until this morning; the worm's host takes that name after mailing.
    fleet.report(fleet.scan(harold, "harold-pc", T0.minus(Duration.ofHours(3)), "10.20.3.12"));
    wormTakesAName("lab-pc-12", "harold-pc");

    JsonNode result = triageTheWormsMail();

    assertThat(result.get("summary").asText())
        .startsWith("Sent by lab-pc-07 [" + worm + "], now calling itself harold-pc since");
  }

  @Test
  void aHostnameTwoHostsHoldIsRefusedAsAmbiguousListingBothIds() throws Exception {
    wormTakesAName("lab-pc-12", "lab-pc-12");

    CliRun run = CliRun.run("quarantine", "--db", fleet.db().toString(), "lab-pc-12");

    assertThat(run.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("2 hosts are named 'lab-pc-12'; give the host id").contains(worm).contains(harold);
  }

  @Test
  void aHostnameAnotherHostGaveUpIsRefusedAsAmbiguousListingBothIds() throws Exception {
    fleet.report(fleet.scan(harold, "harold-pc", T0.minus(Duration.ofHours(3)), "10.20.3.12"));
    wormTakesAName("lab-pc-12", "harold-pc");

    CliRun run = CliRun.run("host", "--db", fleet.db().toString(), "harold-pc");

    assertThat(run.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("2 hosts are named 'harold-pc'; give the host id").contains(worm).contains(harold)
        .contains(harold + " now reports lab-pc-12");
  }

  @Test
  void theHostObjectCarriesTheNamesTheHostReportedAndItsEnrolmentName() throws Exception {
    wormTakesAName("lab-pc-12", "lab-pc-12");

    JsonNode host = fleet.hostJson(worm);

    assertThat(host.get("enrolledAs").asText()).isEqualTo("lab-pc-07");
    List<String> names = StreamSupport.stream(host.get("nameHistory").spliterator(), false)
        .map(n -> n.get("name").asText() + (n.get("current").asBoolean() ? " (current)" : " until " + n.get("until").asText()))
        .toList();
    assertThat(names).containsExactly("lab-pc-07 until " + renamed, "lab-pc-12 (current)");
  }

  @Test
  void aHostRenamingOnEveryReportKeepsABoundedHistoryWithItsFirstName() throws Exception {
    fleet.report(fleet.scan(worm, "lab-pc-07", T0, "10.20.3.17"));
    for (int i = 1; i <= 3 * io.labscan.controller.text.NameHistory.MAX_SPANS; i++) {
      fleet.report(fleet.scan(worm, "name-" + i, T0.plusSeconds(60L * i), "10.20.3.17"));
    }
    fleet.importReports();

    JsonNode history = fleet.hostJson(worm).get("nameHistory");

    assertThat(history.size()).isEqualTo(io.labscan.controller.text.NameHistory.MAX_SPANS);
    assertThat(history.get(0).get("name").asText()).isEqualTo("lab-pc-07");
    assertThat(history.get(history.size() - 1).get("name").asText())
        .isEqualTo("name-" + 3 * io.labscan.controller.text.NameHistory.MAX_SPANS);
  }
}
