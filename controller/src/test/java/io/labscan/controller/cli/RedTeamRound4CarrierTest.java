package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.RFC5322;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.confidence;
import static io.labscan.testsupport.ImportedFleet.egress;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.testsupport.CliRun;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team round 4 of issue #15, F3: a worm mailing our MX directly wraps its mail as a carrying
 * message (a Resent- block, a forward) whose carried lines name an innocent lab host, and writes
 * its own user's address in the carrier's Resent-From:/From:. Fleets are built through {@code
 * import}; every answer comes from the real {@code triage} command. The rules: the address the
 * carrier names never shields the host our MTA saw send a mass mailing; and when the carried part
 * is traced, the host our MTA saw hand the carrier in unauthenticated is a candidate ranked at or
 * above every host the carried lines alone name.
 */
class RedTeamRound4CarrierTest {
  @TempDir Path dir;
  private ImportedFleet fleet;
  private final Instant worm = T0.plus(Duration.ofHours(2));
  private final String dave = id();
  private final String harold = id();

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /** lab-pc-07 (Dave's, 10.20.3.17) and lab-pc-12 (Harold's, 10.20.3.12); lab-pc-07 mass-mails when asked. */
  private void campus(boolean wormEgress) throws Exception {
    fleet.report(fleet.scan(dave, "lab-pc-07", T0, "10.20.3.17"));
    var later = fleet.scan(dave, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17");
    if (wormEgress) {
      // Klez's own SMTP engine: 36 connections to six recipients' mail servers in one minute.
      later.addEgress(egress(worm.minusSeconds(30), "wink.exe", false,
          "203.0.113.10", "203.0.113.20", "203.0.113.30", "198.51.100.40", "198.51.100.50", "198.51.100.60"));
    }
    fleet.report(later);
    fleet.report(fleet.scan(harold, "lab-pc-12", T0, "10.20.3.12"));
    fleet.report(fleet.scan(harold, "lab-pc-12", worm.plusSeconds(120), "10.20.3.12"));
    fleet.stillReporting(dave, "lab-pc-07", "10.20.3.17").stillReporting(harold, "lab-pc-12", "10.20.3.12");
    fleet.importReports();
    CliRun.run("owner", "--db", fleet.db().toString(), "dave@lab.example.edu", dave).ok();
    CliRun.run("owner", "--db", fleet.db().toString(), "harold@lab.example.edu", harold).ok();
  }

  /** Our MX's line for lab-pc-07's unauthenticated port-25 session at the worm's time. */
  private String mxLineForLabPc07() {
    return String.join("\r\n",
        "Received: from PC17 (unknown [10.20.3.17])",
        "\tby mx.example.net (" + MX + ") with SMTP id 9A1B2C",
        "\tfor <carol@lab.example.edu>; " + RFC5322.format(worm));
  }

  /** The carried message the worm wrote: a "line of our MX" naming Harold's PC, From: Harold. */
  private String forgedMailOfHarold() {
    return String.join("\r\n",
        "Received: from harold-pc (harold-pc.lab.example.edu [10.20.3.12])",
        "\tby mx.example.net (" + MX + ") with ESMTP id 112233",
        "\tfor <dave@lab.example.edu>; " + RFC5322.format(worm.minusSeconds(71)),
        "From: \"Harold\" <harold@lab.example.edu>",
        "To: dave@lab.example.edu",
        "Subject: a funny game",
        "Date: " + RFC5322.format(worm.minusSeconds(80)),
        "Message-ID: <KLEZ.0004@harold-pc>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "Hi.",
        "");
  }

  private Path redirect(String name, String resentFrom) throws Exception {
    return fleet.write(name, String.join("\r\n",
        mxLineForLabPc07(),
        "Resent-From: " + resentFrom,
        "Resent-To: carol@lab.example.edu",
        "Resent-Date: " + RFC5322.format(worm.minusSeconds(6)),
        "Resent-Message-ID: <" + name + "@lab.example.edu>",
        forgedMailOfHarold()));
  }

  private Path forward(String name, String from) throws Exception {
    return fleet.write(name, String.join("\r\n",
        mxLineForLabPc07(),
        "From: " + from,
        "To: carol@lab.example.edu",
        "Subject: Fwd: a funny game",
        "Date: " + RFC5322.format(worm.minusSeconds(5)),
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"fwd\"",
        "",
        "--fwd",
        "Content-Type: text/plain",
        "",
        "look at this",
        "--fwd",
        "Content-Type: message/rfc822",
        "",
        forgedMailOfHarold(),
        "--fwd--",
        ""));
  }

  // ---- worm-like egress: the direct sender, whatever the carrier's address says -------------

  @Test
  void aMassMailingHostThatWritesItsOwnUsersResentFromIsTheSenderAndTheHostItsForgedLinesNameIsNoCandidate()
      throws Exception {
    campus(true);

    JsonNode result = fleet.triage(redirect("own-resent-from", "dave@lab.example.edu"));

    assertThat(candidateIds(result)).as(result.toPrettyString()).first().isEqualTo(dave);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(result.get("summary").asText()).startsWith("Sent by lab-pc-07 (10.20.3.17)");
  }

  @Test
  void aMassMailingHostThatForwardsItsOwnTextFromItsOwnUsersAddressIsTheSender() throws Exception {
    campus(true);

    JsonNode result = fleet.triage(forward("own-from-forward", "Dave <dave@lab.example.edu>"));

    assertThat(candidateIds(result)).as(result.toPrettyString()).first().isEqualTo(dave);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(result.get("summary").asText()).startsWith("Sent by lab-pc-07 (10.20.3.17)");
  }

  // ---- no egress either way: the direct sender heads the capped answer ---------------------

  @Test
  void anUnauthenticatedRedirectFromALabHostWithoutEgressNamesThatHostAboveTheHostItsCarriedLinesName()
      throws Exception {
    campus(false);

    JsonNode result = fleet.triage(redirect("silent-redirect", "janet@lab.example.edu"));

    assertThat(candidateIds(result)).as(result.toPrettyString()).first().isEqualTo(dave);
    assertThat(confidence(result, dave)).isGreaterThanOrEqualTo(confidence(result, harold));
    assertThat(confidence(result, dave)).isLessThan(0.5);
    assertThat(result.get("recordable").asBoolean()).isFalse();
    assertThat(result.get("summary").asText())
        .startsWith("Possibly sent by lab-pc-07 (10.20.3.17), which handed the carrying message straight to our"
            + " mail server")
        .doesNotContain("sent by lab-pc-12");
  }

  @Test
  void anUnauthenticatedForwardFromALabHostWithoutEgressNamesThatHostAboveTheHostItsCarriedLinesName()
      throws Exception {
    campus(false);

    JsonNode result = fleet.triage(forward("silent-forward", "Janet <janet@lab.example.edu>"));

    assertThat(candidateIds(result)).as(result.toPrettyString()).first().isEqualTo(dave);
    assertThat(confidence(result, dave)).isGreaterThanOrEqualTo(confidence(result, harold));
    assertThat(result.get("summary").asText()).startsWith("Possibly sent by lab-pc-07 (10.20.3.17)");
  }

  @Test
  void theAnswerNeverCallsTheMachineItNamesBothPossibleSenderAndCleanVictimOfAForgedFrom() throws Exception {
    // The redirect carries its own user's Resent-From and no egress shows: the genuine redirect's
    // shape (RedTeamRound3TraceTest), so the carried part is traced, capped; the sentence must
    // not contradict itself about Harold's machine.
    campus(false);

    JsonNode result = fleet.triage(redirect("owner-redirect", "dave@lab.example.edu"));

    String summary = result.get("summary").asText();
    assertThat(summary).as(result.toPrettyString()).doesNotContain("lab-pc-12 is CLEAN");
    assertThat(result.get("recordable").asBoolean()).isFalse();
  }
}
