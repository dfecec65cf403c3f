package io.labscan.controller.cli;

import static io.labscan.testsupport.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import io.labscan.controller.TestReports;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.Report;
import io.labscan.testsupport.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The common case with no --trust at all: lab PC → campus MX → mailbox. The MX runs an agent
 * and an administrator gave it the mail-server role; that is all triage needs to look past
 * the MX to the lab PC. The fleet comes in through {@code import}, as from air-gapped machines.
 */
class ZeroConfigTriageTest {
  @TempDir Path dir;
  // Verdicts judge silence and scan age against the real clock: the story is recent.
  private static final Instant SEEN = Instant.now().minus(40, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
  private static final Instant SENT = SEEN.plus(10, ChronoUnit.MINUTES);
  private static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final String mx = TestReports.newHostId();
  private final String linda = TestReports.newHostId();
  private final String harold = TestReports.newHostId();

  private String db() {
    return dir.resolve("c.db").toString();
  }

  private Path reportFile(String hostId, String hostname, String fqdn, String ip) throws Exception {
    Report r = TestReports.fullScan(hostId, hostname, SEEN, 1, ip);
    r = r.toBuilder().setInventory(r.getInventory().toBuilder().setFqdn(fqdn))
        .addAv(AvStatus.newBuilder().setProvider("clamav").setProduct("ClamAV").setState(AvState.AV_STATE_FRESH))
        .build();
    Path file = dir.resolve(hostname + ".json");
    Files.writeString(file, JsonFormat.printer().print(r), StandardCharsets.UTF_8);
    return file;
  }

  @BeforeEach
  void importTheCampus() throws Exception {
    CliRun imported = run("import", "--db", db(),
        reportFile(mx, "mx1", "mx1.campus.example.edu", "198.51.100.5").toString(),
        reportFile(linda, "lab-pc-07", "lab-pc-07.lab.campus.example.edu", "10.20.3.17").toString(),
        reportFile(harold, "lab-pc-12", "lab-pc-12.lab.campus.example.edu", "10.20.3.18").toString());
    assertThat(imported.code()).as(imported.err()).isZero();
    CliRun owner = run("owner", "--db", db(), "harold@campus.example.edu", "lab-pc-12");
    assertThat(owner.code()).as(owner.err()).isZero();
  }

  private void mailServerRole() {
    CliRun policy = run("policy", "--db", db(), "--mail-server", "mx1");
    assertThat(policy.code()).as(policy.err()).isZero();
  }

  /** Janet's mailbox server received it from the campus MX, which received it from Linda's PC. */
  private Path complaint() throws Exception {
    String text = String.join("\r\n",
        "Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])",
        "\tby mailbox.campus.example.edu (Postfix) with ESMTP id 9A1B2C3D",
        "\tfor <janet@campus.example.edu>; " + RFC5322.format(SENT.plusSeconds(2)),
        "Received: from mx1.campus.example.edu (unknown [10.20.3.17])",
        "\tby mx1.campus.example.edu (Postfix) with SMTP id 4F1E2D",
        "\tfor <janet@campus.example.edu>; " + RFC5322.format(SENT),
        "From: Harold <harold@campus.example.edu>",
        "To: janet@campus.example.edu",
        "Subject: let's be friends",
        "Date: " + RFC5322.format(SENT.minusSeconds(3)),
        "Message-ID: <zero-config@harold-pc>",
        "",
        "A harmless stand-in for the worm's message.",
        "");
    Path file = dir.resolve("complaint.eml");
    Files.writeString(file, text, StandardCharsets.US_ASCII);
    return file;
  }

  private JsonNode triageJson() throws Exception {
    CliRun r = run("triage", "--db", db(), "--format", "json", complaint().toString());
    assertThat(r.code()).as(r.err()).isZero();
    return new ObjectMapper().readTree(r.out());
  }

  @Test
  void withNothingConfiguredTheLabPcBehindTheCampusMxIsNamed() throws Exception {
    mailServerRole();

    JsonNode result = triageJson();

    assertThat(result.get("origin").get("ip").asText()).isEqualTo("10.20.3.17");
    assertThat(result.get("candidates").get(0).get("hostname").asText()).isEqualTo("lab-pc-07");
    JsonNode hops = result.get("complaints").get(0).get("hops");
    assertThat(hops.get(1).get("trust").asText()).isEqualTo("BOUNDARY");
    assertThat(hops.get(1).get("trustSource").asText()).isEqualTo("mail-server role (host mx1, held 198.51.100.5)");
    assertThat(result.get("recordable").asBoolean()).isTrue();
    // The PC's last report came before the mail: the holding then is assumed (red-team round 6, R6).
    assertThat(result.get("summary").asText()).startsWith("Sent by lab-pc-07 (last reported 10.20.3.17 at ")
        .contains(", silent since; assumed to still hold it within the 2 h grace) at ");
  }

  @Test
  void theTableStartsWithTheOneSentenceAnswer() throws Exception {
    mailServerRole();

    CliRun r = run("triage", "--db", db(), "--no-record", complaint().toString());

    assertThat(r.code()).as(r.err()).isZero();
    String first = r.out().lines().findFirst().orElseThrow();
    assertThat(first).startsWith("Sent by lab-pc-07 (last reported 10.20.3.17 at ")
        .contains("assumed to still hold it within the 2 h grace) at " + DateTimeFormatter.ofPattern("HH:mm:ss",
        Locale.ROOT).withZone(ZoneOffset.UTC).format(SENT) + " UTC on ")
        .contains("— confidence medium (0.70).")
        .endsWith("The From: address harold@campus.example.edu is forged: its owner's machine lab-pc-12 is CLEAN.");
    assertThat(r.out()).contains("BOUNDARY", "<- mail-server role (host mx1, held 198.51.100.5)  ** origin")
        .contains("Evidence: not recorded (not asked to)");
  }

  @Test
  void theTrustedAnswerBecomesEvidenceForVerdicts() throws Exception {
    mailServerRole();

    CliRun r = run("triage", "--db", db(), complaint().toString());

    assertThat(r.out()).contains("Evidence: recorded as evidence against 1 host(s)");
    JsonNode infected = new ObjectMapper().readTree(run("infected", "--db", db(), "--format", "json").out());
    assertThat(infected.findValuesAsText("hostname")).contains("lab-pc-07").doesNotContain("lab-pc-12", "mx1");
  }

  @Test
  void withoutTheMailServerRoleTheMxIsTheBoundaryAndNothingIsRecorded() throws Exception {
    CliRun r = run("triage", "--db", db(), "--format", "json", complaint().toString());

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode result = new ObjectMapper().readTree(r.out());
    assertThat(result.get("origin").get("ip").asText()).isEqualTo("198.51.100.5");
    assertThat(result.get("recordable").asBoolean()).isFalse();
    assertThat(result.get("summary").asText()).contains("Unverified");
    assertThat(r.err()).contains("not recorded as evidence: hop 0, which gives the origin, was written by"
        + " mailbox.campus.example.edu, which is not an MTA of ours");
    JsonNode infected = new ObjectMapper().readTree(run("infected", "--db", db(), "--format", "json").out());
    assertThat(infected.findValuesAsText("hostname")).doesNotContain("mx1");
  }
}
