package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.proto.v1.Report;
import io.labscan.testsupport.CliRun;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team round 7 of issue #15, owners inferred from logins (S10b, S13). A login is an agent's
 * claim: another host (a shared lab PC where Janet once logged in, or a worm's agent) may report
 * the recipient's login too. That ambiguity must not switch off what protects the recipient's own
 * machine from the message it received (its address book holds the message's addresses because it
 * received it), and a machine found only through logins is never "its owner's machine". Fleets
 * through {@code import}, answers from the real {@code triage}.
 */
class RedTeamRound7OwnerTest {
  @TempDir Path dir;
  private ImportedFleet fleet;
  private final Instant worm = T0.plus(Duration.ofHours(2));

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /** {@code r} with {@code users} logged in (the inventory's logged_in_users). */
  private static Report.Builder withLogins(Report.Builder r, String... users) {
    return r.setInventory(r.getInventory().toBuilder().clearLoggedInUsers().addAllLoggedInUsers(List.of(users)));
  }

  /**
   * A host reporting {@code ip} all day with {@code users} logged in, its harvested address book
   * {@code harvest} in its first report; returns its id.
   */
  private String host(String name, String ip, List<String> users, String... harvest) {
    String host = id();
    Report.Builder first = withLogins(fleet.scan(host, name, T0, ip), users.toArray(String[]::new));
    fleet.report(harvest.length == 0 ? first : first.setHarvest(fleet.harvest(harvest)));
    fleet.report(withLogins(fleet.scan(host, name, Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS),
        ip), users.toArray(String[]::new)));
    return host;
  }

  /** The worm's host: reports {@code ip} all day and a worm-like mailing to 30 outside MXs at the worm's time. */
  private String wormHost(String name, String ip, List<String> users) {
    String host = id();
    String[] outside = new String[30];
    for (int i = 0; i < outside.length; i++) {
      outside[i] = "203.0.113." + (10 + i);
    }
    fleet.report(withLogins(fleet.scan(host, name, T0, ip), users.toArray(String[]::new)));
    fleet.report(withLogins(fleet.scan(host, name, worm.plusSeconds(120), ip), users.toArray(String[]::new))
        .addEgress(ImportedFleet.egress(worm.minusSeconds(30), "winkabcd.exe", false, outside)));
    fleet.report(withLogins(fleet.scan(host, name, Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS),
        ip), users.toArray(String[]::new)));
    return host;
  }

  // ---- S10(b): the recipient's machine, when another host reports the recipient's login too ----

  @Test
  void theRecipientsMachineIsNotHeadlinedWhenASharedPcAlsoReportsTheRecipientsLogin() throws Exception {
    // Janet received the worm's mail on janet-pc; she once logged in on the shared lab-pc-12 too.
    String janet = host("janet-pc", "10.20.3.21", List.of("janet"), "harold@lab.example.edu", "janet@lab.example.edu");
    String shared = host("lab-pc-12", "10.20.3.12", List.of("janet", "student"));
    fleet.importReports();

    // A visitor's laptop without an agent sent it.
    JsonNode result = fleet.triage(fleet.complaint("to-janet", "10.20.3.200", worm, "harold@lab.example.edu",
        "janet@lab.example.edu"));

    assertThat(ImportedFleet.candidateIds(result)).doesNotContain(janet, shared);
    assertThat(result.get("summary").asText()).doesNotContain("janet-pc").doesNotContain("sent by");
  }

  @Test
  void aWormHostReportingTheRecipientsLoginKeepsItsNetworkEvidence() throws Exception {
    // The worm's agent reports Janet's login to blur her ownership; its own egress still convicts it.
    String janet = host("janet-pc", "10.20.3.21", List.of("janet"), "harold@lab.example.edu", "janet@lab.example.edu");
    String worker = wormHost("lab-pc-07", "10.20.3.17", List.of("janet"));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("from-07", "10.20.3.17", worm, "harold@lab.example.edu",
        "janet@lab.example.edu"));

    assertThat(result.get("summary").asText()).startsWith("Sent by lab-pc-07 (10.20.3.17)");
    assertThat(ImportedFleet.candidateIds(result)).first().isEqualTo(worker);
    assertThat(ImportedFleet.candidateIds(result)).doesNotContain(janet);
  }

  // ---- S13: an owner inferred from logins is not "its owner's machine" ----

  @Test
  void aCleanHostFoundOnlyByLoginsIsNamedAsWhereTheUserLoggedInNotAsTheOwnersMachine() throws Exception {
    String shared = host("lab-pc-12", "10.20.3.12", List.of("harold"));
    wormHost("lab-pc-07", "10.20.3.17", List.of("student"));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("from-07", "10.20.3.17", worm, "harold@lab.example.edu",
        "bob@example.net"));

    String summary = result.get("summary").asText();
    assertThat(summary).startsWith("Sent by lab-pc-07 (10.20.3.17)").contains("lab-pc-12, where harold logged in")
        .doesNotContain("owner's machine").doesNotContain("is forged");
    assertThat(result.get("claimedSenderHost").get("hostId").asText()).isEqualTo(shared);
    assertThat(result.get("claimedSenderHost").get("ownerSource").asText()).isEqualTo("logins");
  }

  @Test
  void aSendingHostFoundOnlyByLoginsIsNeverSaidToBeTheOwnersMachineThatSentIt() throws Exception {
    // The shared PC where harold logged in IS the worm's host: it sent the mail, not "Harold's machine".
    wormHost("lab-pc-12", "10.20.3.12", List.of("harold", "student"));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("from-12", "10.20.3.12", worm, "harold@lab.example.edu",
        "bob@example.net"));

    String summary = result.get("summary").asText();
    assertThat(summary).startsWith("Sent by lab-pc-12 (10.20.3.12)").contains("lab-pc-12, where harold logged in")
        .doesNotContain("owner's").doesNotContain("sent it");
  }

  @Test
  void aMachineAnAdministratorMappedIsStillTheOwnersMachine() throws Exception {
    String harold = host("lab-pc-12", "10.20.3.12", List.of("harold", "student"));
    wormHost("lab-pc-07", "10.20.3.17", List.of("student"));
    fleet.importReports();
    CliRun.run("owner", "--db", fleet.db().toString(), "harold@lab.example.edu", harold).ok();

    JsonNode result = fleet.triage(fleet.complaint("from-07", "10.20.3.17", worm, "harold@lab.example.edu",
        "bob@example.net"));

    assertThat(result.get("summary").asText()).contains("its owner's machine lab-pc-12 is CLEAN");
    assertThat(result.get("claimedSenderHost").get("ownerSource").asText()).isEqualTo("admin");
  }

  // ---- T8: a look-alike name taken during the burst ----

  @Test
  void aWormHostCallingItselfByALookAlikeOfTheFromOwnersNameIsNamedByItsIdAsIsTheOwner() throws Exception {
    String harold = host("lab-pc-12", "10.20.3.12", List.of("harold"));
    String worker = id();
    String lookAlike = "lab\u2010pc\u201012"; // U+2010 HYPHEN, printed like lab-pc-12
    String[] outside = {"203.0.113.10", "203.0.113.11", "203.0.113.12", "203.0.113.13", "203.0.113.14"};
    fleet.report(fleet.scan(worker, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(worker, lookAlike, worm.minusSeconds(60), "10.20.3.17"));
    fleet.report(fleet.scan(worker, lookAlike, worm.plusSeconds(120), "10.20.3.17")
        .addEgress(ImportedFleet.egress(worm.minusSeconds(30), "winkabcd.exe", false, outside)));
    fleet.stillReporting(worker, "lab-pc-07", "10.20.3.17");
    fleet.importReports();
    CliRun.run("owner", "--db", fleet.db().toString(), "harold@lab.example.edu", harold).ok();

    JsonNode result = fleet.triage(fleet.complaint("look-alike", "10.20.3.17", worm, "harold@lab.example.edu",
        "bob@example.net"));

    String summary = result.get("summary").asText();
    assertThat(summary).startsWith("Sent by " + lookAlike + " [" + worker + "]")
        .contains("lab-pc-12 [" + harold + "] is CLEAN");
  }
}
