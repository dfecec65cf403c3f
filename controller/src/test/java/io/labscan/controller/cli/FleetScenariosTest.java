package io.labscan.controller.cli;

import static io.labscan.testsupport.CliRun.run;
import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.RFC5322;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.confidence;
import static io.labscan.testsupport.ImportedFleet.egress;
import static io.labscan.testsupport.ImportedFleet.id;
import static io.labscan.testsupport.ImportedFleet.winkFile;
import static io.labscan.testsupport.ImportedFleet.wormMailInInbox;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.SmtpEgressWindow;
import io.labscan.testsupport.CliRun;
import io.labscan.testsupport.ImportedFleet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole fleets built only the way an air-gapped site builds them: agents' report files
 * ({@code labscan-agent scan --out}) imported with {@code labscan-controller import}, then
 * {@code triage} and {@code host} run on the result. Each scenario is one story of issue #15:
 * rankings and verdicts that never blame the innocent, and agents that lie about addresses.
 */
class FleetScenariosTest {
  @TempDir Path dir;
  private ImportedFleet fleet;

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  // ---- scenarios -------------------------------------------------------------------------

  @Test
  void dhcpRenumberingBlamesTheHostThatHeldTheAddressAtTheTimeNotItsLaterHolder() throws Exception {
    String linda = id();
    String harold = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(harold, "lab-pc-12", T0, "10.20.3.18"));
    fleet.report(fleet.scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, MX, "198.51.100.7", "198.51.100.8",
            "203.0.113.9")));
    // DHCP renumbers Linda's PC and hands 10.20.3.17 to Harold's.
    fleet.report(fleet.scan(linda, "lab-pc-07", T0.plus(Duration.ofHours(4)), "10.20.3.99"));
    fleet.report(fleet.scan(harold, "lab-pc-12", T0.plus(Duration.ofHours(4)).plusSeconds(300), "10.20.3.17"));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0.plus(Duration.ofHours(5)), "10.20.3.99"));
    fleet.report(fleet.scan(harold, "lab-pc-12", T0.plus(Duration.ofHours(5)), "10.20.3.17"));
    fleet.stillReporting(linda, "lab-pc-07", "10.20.3.99").stillReporting(harold, "lab-pc-12", "10.20.3.17");
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("dhcp", "10.20.3.17", worm, "harold@lab.example.edu", "janet@lab.example.edu"));

    assertThat(candidateIds(result)).containsExactly(linda);
    assertThat(confidence(result, linda)).isEqualTo(0.925);
    assertThat(result.get("conflicts")).isEmpty();
    assertThat(fleet.verdict(linda).verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(fleet.verdict(harold).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void behindANatTheHostThatSentSmtpToTheRecordingMtaRanksFirst() throws Exception {
    String sender = id();
    String other = id();
    String quiet = id();
    Instant worm = T0.plus(Duration.ofHours(3));
    fleet.report(fleet.scan(sender, "lab-pc-21", worm.plusSeconds(120), "10.20.4.21")
        .addEgress(egress(worm.minusSeconds(20), "winkabcd.exe", false, MX, "198.51.100.7", "198.51.100.8",
            "203.0.113.9")));
    fleet.report(fleet.scan(other, "lab-pc-22", worm.plusSeconds(120), "10.20.4.22")
        .addEgress(egress(worm.minusSeconds(20), "thunderbird.exe", false, "198.51.100.10")));
    fleet.report(fleet.scan(quiet, "lab-pc-23", worm.plusSeconds(120), "10.20.4.23"));
    fleet.importReports();

    // The outside MX saw the lab's NAT address, which no agent reports.
    JsonNode result = fleet.triage(fleet.complaint("nat", "203.0.113.1", worm, "dean@lab.example.edu", "bob@example.net"));

    // lab-pc-22's mail client sent ordinary mail elsewhere then: not this mail, never ranked
    // (issue 15, red-team round 5, R1).
    assertThat(candidateIds(result)).containsExactly(sender);
    assertThat(confidence(result, sender)).isEqualTo(0.70);
    assertThat(confidence(result, other)).isZero();
    assertThat(result.get("warnings").toString()).contains("no host held 203.0.113.1")
        .contains("ordinary mail sending");
  }

  @Test
  void aRelayWithTheMailServerRoleIsNeverACandidateAndItsAllowedEgressScoresNothing() throws Exception {
    String relay = id();
    String sender = id();
    String bystander = id();
    Instant worm = T0.plus(Duration.ofHours(3));
    fleet.report(fleet.scan(relay, "lab-relay", worm.plusSeconds(120), "10.20.0.25")
        .addEgress(egress(worm.minusSeconds(10), "master", true, MX))
        .setHarvest(fleet.harvest("harold@lab.example.edu", "janet@lab.example.edu")));
    fleet.report(fleet.scan(sender, "lab-pc-31", worm.plusSeconds(120), "10.20.3.31")
        .addEgress(egress(worm.minusSeconds(40), "winkabcd.exe", false, "10.20.0.25")));
    fleet.report(fleet.scan(bystander, "lab-pc-32", worm.plusSeconds(120), "10.20.3.32"));
    fleet.stillReporting(relay, "lab-relay", "10.20.0.25");
    fleet.importReports();
    assertThat(run("policy", "--db", fleet.db().toString(), "--mail-server", relay).code()).isZero();

    // The relay is not in --trust, so the MX's line names the relay as the client.
    JsonNode result = fleet.triage(fleet.complaint("relay", "10.20.0.25", worm, "harold@lab.example.edu", "janet@lab.example.edu"));

    assertThat(candidateIds(result)).containsExactly(sender).doesNotContain(relay);
    assertThat(result.get("warnings").toString()).contains("lab-relay (" + relay + "), which has the mail-server role");
    assertThat(result.get("candidates").toString()).doesNotContain("allowed by policy");
    assertThat(fleet.verdict(relay).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void twoInfectedHostsAreEachNamedForTheirOwnComplaintAndBothInfected() throws Exception {
    String first = id();
    String second = id();
    String clean = id();
    Instant one = T0.plus(Duration.ofHours(2));
    Instant two = T0.plus(Duration.ofHours(3));
    fleet.report(fleet.scan(first, "lab-pc-41", T0, "10.20.5.41").addFindings(winkFile()));
    fleet.report(fleet.scan(second, "lab-pc-42", T0, "10.20.5.42").addFindings(winkFile()));
    fleet.report(fleet.scan(clean, "lab-pc-43", T0, "10.20.5.43"));
    fleet.report(fleet.scan(first, "lab-pc-41", one.plusSeconds(120), "10.20.5.41").addFindings(winkFile())
        .addEgress(egress(one.minusSeconds(30), "winkabcd.exe", false, MX)));
    fleet.report(fleet.scan(second, "lab-pc-42", two.plusSeconds(120), "10.20.5.42").addFindings(winkFile())
        .addEgress(egress(two.minusSeconds(30), "winkqzrt.exe", false, MX)));
    fleet.stillReporting(clean, "lab-pc-43", "10.20.5.43");
    fleet.importReports();

    JsonNode a = fleet.triage(fleet.complaint("one", "10.20.5.41", one, "dean@lab.example.edu", "bob@example.net"));
    JsonNode b = fleet.triage(fleet.complaint("two", "10.20.5.42", two, "dean@lab.example.edu", "carol@example.net"));

    assertThat(candidateIds(a)).containsExactly(first);
    assertThat(candidateIds(b)).containsExactly(second);
    assertThat(fleet.verdict(first).verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(fleet.verdict(second).verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(fleet.verdict(clean).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void anOutbreakWithThirtyRecipientsMakesNoneOfThemInfected() throws Exception {
    String sender = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    List<String> recipients = new ArrayList<>();
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String r = id();
      recipients.add(r);
      addresses.add("student" + i + "@lab.example.edu");
      // Each inbox holds the worm's message, its own address and the forged sender's.
      fleet.report(fleet.scan(r, "lab-pc-" + (100 + i), Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS),
          "10.20.6." + (100 + i))
          .addFindings(wormMailInInbox())
          .setHarvest(fleet.harvest("student" + i + "@lab.example.edu", "harold@lab.example.edu")));
    }
    fleet.report(fleet.scan(sender, "lab-pc-50", worm.plusSeconds(120), "10.20.6.50").addFindings(winkFile())
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, MX))
        .setHarvest(fleet.harvest(addresses.toArray(String[]::new))));
    fleet.importReports();
    for (int i = 0; i < 30; i++) {
      assertThat(run("owner", "--db", fleet.db().toString(), addresses.get(i), recipients.get(i)).code()).isZero();
    }

    JsonNode result = fleet.triage(fleet.complaint("outbreak", "10.20.6.50", worm, "harold@lab.example.edu",
        addresses.toArray(String[]::new)));

    assertThat(candidateIds(result).get(0)).isEqualTo(sender);
    assertThat(fleet.verdict(sender).verdict()).isEqualTo(Verdict.INFECTED);
    for (String r : recipients) {
      VerdictRecord v = fleet.verdict(r);
      assertThat(v.verdict()).as(r).isEqualTo(Verdict.AT_RISK);
      assertThat(v.reasons()).extracting(Reason::code).containsExactly("exposure");
      assertThat(confidence(result, r)).isLessThan(0.5);
    }
  }

  @Test
  void aComplaintForwardedByItsRecipientLeavesTheRecipientsMachineExposedNotInfected() throws Exception {
    String linda = id();
    String janet = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    fleet.report(fleet.scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, MX, "198.51.100.7", "198.51.100.8",
            "203.0.113.9"))
        .setHarvest(fleet.harvest("harold@lab.example.edu", "janet@lab.example.edu")));
    // Janet received the worm's mail, which names her and the forged sender, and forwarded it to IT.
    fleet.report(fleet.scan(janet, "lab-pc-09", Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS), "10.20.3.9")
        .addFindings(wormMailInInbox())
        .setHarvest(fleet.harvest("janet@lab.example.edu", "harold@lab.example.edu")));
    fleet.importReports();
    assertThat(run("owner", "--db", fleet.db().toString(), "janet@lab.example.edu", janet).code()).isZero();

    JsonNode result = fleet.triage(fleet.complaint("forwarded", "10.20.3.17", worm, "harold@lab.example.edu",
        "janet@lab.example.edu"));

    assertThat(candidateIds(result).get(0)).isEqualTo(linda);
    assertThat(confidence(result, janet)).isLessThan(0.5);
    assertThat(fleet.verdict(janet).verdict()).isEqualTo(Verdict.AT_RISK);
    assertThat(fleet.verdict(linda).verdict()).isEqualTo(Verdict.INFECTED);
  }

  @Test
  void aWormMailCarryingAForgedForwardIsRecordedAgainstItsSenderNeverAgainstTheHostTheForwardNames()
      throws Exception {
    String linda = id();
    String harold = id();
    Instant worm = T0.plus(Duration.ofHours(2));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    // A mass mailing: 36 SMTP sessions to the MX in the minute. One session would look like a
    // person forwarding a message (issue 15, red-team round 2): then the carried part is traced,
    // capped and never recorded, whatever the process is called.
    SmtpEgressWindow burst = egress(worm.minusSeconds(30), "winkabcd.exe", false, MX).toBuilder()
        .setConnections(36).setDestinations(0, EgressDestination.newBuilder().setIp(MX).setPort(25).setConnections(36))
        .build();
    fleet.report(fleet.scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.17").addEgress(burst));
    fleet.report(fleet.scan(harold, "lab-pc-12", T0, "10.20.3.12"));
    fleet.stillReporting(harold, "lab-pc-12", "10.20.3.12");
    fleet.importReports();
    // The worm mails the MX directly; its text "forwards" a message whose forged Received: line
    // says the MX received it from lab-pc-12 half an hour earlier.
    String boundary = "----=_NextPart_000_0007_01C2A9B1";
    Path mail = dir.resolve("forged-forward.eml");
    Files.writeString(mail, String.join("\r\n",
        "Received: from Wqkrtz (unknown [10.20.3.17])",
        "\tby mx.example.net (" + MX + ") with SMTP id 7A1B2C",
        "\tfor <janet@lab.example.edu>; " + RFC5322.format(worm),
        "From: harold@lab.example.edu",
        "To: janet@lab.example.edu",
        "Subject: Fw: meeting notice",
        "Date: " + RFC5322.format(worm.minusSeconds(2)),
        "Message-ID: <fw-4711@Wqkrtz>",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"",
        "",
        "--" + boundary,
        "Content-Type: text/plain",
        "",
        "This came from lab-pc-12, see the attachment.",
        "",
        "--" + boundary,
        "Content-Type: message/rfc822",
        "",
        "Received: from LAB-PC-12 (unknown [10.20.3.12])",
        "\tby mx.example.net (" + MX + ") with SMTP id 2B7E90",
        "\tfor <janet@lab.example.edu>; " + RFC5322.format(worm.minus(Duration.ofMinutes(30))),
        "From: harold@lab.example.edu",
        "To: janet@lab.example.edu",
        "Subject: meeting notice",
        "Date: " + RFC5322.format(worm.minus(Duration.ofMinutes(30))),
        "",
        "See you at the meeting.",
        "",
        "--" + boundary + "--",
        ""), StandardCharsets.US_ASCII);

    JsonNode result = fleet.triage(mail);

    assertThat(result.get("tracedPart").asText()).isEqualTo("the message itself");
    assertThat(candidateIds(result).get(0)).isEqualTo(linda);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(result.get("recordable").asBoolean()).isTrue();
    assertThat(fleet.verdict(linda).verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(fleet.verdict(harold).verdict()).isNotEqualTo(Verdict.INFECTED).isNotEqualTo(Verdict.SUSPECTED);
  }

  @Test
  void anAgentClaimingAnotherHostsAddressMakesAConflictWithBothHostsCandidates() throws Exception {
    String linda = id();
    String liar = id();
    Instant claim = T0.plus(Duration.ofHours(1));
    Instant worm = T0.plus(Duration.ofHours(2));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.20"));
    fleet.report(fleet.scan(liar, "lab-pc-12", claim, "10.20.3.20"));
    fleet.report(fleet.scan(linda, "lab-pc-07", worm.plusSeconds(120), "10.20.3.20")
        .addEgress(egress(worm.minusSeconds(30), "winkabcd.exe", false, MX)));
    fleet.report(fleet.scan(liar, "lab-pc-12", worm.plusSeconds(180), "10.20.3.20"));
    fleet.report(fleet.scan(linda, "lab-pc-07", Instant.now().minusSeconds(600), "10.20.3.20"));
    fleet.report(fleet.scan(liar, "lab-pc-12", Instant.now().minusSeconds(500), "10.20.3.20"));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("conflict", "10.20.3.20", worm, "harold@lab.example.edu",
        "janet@lab.example.edu"));

    assertThat(candidateIds(result)).containsExactly(linda, liar);
    // Linda's interface held the address before the liar's claim began: the larger share (0.70 · 2/3),
    // with her egress to the MX 0.867; the liar's fresh claim 0.70 · 1/3.
    assertThat(confidence(result, linda)).isEqualTo(0.867);
    assertThat(confidence(result, liar)).isEqualTo(0.233);
    assertThat(result.get("warnings").toString()).contains("10.20.3.20 is claimed by lab-pc-07 (" + linda
        + ") and lab-pc-12 (" + liar + ") since " + claim);
    JsonNode conflict = result.get("conflicts").get(0);
    assertThat(conflict.get("ip").asText()).isEqualTo("10.20.3.20");
    assertThat(conflict.get("since").asText()).isEqualTo(claim.toString());
    for (String host : List.of(linda, liar)) {
      JsonNode view = fleet.hostJson(host);
      assertThat(view.get("addressConflicts").get(0).get("ip").asText()).isEqualTo("10.20.3.20");
      assertThat(view.get("addressConflicts").get(0).get("otherHostId").asText()).isEqualTo(host.equals(linda) ? liar : linda);
      assertThat(view.get("verdict").get("reasons").toString()).contains("address-conflict");
    }
  }

  @Test
  void aSilentHostsReusedAddressRanksTheNewHolderFirstAndTheSilentOneLower() throws Exception {
    String old = id();
    String fresh = id();
    Instant lastWord = T0;
    Instant worm = T0.plus(Duration.ofHours(4));
    // The old PC reports 10.20.3.40 and is switched off; the DHCP lease is later given to another.
    fleet.report(fleet.scan(old, "lab-pc-40", lastWord.minus(Duration.ofHours(1)), "10.20.3.40"));
    fleet.report(fleet.scan(old, "lab-pc-40", lastWord, "10.20.3.40"));
    fleet.report(fleet.scan(fresh, "lab-pc-44", T0.plus(Duration.ofHours(3)), "10.20.3.40"));
    fleet.report(fleet.scan(fresh, "lab-pc-44", worm.plusSeconds(120), "10.20.3.40"));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaint("silent", "10.20.3.40", worm, "harold@lab.example.edu", "janet@lab.example.edu"));

    assertThat(candidateIds(result)).containsExactly(fresh, old);
    assertThat(confidence(result, fresh)).isEqualTo(0.70);
    assertThat(confidence(result, old)).isEqualTo(0.30);
    assertThat(result.get("warnings").toString()).contains("lab-pc-40 (" + old + ")").contains("silent since " + lastWord);
    assertThat(result.get("conflicts")).isEmpty();
  }

  @Test
  void anAmbiguousHostnameIsRefusedListingTheHostIds() throws Exception {
    String one = id();
    String two = id();
    fleet.report(fleet.scan(one, "lab-pc-07", T0, "10.20.3.7"));
    fleet.report(fleet.scan(two, "LAB-PC-07", T0, "10.20.3.8"));
    fleet.importReports();

    for (List<String> command : List.of(List.of("host"), List.of("revoke"), List.of("owner", "linda@lab.example.edu"),
        List.of("policy", "--mail-server"), List.of("policy", "--not-mail-server"))) {
      List<String> args = new ArrayList<>(command.subList(0, 1));
      args.addAll(List.of("--db", fleet.db().toString()));
      args.addAll(command.subList(1, command.size()));
      args.add("lab-pc-07");
      CliRun r = run(args.toArray(String[]::new));
      assertThat(r.code()).as(command + ": " + r.err()).isEqualTo(2);
      assertThat(r.err()).as(command.toString()).contains(one).contains(two);
    }
    assertThat(Optional.of(fleet.hostJson(one).get("hostname").asText())).contains("lab-pc-07");
  }
}
