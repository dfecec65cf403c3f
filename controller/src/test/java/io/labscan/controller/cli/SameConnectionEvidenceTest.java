package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.confidence;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.util.Timestamps;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictRules;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.SmtpEgressWindow;
import io.labscan.testsupport.CliRun;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, N7: a worm (or a spam bot) that delivers all its copies in ONE SMTP session through
 * the campus MX — one connection, one destination, many {@code RCPT TO} — has the MX's own trusted
 * line and its own egress describing that same connection: shown as such in its verdict and
 * answer, but (after red team round 8) not INFECTED and not recorded on that one connection alone;
 * an innocent PC's one stray connection elsewhere is not even that. Fleets through {@code import}, answers from the
 * real {@code triage} (which records), verdicts as the CLI computes them.
 */
class SameConnectionEvidenceTest {
  @TempDir Path dir;
  private ImportedFleet fleet;

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /** One SMTP session of {@code process}: one connection to {@code server}:{@code port} within a minute. */
  private static SmtpEgressWindow oneSession(Instant start, String process, String server, int port) {
    return SmtpEgressWindow.newBuilder()
        .setWindowStart(Timestamps.fromMillis(start.toEpochMilli()))
        .setWindowEnd(Timestamps.fromMillis(start.plusSeconds(60).toEpochMilli()))
        .setFirstSeen(Timestamps.fromMillis(start.plusSeconds(4).toEpochMilli()))
        .setLastSeen(Timestamps.fromMillis(start.plusSeconds(40).toEpochMilli()))
        .setPid(4242).setProcessName(process).setConnections(1).setDistinctDestinations(1)
        .setAllowed(false).setSource("poll")
        .addDestinations(EgressDestination.newBuilder().setIp(server).setPort(port).setConnections(1))
        .build();
  }

  /** {@code name} holds {@code ip} all day; its report after {@code mail} carries {@code window}. */
  private String hostWith(String name, String ip, Instant mail, SmtpEgressWindow window) throws Exception {
    String host = id();
    fleet.report(fleet.scan(host, name, T0, ip));
    fleet.report(fleet.scan(host, name, mail.plusSeconds(600), ip).addEgress(window));
    fleet.stillReporting(host, name, ip);
    fleet.importReports();
    return host;
  }


  private boolean reason(String hostId, String code) {
    return fleet.verdict(hostId).reasons().stream().map(Reason::code).anyMatch(code::equals);
  }

  @Test
  void aOneSessionWormThroughTheMxIsSuspectedWithTheSameConnectionShown() throws Exception {
    Instant worm = T0.plus(Duration.ofHours(2));
    String linda = hostWith("lab-pc-07", "10.20.3.17", worm, oneSession(worm.minusSeconds(20), "winkabcd.exe", MX, 25));

    JsonNode result = fleet.triage(fleet.complaint("one-session", "10.20.3.17", worm, "harold@lab.example.edu",
        "bob@example.net", "carol@example.org", "dave@example.com"));

    // Recorded (it held the origin); the same connection is shown, but convicts only with a second
    // independent sign (red team round 8: one ordinary connection matched too often).
    assertThat(confidence(result, linda)).isGreaterThanOrEqualTo(0.5);
    assertThat(fleet.verdict(linda).verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(reason(linda, VerdictRules.SAME_CONNECTION)).isTrue();
  }

  @Test
  void aPcWhoseOneStrayConnectionWentElsewhereStaysSuspected() throws Exception {
    Instant worm = T0.plus(Duration.ofHours(2));
    String harold = hostWith("lab-pc-12", "10.20.3.12", worm,
        oneSession(worm.minusSeconds(20), "updater.exe", "198.51.100.7", 25));

    fleet.triage(fleet.complaint("stray", "10.20.3.12", worm, "harold@lab.example.edu", "bob@example.net"));

    assertThat(reason(harold, "complaint")).isTrue();
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(reason(harold, VerdictRules.NOT_WORM_MAILING)).isTrue();
    assertThat(reason(harold, VerdictRules.SAME_CONNECTION)).isFalse();
  }

  @Test
  void aSessionToTheMxHoursAwayFromTheRecordedLineIsNotTheSameConnection() throws Exception {
    Instant worm = T0.plus(Duration.ofHours(2));
    String harold = hostWith("lab-pc-12", "10.20.3.12", worm,
        oneSession(worm.minus(Duration.ofMinutes(50)), "updater.exe", MX, 25));

    fleet.triage(fleet.complaint("far", "10.20.3.12", worm, "harold@lab.example.edu", "bob@example.net"));

    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(reason(harold, VerdictRules.SAME_CONNECTION)).isFalse();
  }

  @Test
  void aProcessThePolicyAllowsNeverCountsAsTheSameConnection() throws Exception {
    Instant worm = T0.plus(Duration.ofHours(2));
    CliRun.run("policy", "--db", fleet.db().toString(), "--allow-process", "outlook.exe").ok();
    String harold = hostWith("lab-pc-12", "10.20.3.12", worm, oneSession(worm.minusSeconds(20), "outlook.exe", MX, 25));

    fleet.triage(fleet.complaint("allowed", "10.20.3.12", worm, "harold@lab.example.edu", "bob@example.net"));

    assertThat(fleet.verdict(harold).verdict()).isNotEqualTo(Verdict.INFECTED);
    assertThat(reason(harold, VerdictRules.SAME_CONNECTION)).isFalse();
  }

  @Test
  void behindANatTheOnlyHostWhoseOneSessionReachedTheMxThenIsShownButNotRecorded() throws Exception {
    Instant worm = T0.plus(Duration.ofHours(2));
    String linda = hostWith("lab-pc-07", "192.168.1.17", worm, oneSession(worm.minusSeconds(20), "winkabcd.exe", MX, 25));

    JsonNode result = fleet.triage(fleet.complaint("nat-one-session", "203.0.113.200", worm, "harold@lab.example.edu",
        "bob@example.net"));

    // An outside sender's mail looks the same to the MX (red team round 8, T1): one connection
    // from the only lab host that mailed the MX then is a capped mention, never recorded.
    assertThat(result.get("candidates").get(0).get("hostId").asText()).isEqualTo(linda);
    assertThat(confidence(result, linda)).isGreaterThan(0).isLessThan(0.5);
    assertThat(fleet.verdict(linda).verdict()).isEqualTo(Verdict.SUSPECTED);
  }

  @Test
  void behindANatTwoHostsThatBothReachedTheMxThenAreATieAndNeitherIsInfected() throws Exception {
    Instant worm = T0.plus(Duration.ofHours(2));
    String linda = hostWith("lab-pc-07", "192.168.1.17", worm, oneSession(worm.minusSeconds(20), "winkabcd.exe", MX, 25));
    String harold = hostWith("lab-pc-12", "192.168.1.12", worm, oneSession(worm.plusSeconds(40), "updater.exe", MX, 25));

    JsonNode result = fleet.triage(fleet.complaint("nat-tie", "203.0.113.200", worm, "harold@lab.example.edu",
        "bob@example.net"));

    assertThat(confidence(result, linda)).isLessThan(0.5);
    assertThat(confidence(result, harold)).isLessThan(0.5);
    assertThat(fleet.verdict(linda).verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.SUSPECTED);
  }
}
