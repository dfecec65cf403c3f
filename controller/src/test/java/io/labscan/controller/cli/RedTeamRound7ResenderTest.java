package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.RFC5322;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.candidateIds;
import static io.labscan.testsupport.ImportedFleet.egress;
import static io.labscan.testsupport.ImportedFleet.id;
import static io.labscan.testsupport.ImportedFleet.received;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
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
 * Red-team round 7 of issue #15, finding S5: re-senders. A lab host that re-sends mail (a user's
 * {@code .forward}, a Sieve redirect, a Mailman list) receives the worm's message from the campus
 * MX and hands it back to the MX for the outside; the complaint's chain then shows the lab host as
 * the boundary, and it was recorded. Its own line just below records receipt from our MTA: it is a
 * re-sender, never recorded, and the walk traces past it, to the MX's own earlier hop, when the
 * host that hop names corroborates it with its own reported SMTP to our MTA. A host that forges
 * such a line below its own hop neither clears itself nor gets the host it names recorded.
 */
class RedTeamRound7ResenderTest {
  private static final String PC_IP = "10.20.3.17";
  private static final String SRV = "lab-srv-3.example.net";
  private static final String SRV_IP = "10.20.5.3";

  @TempDir Path dir;
  private ImportedFleet fleet;
  private final Instant worm = T0.plus(Duration.ofHours(2));
  private final String pc = id();
  private final String srv = id();

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /** lab-pc-07's agent reports the worm's burst of unallowed SMTP to the campus MX. */
  private void theWormHostReportsItsSmtpToTheMx() {
    fleet.reporting(pc, "lab-pc-07", PC_IP, worm, egress(worm.minusSeconds(20), "winkabcd.exe", false, MX));
  }

  /** A line written by {@code by} recording the campus MX as its client, for {@code rcpt}. */
  private static String fromTheMx(String by, String rcpt, Instant when) {
    return "Received: from mx.example.net (mx.example.net [" + MX + "])\r\n\tby " + by
        + " (Postfix) with ESMTPS id 3C2B1A\r\n\tfor <" + rcpt + ">; " + RFC5322.format(when);
  }

  /** The MX's own earlier hop: {@code client} handed it the message for {@code rcpt}. */
  private static String mxReceived(String client, String rcpt, Instant when) {
    return "Received: from " + client + "\r\n\tby mx.example.net (" + MX + ") with ESMTP id 9F8E7D\r\n\tfor <"
        + rcpt + ">; " + RFC5322.format(when);
  }

  private boolean recorded(String hostId) {
    return fleet.verdict(hostId).reasons().stream().map(Reason::code).anyMatch("complaint"::equals);
  }

  private static List<String> warnings(JsonNode result) {
    return StreamSupport.stream(result.get("warnings").spliterator(), false).map(JsonNode::asText).toList();
  }

  /** lab-pc-07 → mx → lab-srv-3 (alice's .forward) → mx → outside. */
  private Path forwardedByTheLabServer(String name) throws Exception {
    return fleet.complaintThrough(name, worm,
        received(SRV + " (" + SRV + " [" + SRV_IP + "])", "mx.example.net (" + MX + ")", worm.plusSeconds(4)),
        fromTheMx(SRV, "alice@" + SRV, worm.plusSeconds(3)),
        mxReceived("lab-pc-07 ([" + PC_IP + "])", "alice@" + SRV, worm));
  }

  @Test
  void aForwardingLabServerIsNeverRecordedAndTheWormHostBehindOurMxIsTheCandidate() throws Exception {
    fleet.reporting(srv, "lab-srv-3", SRV_IP, worm, egress(worm.plusSeconds(3), "smtp", false, MX));
    theWormHostReportsItsSmtpToTheMx();
    fleet.importReports();

    JsonNode result = fleet.triage(forwardedByTheLabServer("dot-forward"));

    assertThat(recorded(srv)).as(result.toPrettyString()).isFalse();
    // SUSPECTED at most, for its own Postfix's SMTP that policy does not allow, never for the complaint.
    assertThat(fleet.verdict(srv).verdict()).isNotEqualTo(Verdict.INFECTED);
    assertThat(result.get("origin").get("ip").asText()).isEqualTo(PC_IP);
    assertThat(candidateIds(result)).first().isEqualTo(pc);
    assertThat(candidateIds(result)).doesNotContain(srv);
    assertThat(result.get("summary").asText()).doesNotContain("by lab-srv-3");
  }

  @Test
  void aForwardIsNamedInTheAnswerAsTracedPast() throws Exception {
    fleet.reporting(srv, "lab-srv-3", SRV_IP, worm);
    theWormHostReportsItsSmtpToTheMx();
    fleet.importReports();

    JsonNode result = fleet.triage(forwardedByTheLabServer("dot-forward-named"));

    assertThat(warnings(result)).as(result.toPrettyString()).anySatisfy(w -> assertThat(w)
        .contains(SRV + " re-sent the message it received from mx.example.net").contains("traced past it"));
  }

  @Test
  void aMailingListServerThatReSentTheMessageIsTracedPast() throws Exception {
    // Mailman on lists.lab.example.net: Postfix took the message from the MX, handed it to Mailman,
    // Mailman re-injected it on loopback and Postfix sent it back to the MX for the members.
    String lists = id();
    fleet.reporting(lists, "lists", "10.20.5.4", worm, egress(worm.plusSeconds(30), "smtp", false, MX));
    theWormHostReportsItsSmtpToTheMx();
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaintThrough("mailman", worm,
        received("lists.lab.example.net (lists.lab.example.net [10.20.5.4])", "mx.example.net (" + MX + ")",
            worm.plusSeconds(31)),
        received("localhost (localhost [127.0.0.1])", "lists.lab.example.net (Postfix)", worm.plusSeconds(30)),
        fromTheMx("lists.lab.example.net", "physics@lists.lab.example.net", worm.plusSeconds(2)),
        mxReceived("lab-pc-07 ([" + PC_IP + "])", "physics@lists.lab.example.net", worm)));

    assertThat(recorded(lists)).as(result.toPrettyString()).isFalse();
    assertThat(fleet.verdict(lists).verdict()).isNotEqualTo(Verdict.INFECTED);
    assertThat(result.get("origin").get("ip").asText()).isEqualTo(PC_IP);
    assertThat(candidateIds(result)).first().isEqualTo(pc).isNotEqualTo(lists);
  }

  @Test
  void aForgedReSenderLineDoesNotClearTheWormHostOfItsOwnHop() throws Exception {
    // lab-pc-66 mails the MX itself and writes two lines below its hop: "the MX delivered it to me"
    // and "the MX got it from harold-pc". Nothing Harold's agent reported reaches our MX then.
    String worm66 = id();
    String harold = id();
    fleet.reporting(worm66, "lab-pc-66", "10.20.3.66", worm, egress(worm.minusSeconds(20), "winkabcd.exe", false, MX));
    fleet.reporting(harold, "lab-pc-12", "10.20.3.12", worm);
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaintThrough("forged-resend", worm,
        received("lab-pc-66 (lab-pc-66.lab.example.net [10.20.3.66])", "mx.example.net (" + MX + ")", worm.plusSeconds(4)),
        fromTheMx("lab-pc-66.lab.example.net", "bob@lab-pc-66.lab.example.net", worm.plusSeconds(3)),
        mxReceived("harold-pc ([10.20.3.12])", "bob@lab-pc-66.lab.example.net", worm)));

    assertThat(result.get("origin").get("ip").asText()).as(result.toPrettyString()).isEqualTo("10.20.3.66");
    assertThat(candidateIds(result)).first().isEqualTo(worm66);
    assertThat(candidateIds(result)).doesNotContain(harold);
    assertThat(result.get("summary").asText()).contains("lab-pc-66");
  }

  @Test
  void theInnocentNamedByAForgedLowerLineIsNeverRecorded() throws Exception {
    // As above, and Harold's Outlook did send mail to the MX at that time: the forger names him.
    String worm66 = id();
    String harold = id();
    fleet.reporting(worm66, "lab-pc-66", "10.20.3.66", worm, egress(worm.minusSeconds(20), "winkabcd.exe", false, MX));
    fleet.reporting(harold, "lab-pc-12", "10.20.3.12", worm, egress(worm.minusSeconds(30), "OUTLOOK.EXE", true, MX));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaintThrough("forged-resend-innocent", worm,
        received("lab-pc-66 (lab-pc-66.lab.example.net [10.20.3.66])", "mx.example.net (" + MX + ")", worm.plusSeconds(4)),
        fromTheMx("lab-pc-66.lab.example.net", "bob@lab-pc-66.lab.example.net", worm.plusSeconds(3)),
        mxReceived("harold-pc ([10.20.3.12])", "bob@lab-pc-66.lab.example.net", worm)));

    assertThat(recorded(harold)).as(result.toPrettyString()).isFalse();
    assertThat(fleet.verdict(harold).verdict()).isNotEqualTo(Verdict.INFECTED);
    assertThat(result.get("recordable").asBoolean()).isFalse();
  }
}
