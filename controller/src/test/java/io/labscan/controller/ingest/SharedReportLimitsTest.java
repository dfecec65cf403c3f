package io.labscan.controller.ingest;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.contract.report.ReportLimits;
import io.labscan.controller.TestReports;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import java.time.Clock;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The validator enforces exactly the contract's report limits, so what an agent clips to passes. */
class SharedReportLimitsTest {
  private final ReportValidator validator = new ReportValidator(Clock.systemUTC());

  /** A full scan over the limits in every way the agent can clip: strings, paths, lists, addresses. */
  private static Report overEveryLimit() {
    Report r = TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", Instant.now(), 1, "10.20.3.17");
    NetworkInterface.Builder docker = NetworkInterface.newBuilder().setName("docker0");
    IntStream.range(0, 300).forEach(i -> docker.addIpv4("172.17." + (i / 200) + "." + (i % 200 + 1)));
    Report.Builder b = r.toBuilder().setInventory(r.getInventory().toBuilder().addInterfaces(docker));
    IntStream.range(0, ReportLimits.LIST_LIMITS.get("labscan.v1.Report.findings") + 5).forEach(i -> b.addFindings(
        ArtifactFinding.newBuilder().setRuleId("klez.wink").setPath("C:\\" + "d\\".repeat(3_000) + "WINK.exe")
            .setDetail("y".repeat(ReportLimits.MAX_TEXT + 1))));
    return b.build();
  }

  @Test
  void aReportClippedToTheSharedLimitsPassesTheValidator() {
    Report clipped = ReportLimits.clip(overEveryLimit());

    assertThatCode(() -> validator.validate(clipped)).doesNotThrowAnyException();
  }

  @Test
  void theSameReportUnclippedIsRefused() {
    assertThatThrownBy(() -> validator.validate(overEveryLimit())).isInstanceOf(InvalidReportException.class);
  }

  @Test
  void aStringOneCharacterOverItsSharedLimitIsRefusedNamingTheField() {
    Report r = TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", Instant.now(), 1).toBuilder()
        .addFindings(ArtifactFinding.newBuilder().setRuleId("klez.wink").setPath("p".repeat(ReportLimits.MAX_PATH + 1)))
        .build();

    assertThatThrownBy(() -> validator.validate(r)).isInstanceOf(InvalidReportException.class)
        .hasMessageContaining("report.findings[0].path");
    assertThatCode(() -> validator.validate(ReportLimits.clip(r))).doesNotThrowAnyException();
  }
}
