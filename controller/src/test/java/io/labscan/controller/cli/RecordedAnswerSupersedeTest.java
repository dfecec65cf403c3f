package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.id;
import static io.labscan.testsupport.ImportedFleet.viaRelay;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labscan.controller.verdict.Verdict;
import io.labscan.testsupport.CliRun;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One complaint has one recorded answer (issue 15, red-team round 5, R5): triaging the same
 * complaint again after correcting the configuration (the relay's mail-server role) replaces the earlier, contradicted trace
 * instead of keeping two hosts SUSPECTED; an answer that is not recorded withdraws nothing but
 * says it disagrees; an administrator can withdraw a trace. Fleets built through {@code import}.
 */
class RecordedAnswerSupersedeTest {
  @TempDir Path dir;
  private ImportedFleet fleet;
  private String relay;
  private String sender;
  private Instant worm;

  @BeforeEach
  void aRelayWithAnAgentAndTheLabPcBehindIt() throws Exception {
    fleet = new ImportedFleet(dir);
    relay = id();
    sender = id();
    worm = T0.plus(Duration.ofHours(3));
    // The department relay runs an agent, and nobody has told LabScan yet that it relays mail. The
    // lab PC behind it reports no SMTP egress (its agent has no egress watch): nothing in the fleet
    // shows the relay relayed (with lab-pc-07's own SMTP to the relay reported, the walk would trace
    // past the undeclared relay and never record it, round 7 S1), so the first answer records the
    // relay — the mistake the corrected configuration then supersedes.
    fleet.reporting(relay, "lab-relay", "10.20.0.25", worm)
        .reporting(sender, "lab-pc-07", "10.20.3.17", worm)
        .importReports();
  }

  /** lab-pc-07 → the relay (10.20.0.25) → the MX; {@code eol} is the line end the file is saved with. */
  private Path relayedComplaint(String name, String messageId, String eol) throws Exception {
    return fleet.complaintThrough(name, messageId, eol, worm, viaRelay(worm,
        "relay.lab.example.edu (relay.lab.example.edu [10.20.0.25])", "harold-pc (unknown [10.20.3.17])"));
  }

  private CliRun triage(Path complaint, String... more) {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("triage", "--db", fleet.db().toString(),
        "--trust", "mx.example.net", "--format", "json"));
    args.addAll(java.util.List.of(more));
    args.add(complaint.toString());
    return CliRun.run(args.toArray(String[]::new)).ok();
  }

  /** The reasons of the host's current verdict (its history keeps earlier ones, as it should). */
  private String hostReasons(String hostId) throws Exception {
    return fleet.hostJson(hostId).get("verdict").get("reasons").toString();
  }

  @Test
  void triagingAgainWithACorrectedTrustReplacesTheContradictedTraceAndWarns() throws Exception {
    Path complaint = relayedComplaint("klez-0002", "<KLEZ.0002@PC17>", "\r\n");
    // The first run trusts only the MX: the relay is the client, and it is recorded.
    JsonNode first = new ObjectMapper().readTree(triage(complaint).out());
    assertThat(candidateIds(first)).as(first.toPrettyString()).first().isEqualTo(relay);
    assertThat(fleet.verdict(relay).verdict()).isEqualTo(Verdict.SUSPECTED);

    // The administrator notices and gives the relay the mail-server role (naming its address with
    // --trust would not do: a lab host holding an exact entry's address is a conflict that records
    // nothing, round 6 N0d): the same message now traces to lab-pc-07.
    fleet.mailServerRole(relay);
    CliRun second = triage(complaint);

    assertThat(candidateIds(new ObjectMapper().readTree(second.out()))).first().isEqualTo(sender);
    assertThat(second.err()).contains("warning: this complaint was recorded against lab-relay (" + relay + ")")
        .contains("that trace is withdrawn");
    assertThat(fleet.verdict(relay).verdict()).isNotEqualTo(Verdict.SUSPECTED).isNotEqualTo(Verdict.INFECTED);
    assertThat(hostReasons(relay)).doesNotContain("KLEZ.0002");
    assertThat(hostReasons(sender)).contains("KLEZ.0002");
  }

  @Test
  void theSameMessagePastedWithOtherLineEndsIsTheSameComplaintAndReplacesItsTraceToo() throws Exception {
    triage(relayedComplaint("saved", "<KLEZ.0003@PC17>", "\r\n"));
    assertThat(fleet.verdict(relay).verdict()).isEqualTo(Verdict.SUSPECTED);
    Path pasted = relayedComplaint("saved", "<KLEZ.0003@PC17>", "\n");
    Files.writeString(pasted, Files.readString(pasted, StandardCharsets.US_ASCII).replace("\n", "  \n"),
        StandardCharsets.US_ASCII); // a paste keeps LF and may gain trailing blanks

    fleet.mailServerRole(relay);
    CliRun again = triage(pasted);

    assertThat(again.err()).contains("that trace is withdrawn");
    assertThat(hostReasons(relay)).doesNotContain("KLEZ.0003");
  }

  @Test
  void anotherMailThatReusesTheMessageIdDoesNotWithdrawTheFirstMailsTrace() throws Exception {
    triage(relayedComplaint("first", "<worm-reused-id@pc>", "\r\n"));

    fleet.mailServerRole(relay);
    CliRun other = triage(relayedComplaint("second", "<worm-reused-id@pc>", "\r\n"));

    assertThat(other.err()).doesNotContain("withdrawn");
    assertThat(hostReasons(relay)).contains("worm-reused-id");
    assertThat(hostReasons(sender)).contains("worm-reused-id");
  }

  @Test
  void aTriageThatIsNotRecordedWithdrawsNothingButSaysTheRecordedTraceDisagrees() throws Exception {
    Path complaint = relayedComplaint("klez-0004", "<KLEZ.0004@PC17>", "\r\n");
    triage(complaint);

    fleet.mailServerRole(relay);
    CliRun look = triage(complaint, "--no-record");

    assertThat(look.err()).contains("this complaint is recorded against lab-relay (" + relay + ")")
        .contains("this answer disagrees");
    assertThat(hostReasons(relay)).contains("KLEZ.0004");
  }

  @Test
  void anAdministratorWithdrawsATraceAndTheHostsVerdictIsRecomputed() throws Exception {
    triage(relayedComplaint("klez-0005", "<KLEZ.0005@PC17>", "\r\n"));
    assertThat(fleet.verdict(relay).verdict()).isEqualTo(Verdict.SUSPECTED);

    CliRun withdrawn = CliRun.run("complaint", "withdraw", "--db", fleet.db().toString(), "--host", "lab-relay",
        "--reason", "the relay relays mail", "<KLEZ.0005@PC17>").ok();

    assertThat(withdrawn.out()).contains("Withdrew the trace of complaint <KLEZ.0005@PC17> against " + relay);
    assertThat(fleet.verdict(relay).verdict()).isNotEqualTo(Verdict.SUSPECTED).isNotEqualTo(Verdict.INFECTED);
    assertThat(CliRun.run("complaint", "withdraw", "--db", fleet.db().toString(), "<KLEZ.0005@PC17>").code())
        .isEqualTo(ControllerMain.EXIT_BAD_INPUT);
  }
}
