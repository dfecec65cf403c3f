package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.MX;
import static io.labscan.testsupport.ImportedFleet.RFC5322;
import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.confidence;
import static io.labscan.testsupport.ImportedFleet.egress;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.verdict.Reason;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #15, red-team round 9, F1 and F5: "held the address at the mail's time" must rest on
 * reports that cover that time. F1: a holding extends past a host's report only up to the holding
 * grace; a longer gap between two reports is silence whatever the later report says (a PC switched
 * off for the evening, whose address DHCP gave to a visitor or a worm borrowed). F5: the origin's
 * time is an interval when the trusted lines' dates are missing or disagree; when the address
 * changed hands inside it, no holder is recorded.
 */
class RedTeamRound9HoldingTimeTest {
  @TempDir Path dir;
  private ImportedFleet fleet;
  private String bystander;

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
    bystander = id();
    fleet.report(fleet.scan(bystander, "lab-pc-12", T0, "10.20.3.12"));
    fleet.stillReporting(bystander, "lab-pc-12", "10.20.3.12");
  }

  private static Instant fiveMinutesAgo() {
    return Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS);
  }

  private boolean complaintRecorded(String hostId) {
    return fleet.verdict(hostId).reasons().stream().map(Reason::code).anyMatch("complaint"::equals);
  }

  private static String mxLine(String clientIp, String helo, Instant when) {
    return "Received: from " + helo + " (unknown [" + clientIp + "])\r\n\tby mx.example.net (" + MX
        + ") with SMTP id 4F1E2D\r\n\tfor <bob@example.net>; " + RFC5322.format(when);
  }

  private static String warnings(JsonNode result) {
    return StreamSupport.stream(result.get("warnings").spliterator(), false).map(JsonNode::asText)
        .reduce("", (a, b) -> a + "\n" + b);
  }

  private void assertNotBlamed(JsonNode result, String hostId, String name) {
    assertThat(result.get("summary").asText()).as(result.toPrettyString()).doesNotContain("Sent by " + name);
    assertThat(confidence(result, hostId)).as(result.toPrettyString()).isLessThan(0.5);
    assertThat(complaintRecorded(hostId)).as(result.toPrettyString()).isFalse();
  }

  // ---- F1: a gap between two reports longer than the grace is silence -------------------------

  @Test
  void aPcSilentForHoursThatLaterReportsAnotherAddressIsNotRecordedForMailFromItsOldAddress() throws Exception {
    String pc40 = id();
    Instant mail = T0.plus(Duration.ofHours(4));
    fleet.report(fleet.scan(pc40, "lab-pc-40", T0, "10.20.5.40"));
    fleet.report(fleet.scan(pc40, "lab-pc-40", mail.minus(Duration.ofHours(3)), "10.20.5.40"));
    fleet.report(fleet.scan(pc40, "lab-pc-40", fiveMinutesAgo(), "10.20.5.77"));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaintThrough("visitor", mail, mxLine("10.20.5.40", "VISITOR-PC", mail)));

    assertNotBlamed(result, pc40, "lab-pc-40");
    assertThat(confidence(result, pc40)).as(result.toPrettyString()).isLessThanOrEqualTo(0.30);
  }

  @Test
  void aSwitchedOffPcThatGetsItsAddressBackHoursLaterIsNotRecordedForMailSentWhileItWasOff() throws Exception {
    String pc44 = id();
    Instant mail = T0.plus(Duration.ofHours(3));
    fleet.report(fleet.scan(pc44, "lab-pc-44", T0, "10.20.3.44"));
    fleet.report(fleet.scan(pc44, "lab-pc-44", mail.minus(Duration.ofMinutes(150)), "10.20.3.44"));
    fleet.report(fleet.scan(pc44, "lab-pc-44", fiveMinutesAgo(), "10.20.3.44"));
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaintThrough("spoof", mail, mxLine("10.20.3.44", "lab-pc-44", mail)));

    assertNotBlamed(result, pc44, "lab-pc-44");
    assertThat(confidence(result, pc44)).as(result.toPrettyString()).isLessThanOrEqualTo(0.30);
  }

  @Test
  void aHoldingWhoseReportsAreWithinTheGraceOfTheMailOnBothSidesIsStillRecorded() throws Exception {
    String pc07 = id();
    Instant mail = T0.plus(Duration.ofHours(3));
    fleet.report(fleet.scan(pc07, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(pc07, "lab-pc-07", mail.minus(Duration.ofMinutes(50)), "10.20.3.17"));
    fleet.report(fleet.scan(pc07, "lab-pc-07", mail.plus(Duration.ofMinutes(50)), "10.20.3.77"));
    fleet.stillReporting(pc07, "lab-pc-07", "10.20.3.77");
    fleet.importReports();

    JsonNode result = fleet.triage(fleet.complaintThrough("held", mail, mxLine("10.20.3.17", "harold-pc", mail)));

    assertThat(confidence(result, pc07)).as(result.toPrettyString()).isGreaterThanOrEqualTo(0.7);
    assertThat(complaintRecorded(pc07)).as(result.toPrettyString()).isTrue();
  }

  // ---- F5: an uncertain origin time spanning a change of hands records nobody ------------------

  /** lab-pc-30 holds 10.20.3.17 until {@code moved}, lab-pc-07 from then on (DHCP). */
  private String[] dhcpMoves17(Instant moved) {
    String pc30 = id();
    String pc07 = id();
    fleet.report(fleet.scan(pc30, "lab-pc-30", T0, "10.20.3.17"));
    fleet.report(fleet.scan(pc30, "lab-pc-30", moved.minus(Duration.ofMinutes(5)), "10.20.3.17"));
    fleet.report(fleet.scan(pc30, "lab-pc-30", moved, "10.20.3.30"));
    fleet.report(fleet.scan(pc30, "lab-pc-30", fiveMinutesAgo(), "10.20.3.30"));
    fleet.report(fleet.scan(pc07, "lab-pc-07", T0, "10.20.3.99"));
    fleet.report(fleet.scan(pc07, "lab-pc-07", moved.plusSeconds(10), "10.20.3.17"));
    fleet.stillReporting(pc07, "lab-pc-07", "10.20.3.17");
    return new String[] {pc30, pc07};
  }

  @Test
  void aSlowMxClockDisagreeingWithTheMailboxLineAcrossADhcpChangeRecordsNobody() throws Exception {
    Instant mail = T0.plus(Duration.ofHours(2));
    String[] pcs = dhcpMoves17(mail.minus(Duration.ofMinutes(32)));
    fleet.importReports();
    String top = "Received: from mx.example.net (mx.example.net [" + MX + "])\r\n\tby mailbox.example.net (Postfix)"
        + " with ESMTP id 77AA\r\n\tfor <bob@example.net>; " + RFC5322.format(mail.plusSeconds(2));
    String mx = mxLine("10.20.3.17", "harold-pc", mail.minus(Duration.ofHours(1)));

    JsonNode result = fleet.triage(fleet.complaintThrough("skew", mail, top, mx),
        "mailbox.example.net", MX);

    assertNotBlamed(result, pcs[0], "lab-pc-30");
    assertNotBlamed(result, pcs[1], "lab-pc-07");
    assertThat(confidence(result, pcs[1])).as(result.toPrettyString()).isGreaterThan(0);
    assertThat(warnings(result)).as(result.toPrettyString()).contains("10.20.3.17 changed hands between")
        .contains("the origin's time is uncertain").contains("not recorded");
  }

  @Test
  void anUnreadableBoundaryDateWithTheMailQueuedForHoursAcrossADhcpChangeRecordsNobody() throws Exception {
    Instant mail = T0.plus(Duration.ofHours(1));
    Instant moved = mail.plus(Duration.ofHours(1));
    String pc07 = id();
    String pc30 = id();
    String relay = id();
    fleet.report(fleet.scan(pc07, "lab-pc-07", T0, "10.20.3.17"));
    fleet.report(fleet.scan(pc07, "lab-pc-07", mail.plusSeconds(120), "10.20.3.17")
        .addEgress(egress(mail.minusSeconds(30), "wink.exe", false, "10.20.0.40", "198.51.100.1", "198.51.100.2")));
    fleet.report(fleet.scan(pc07, "lab-pc-07", moved, "10.20.3.77"));
    fleet.stillReporting(pc07, "lab-pc-07", "10.20.3.77");
    fleet.report(fleet.scan(pc30, "lab-pc-30", T0, "10.20.3.30"));
    fleet.report(fleet.scan(pc30, "lab-pc-30", moved.plusSeconds(30), "10.20.3.17"));
    fleet.stillReporting(pc30, "lab-pc-30", "10.20.3.17");
    for (Instant at : new Instant[] {T0, fiveMinutesAgo()}) {
      var scan = fleet.scan(relay, "relay", at, "10.20.0.40");
      fleet.report(scan.setInventory(scan.getInventory().toBuilder().setFqdn("relay.lab.example.edu")));
    }
    fleet.importReports();
    fleet.mailServerRole(relay);
    String top = "Received: from relay.lab.example.edu (relay.lab.example.edu [10.20.0.40])\r\n\tby mx.example.net ("
        + MX + ") with ESMTP id 5E6F\r\n\tfor <bob@example.net>; " + RFC5322.format(mail.plus(Duration.ofHours(3)));
    String low = "Received: from PC07 (unknown [10.20.3.17])\r\n\tby relay.lab.example.edu (Postfix) with SMTP id 7F3E"
        + "\r\n\tfor <bob@example.net>; Xyz, 99 Foo 2026 99:99:99";

    JsonNode result = fleet.triage(fleet.complaintThrough("queued", mail, top, low));

    assertNotBlamed(result, pc30, "lab-pc-30");
    assertThat(warnings(result)).as(result.toPrettyString()).contains("10.20.3.17 changed hands between")
        .contains("not recorded");
  }

  @Test
  void aChainWithConsistentDatesStillRecordsTheHolderAtTheMailsTime() throws Exception {
    Instant mail = T0.plus(Duration.ofHours(2));
    String[] pcs = dhcpMoves17(mail.minus(Duration.ofMinutes(32)));
    fleet.importReports();
    String top = "Received: from mx.example.net (mx.example.net [" + MX + "])\r\n\tby mailbox.example.net (Postfix)"
        + " with ESMTP id 77AA\r\n\tfor <bob@example.net>; " + RFC5322.format(mail.plusSeconds(2));
    String mx = mxLine("10.20.3.17", "harold-pc", mail);

    JsonNode result = fleet.triage(fleet.complaintThrough("normal", mail, top, mx),
        "mailbox.example.net", MX);

    assertThat(result.get("summary").asText()).as(result.toPrettyString()).startsWith("Sent by lab-pc-07");
    assertThat(complaintRecorded(pcs[1])).as(result.toPrettyString()).isTrue();
    assertThat(confidence(result, pcs[0])).as(result.toPrettyString()).isZero();
  }
}
