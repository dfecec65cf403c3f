package io.labscan.controller.faults;

import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.FindingSeverity;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.RuleKind;
import io.labscan.proto.v1.ScanKind;
import io.labscan.proto.v1.ScanSummary;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Scan reports as a lab PC's agent sends them: inventory, ClamAV status, and for an infected
 * machine the Klez files its scan found. The fault tests only need them to be realistic
 * enough to exercise every table the controller writes.
 */
final class FaultReports {
  private FaultReports() {}

  /**
   * A finished quick scan of {@code hostname}, numbered {@code sequence}; {@code findings}
   * Klez artifacts (0 for a clean machine) make it bigger and make the host INFECTED.
   */
  static Report scan(String hostId, String hostname, int hostNumber, long sequence, Instant at, int findings) {
    Report.Builder report = Report.newBuilder()
        .setReportId(UUID.randomUUID().toString())
        .setSequence(sequence)
        .setCreated(Timestamps.fromMillis(at.toEpochMilli()))
        .setPolicyVersion(1)
        .setInventory(HostInventory.newBuilder()
            .setHostId(hostId)
            .setHostname(hostname)
            .setOsFamily("windows")
            .setOsVersion("Microsoft Windows XP Professional SP1")
            .setAgentVersion("0.1.0")
            .setLab("physics-lab")
            .addInterfaces(NetworkInterface.newBuilder().setName("eth0")
                .setMac(String.format("00:0c:29:%02x:%02x:%02x", (hostNumber >> 16) & 0xff, (hostNumber >> 8) & 0xff,
                    hostNumber & 0xff))
                .addIpv4("10.20." + (3 + hostNumber / 250) + "." + (1 + hostNumber % 250))))
        .addAv(AvStatus.newBuilder()
            .setProvider("clamav")
            .setProduct("ClamAV")
            .setEngineVersion("1.0.7")
            .setDefinitionsVersion("27480")
            .setDefinitionsTime(Timestamps.fromMillis(at.minus(Duration.ofHours(20)).toEpochMilli()))
            .setDefinitionsAgeSeconds(Duration.ofHours(20).toSeconds())
            .setState(AvState.AV_STATE_FRESH)
            .setReason("daily.cld built 20 hours ago (limit 3 days)")
            .setSource("/var/lib/clamav/daily.cld"))
        .setScan(ScanSummary.newBuilder()
            .setScanId(UUID.randomUUID().toString())
            .setKind(ScanKind.SCAN_KIND_QUICK)
            .setTrigger("schedule")
            .setRoot("/")
            .setStarted(Timestamps.fromMillis(at.minusSeconds(40).toEpochMilli()))
            .setFinished(Timestamps.fromMillis(at.toEpochMilli()))
            .setFilesScanned(18_000 + sequence));
    for (int i = 0; i < findings; i++) {
      report.addFindings(ArtifactFinding.newBuilder()
          .setRuleId("klez.system.wink-exe")
          .setRuleKind(RuleKind.RULE_KIND_FILE_NAME)
          .setPath("WINDOWS/SYSTEM32/Wink" + Integer.toString(i, 36).toUpperCase() + "QZP.exe")
          .setSize(86_016)
          .setSha256(sha256(hostId + "/" + sequence + "/" + i))
          .setDetail("Klez dropper name in the Windows system folder: " + "x".repeat(400))
          .setRuleSetVersion("builtin-1")
          .setSeverity(FindingSeverity.FINDING_SEVERITY_INFECTION));
    }
    return report.build();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
