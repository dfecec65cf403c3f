package io.labscan.contract.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.labscan.contract.egress.EgressReports;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReportLimitsTest {
  private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");
  private static final String DEEP_PATH = "C:\\Users\\janet\\AppData\\Local\\Temp\\"
      + "a\\".repeat(2_600) + "WINKxyz.exe";

  private static HostInventory inventory(NetworkInterface... interfaces) {
    return HostInventory.newBuilder().setHostId("5b3f1f0e-8a51-4d39-9a43-1f0f2c9b7d11").setHostname("lab-pc-07")
        .addAllInterfaces(List.of(interfaces)).build();
  }

  private static SmtpEgressWindow window(String processPath, int destinations) {
    long start = NOW.minusSeconds(60).toEpochMilli();
    SmtpEgressWindow.Builder w = SmtpEgressWindow.newBuilder().setWindowStart(Timestamps.fromMillis(start))
        .setWindowEnd(Timestamps.fromMillis(NOW.toEpochMilli())).setPid(4711).setProcessName("WINKxyz.exe")
        .setProcessPath(processPath).setConnections(destinations).setDistinctDestinations(destinations);
    IntStream.range(0, destinations).forEach(i -> w.addDestinations(
        EgressDestination.newBuilder().setIp("192.0.2." + (i % 250)).setPort(25).setConnections(1)));
    return w.build();
  }

  @Test
  void aReportWithinEveryLimitIsTheVeryReportGiven() {
    Report report = EgressReports.report(inventory(NetworkInterface.newBuilder().setName("eth0")
        .addIpv4("10.20.3.17").build()), List.of(window("C:\\Windows\\Temp\\WINKxyz.exe", 3)), 7, 1, NOW);

    assertThat(ReportLimits.clip(report)).isSameAs(report);
  }

  @Test
  void anOverlongWindowsPathKeepsItsDriveAndFileNameAndTheRestOfTheEgressReport() {
    Report report = EgressReports.report(inventory(), List.of(window(DEEP_PATH, 3), window("C:\\mail.exe", 1)),
        7, 1, NOW);

    Report clipped = ReportLimits.clip(report);

    String path = clipped.getEgress(0).getProcessPath();
    assertThat(path).hasSize(ReportLimits.MAX_PATH).startsWith("C:\\Users\\janet\\").endsWith("\\WINKxyz.exe")
        .contains("\u2026");
    assertThat(clipped.getEgressList()).hasSize(2);
    assertThat(clipped.getEgress(0).getDestinationsList()).isEqualTo(report.getEgress(0).getDestinationsList());
    assertThat(clipped.getEgress(1)).isEqualTo(report.getEgress(1));
    assertThat(clipped.getClipped().getValues()).isEqualTo(1);
    assertThat(clipped.getClipped().getFieldsList()).containsExactly("report.egress.process_path");
  }

  @Test
  void aStringWithoutALimitOfItsOwnIsHeldToTheGeneralOne() {
    Report report = EgressReports.report(inventory(), List.of(), 7, 1, NOW).toBuilder()
        .addFindings(ArtifactFinding.newBuilder().setRuleId("x".repeat(5_000)).setPath("C:\\a.exe")).build();

    Report clipped = ReportLimits.clip(report);

    assertThat(clipped.getFindings(0).getRuleId()).hasSize(ReportLimits.MAX_STRING);
    assertThat(clipped.getFindings(0).getPath()).isEqualTo("C:\\a.exe");
    assertThat(clipped.getClipped().getFieldsList()).containsExactly("report.findings.rule_id");
  }

  @Test
  void aListOverItsLimitKeepsItsFirstElementsAndCountsTheRest() {
    Report report = EgressReports.report(inventory(), List.of(window("C:\\w.exe", 300)), 7, 1, NOW);

    Report clipped = ReportLimits.clip(report);

    assertThat(clipped.getEgress(0).getDestinationsList())
        .isEqualTo(report.getEgress(0).getDestinationsList().subList(0, 256));
    assertThat(clipped.getClipped().getValues()).isEqualTo(44);
    assertThat(clipped.getClipped().getFieldsList()).containsExactly("report.egress.destinations");
  }

  @Test
  void addressesBeyondTheHostLimitAreDroppedFromTheLastInterfaces() {
    NetworkInterface eth0 = NetworkInterface.newBuilder().setName("eth0").addIpv4("10.20.3.17")
        .addIpv6("2001:db8::17").build();
    NetworkInterface.Builder docker = NetworkInterface.newBuilder().setName("docker0");
    IntStream.range(0, 250).forEach(i -> docker.addIpv4("172.17." + (i / 200) + "." + (i % 200 + 1)));
    IntStream.range(0, 50).forEach(i -> docker.addIpv6("fd00::" + Integer.toHexString(i + 1)));
    Report report = EgressReports.addressChange(inventory(eth0, docker.build()), 7, 1, NOW);

    Report clipped = ReportLimits.clip(report);

    assertThat(clipped.getInventory().getInterfaces(0)).isEqualTo(eth0);
    assertThat(clipped.getInventory().getInterfaces(1).getIpv4Count()).isEqualTo(250);
    assertThat(clipped.getInventory().getInterfaces(1).getIpv6Count()).isEqualTo(4);
    assertThat(clipped.getClipped().getValues()).isEqualTo(46);
    assertThat(clipped.getClipped().getFieldsList()).containsExactly("report.inventory.interfaces");
  }

  @Test
  void clippingAnAlreadyClippedReportAddsToItsCount() {
    Report once = ReportLimits.clip(EgressReports.report(inventory(), List.of(window(DEEP_PATH, 1)), 7, 1, NOW));
    Report twice = ReportLimits.clip(once.toBuilder().addEgress(window(DEEP_PATH + "x", 1)).build());

    assertThat(twice.getClipped().getValues()).isEqualTo(2);
    assertThat(twice.getClipped().getFieldsList()).containsExactly("report.egress.process_path");
  }

  @Test
  void shorteningNeverSplitsASurrogatePair() {
    String emoji = "\uD83D\uDCE7"; // one code point, two chars
    String s = emoji.repeat(10);

    String shortened = ReportLimits.shorten(s, 8);

    assertThat(shortened.length()).isLessThanOrEqualTo(8);
    assertThat(shortened.codePoints().noneMatch(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE))
        .as("no lone surrogate").isTrue();
    assertThat(shortened).startsWith(emoji).endsWith(emoji).contains("\u2026");
  }
}
