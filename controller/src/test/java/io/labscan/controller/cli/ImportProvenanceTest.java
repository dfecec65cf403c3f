package io.labscan.controller.cli;

import static io.labscan.testsupport.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.controller.TestReports;
import io.labscan.controller.store.Storage;
import io.labscan.controller.trust.EnrolmentTokens;
import io.labscan.controller.trust.TrustRepository.EnrolledHost;
import io.labscan.proto.v1.Report;
import io.labscan.testsupport.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #16: {@code import} cannot speak for an enrolled host, and every imported report says
 * where it came from. Real SQLite file, real report files, the real command line.
 */
class ImportProvenanceTest {
  @TempDir Path dir;
  private Path db;

  @BeforeEach
  void aDatabaseFile() {
    db = dir.resolve("labscan.db");
  }

  /** A host that enrolled: its agent holds a certificate of the controller CA. */
  private String enrolledHost() {
    String hostId = TestReports.newHostId();
    try (Storage store = Storage.open(db)) {
      EnrolmentToken token = new EnrolmentTokens(store, "q0bV3Q6mI0H2p4m2s7pYqv0wX3b1c8n9z5k4j6h7g8f")
          .issue("", Duration.ofHours(1), 1, Instant.now());
      store.redeem(token.tokenId(), token.secretHash(), new EnrolledHost(hostId, "lab-pc-12", "7c1d",
          Instant.now().plus(Duration.ofDays(365))), Instant.now()).join();
    }
    return hostId;
  }

  private Path reportFile(String name, String hostId, String hostname) throws Exception {
    Report report = TestReports.fullScan(hostId, hostname, Instant.now(), 3, "10.20.3.12");
    Path file = dir.resolve(name);
    Files.writeString(file, JsonFormat.printer().print(report), StandardCharsets.UTF_8);
    return file;
  }

  private long reports() {
    try (Storage store = Storage.open(db)) {
      return store.reportCount();
    }
  }

  @Test
  void aReportFileForAnEnrolledHostIsRefusedNamingTheFileAndTheHostAndNothingIsImported() throws Exception {
    String victim = enrolledHost();
    Path forged = reportFile("clean-for-lab-pc-12.json", victim, "lab-pc-12");
    Path honest = reportFile("air-gapped.json", TestReports.newHostId(), "air-gapped-03");

    CliRun run = run("import", "--db", db.toString(), honest.toString(), forged.toString());

    assertThat(run.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run.err())
        .contains(forged.toString())
        .contains("host " + victim + " is enrolled")
        .contains("--allow-enrolled")
        .contains("nothing imported");
    assertThat(reports()).isZero();
  }

  @Test
  void anAdminMayImportAReportForAnEnrolledHostWithAllowEnrolled() throws Exception {
    String host = enrolledHost();
    Path file = reportFile("carried.json", host, "lab-pc-12");

    CliRun run = run("import", "--db", db.toString(), "--allow-enrolled", file.toString());

    assertThat(run.code()).isZero();
    assertThat(reports()).isEqualTo(1);
  }

  @Test
  void anImportedReportSaysWhoImportedItFromWhichFileInTheHostCommand() throws Exception {
    String hostId = TestReports.newHostId();
    Path file = reportFile("air-gapped-03.json", hostId, "air-gapped-03");
    assertThat(run("import", "--db", db.toString(), file.toString()).code()).isZero();
    String user = System.getProperty("user.name");
    String expected = "imported from " + file.toAbsolutePath().normalize() + " by " + user + " at ";

    CliRun jsonRun = run("host", "--db", db.toString(), "--format", "json", hostId);
    assertThat(jsonRun.code()).isZero();
    JsonNode json = new ObjectMapper().readTree(jsonRun.out());
    CliRun tableRun = run("host", "--db", db.toString(), hostId);
    assertThat(tableRun.code()).isZero();
    String table = tableRun.out();

    assertThat(json.get("reports").get(0).get("provenance").asText()).startsWith(expected);
    assertThat(json.get("imports").get(0).get("importedBy").asText()).isEqualTo(user);
    assertThat(Instant.parse(json.get("imports").get(0).get("at").asText())).isBefore(Instant.now().plusSeconds(1));
    assertThat(table).contains("Imported reports").contains(expected);
  }
}
