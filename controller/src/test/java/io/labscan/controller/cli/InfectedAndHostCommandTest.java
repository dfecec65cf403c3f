package io.labscan.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import io.labscan.controller.TestReports;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.RuleKind;
import io.labscan.testsupport.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfectedAndHostCommandTest {
  @TempDir Path dir;

  /** What {@code labscan-controller args...} printed on standard output; it must succeed. */
  private String run(String... args) {
    return CliRun.run(args).ok().out();
  }

  private void importReports(Report... reports) throws Exception {
    String[] args = new String[reports.length + 3];
    args[0] = "import";
    args[1] = "--db";
    args[2] = dir.resolve("c.db").toString();
    for (int i = 0; i < reports.length; i++) {
      Path f = dir.resolve("r" + i + ".json");
      Files.writeString(f, JsonFormat.printer().print(reports[i]));
      args[i + 3] = f.toString();
    }
    run(args);
  }

  @Test
  void infectedListsTheInfectedHostWithItsReasonAndNotTheCleanOne() throws Exception {
    Instant now = Instant.now();
    String linda = TestReports.newHostId();
    String harold = TestReports.newHostId();
    AvStatus fresh = AvStatus.newBuilder().setProvider("clamav").setState(AvState.AV_STATE_FRESH).build();
    importReports(
        TestReports.fullScan(linda, "lab-pc-07", now, 1, "10.20.3.17").toBuilder().addAv(fresh)
            .addFindings(ArtifactFinding.newBuilder().setRuleId("klez.system.wink-exe")
                .setRuleKind(RuleKind.RULE_KIND_FILE_NAME).setPath("WINDOWS/SYSTEM32/WINKABCD.EXE")).build(),
        TestReports.fullScan(harold, "lab-pc-12", now, 1, "10.20.3.18").toBuilder().addAv(fresh).build());

    JsonNode infected = new ObjectMapper().readTree(run("infected", "--db", dir.resolve("c.db").toString(),
        "--format", "json"));

    assertThat(infected).hasSize(1);
    assertThat(infected.get(0).get("hostname").asText()).isEqualTo("lab-pc-07");
    assertThat(infected.get(0).get("verdict").asText()).isEqualTo("INFECTED");
    assertThat(infected.get(0).get("reasons").get(0).get("text").asText()).contains("WINKABCD.EXE");
    assertThat(run("infected", "--db", dir.resolve("c.db").toString())).contains("lab-pc-07").doesNotContain("lab-pc-12");
  }

  @Test
  void hostShowsInventoryVerdictTimelineAndAddressHistory() throws Exception {
    Instant now = Instant.now();
    String id = TestReports.newHostId();
    importReports(
        TestReports.fullScan(id, "lab-pc-12", now.minusSeconds(7200), 1, "10.20.3.17"),
        TestReports.fullScan(id, "lab-pc-12", now, 2, "10.20.3.40"));

    JsonNode host = new ObjectMapper().readTree(run("host", "--db", dir.resolve("c.db").toString(), "lab-pc-12",
        "--format", "json"));

    assertThat(host.get("hostId").asText()).isEqualTo(id);
    assertThat(host.get("verdict").get("verdict").asText()).isNotEmpty();
    assertThat(host.get("reports")).hasSize(2);
    assertThat(host.get("addressHistory")).hasSize(2);
    assertThat(host.get("addressHistory").get(0).get("ip").asText()).isEqualTo("10.20.3.40");
    assertThat(host.get("addressHistory").get(1).get("current").asBoolean()).isFalse();
    assertThat(run("host", "--db", dir.resolve("c.db").toString(), id)).contains("Address history").contains("10.20.3.17");
  }

  @Test
  void anUnknownHostIsBadInput() throws Exception {
    importReports(TestReports.fullScan(TestReports.newHostId(), "pc", Instant.now(), 1, "10.0.0.1"));
    assertThat(ControllerMain.commandLine().execute("host", "--db", dir.resolve("c.db").toString(), "nope"))
        .isEqualTo(2);
  }

  @Test
  void aHostWhoseReportIsDatedIntoTheFutureShowsASkewedClockAndKeepsTheControllersLastSeen() throws Exception {
    String id = TestReports.newHostId();
    java.time.Instant future = java.time.Instant.now().plus(java.time.Duration.ofHours(3));
    importReports(TestReports.fullScan(id, "lab-pc-12", future, 1, "10.20.3.17"));

    JsonNode host = new ObjectMapper().readTree(run("host", "--db", dir.resolve("c.db").toString(), id,
        "--format", "json"));

    assertThat(host.get("clock").get("flagged").asBoolean()).isTrue();
    assertThat(host.get("clock").get("skewSeconds").asLong()).isGreaterThan(2 * 3600);
    assertThat(java.time.Instant.parse(host.get("lastSeen").asText())).isBefore(future);
    assertThat(run("host", "--db", dir.resolve("c.db").toString(), id)).contains("Clock:       SKEWED:");
  }
}
