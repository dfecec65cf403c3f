package io.labscan.controller.trust;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.controller.TestReports;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ReportAck;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: "every report is stored exactly once whichever controller receives it". An agent
 * whose acknowledgement was lost sends the report again, after failover to another controller;
 * the database (report id primary key), not a controller's memory, decides it is a duplicate.
 */
class ReportStoredOnceAcrossControllersTest {
  @TempDir Path dir;
  private SecureController first;
  private SecureController second;

  @BeforeEach
  void start() {
    first = new SecureController(dir);
    second = new SecureController(dir);
  }

  @AfterEach
  void stop() {
    second.close();
    first.close();
  }

  @Test
  void aReportDeliveredToTwoControllersOnOneDatabaseIsStoredOnce() throws Exception {
    Path state = dir.resolve("agent");
    first.enrol(state, first.token("physics-lab", 1));
    AgentCredentials credentials = AgentCredentials.load(state).orElseThrow();
    String hostId = HostIdentity.loadOrCreate(state);
    Report report = TestReports.fullScan(hostId, "lab-pc-07", Instant.now().truncatedTo(ChronoUnit.MILLIS), 1,
        "10.20.0.7");

    ReportAck toFirst = first.mutualTls(credentials).report(report);
    ReportAck resentToSecond = second.mutualTls(credentials).report(report);

    assertThat(toFirst.getDuplicate()).isFalse();
    assertThat(resentToSecond.getReportId()).isEqualTo(report.getReportId());
    assertThat(resentToSecond.getDuplicate()).as("the second controller found it in the database").isTrue();
    assertThat(second.runtime.store().reports(hostId, 10)).hasSize(1);
  }

  @Test
  void aReportDeliveredTwiceToOneControllerIsStoredOnce() throws Exception {
    Path state = dir.resolve("agent");
    first.enrol(state, first.token("physics-lab", 1));
    AgentCredentials credentials = AgentCredentials.load(state).orElseThrow();
    String hostId = HostIdentity.loadOrCreate(state);
    Report report = TestReports.fullScan(hostId, "lab-pc-07", Instant.now().truncatedTo(ChronoUnit.MILLIS), 1,
        "10.20.0.7");

    first.mutualTls(credentials).report(report);
    ReportAck again = first.mutualTls(credentials).report(report);

    assertThat(again.getDuplicate()).isTrue();
    assertThat(first.runtime.store().reports(hostId, 10)).hasSize(1);
  }
}
