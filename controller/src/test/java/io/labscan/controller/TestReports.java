package io.labscan.controller;

import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import io.labscan.proto.v1.ScanSummary;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Realistic reports built in code. */
public final class TestReports {
  private TestReports() {}

  public static String newHostId() {
    return UUID.randomUUID().toString();
  }

  public static HostInventory inventory(String hostId, String hostname, String... ipv4) {
    return HostInventory.newBuilder()
        .setHostId(hostId)
        .setHostname(hostname)
        .setOsFamily("windows")
        .setOsVersion("Microsoft Windows XP Professional SP1")
        .setAgentVersion("0.1.0")
        .setLab("physics-lab")
        .addInterfaces(NetworkInterface.newBuilder().setName("eth0").setMac("00:0c:29:3e:1a:07")
            .addAllIpv4(java.util.List.of(ipv4)))
        .build();
  }

  /** A finished full scan from {@code hostId} created at {@code at}. */
  public static Report fullScan(String hostId, String hostname, Instant at, long sequence, String... ipv4) {
    return Report.newBuilder()
        .setReportId(UUID.randomUUID().toString())
        .setSequence(sequence)
        .setCreated(Timestamps.fromMillis(at.toEpochMilli()))
        .setInventory(inventory(hostId, hostname, ipv4))
        .setScan(ScanSummary.newBuilder()
            .setScanId(UUID.randomUUID().toString())
            .setKind(ScanKind.SCAN_KIND_FULL)
            .setTrigger("schedule")
            .setStarted(Timestamps.fromMillis(at.minusSeconds(30).toEpochMilli()))
            .setFinished(Timestamps.fromMillis(at.toEpochMilli())))
        .build();
  }

  /** ClamAV with definitions ten hours old, as the agent reports it on a nightly report. */
  public static AvStatus freshClamAv() {
    return AvStatus.newBuilder().setProvider("clamav").setProduct("ClamAV").setEngineVersion("1.0.7")
        .setDefinitionsVersion("27450").setDefinitionsAgeSeconds(36_000).setState(AvState.AV_STATE_FRESH)
        .setReason("daily.cld built 10 hours ago (limit 3 days)").setSource("/var/lib/clamav/daily.cld")
        .build();
  }

  /**
   * {@code count} one-minute SMTP egress windows of a mail client (thunderbird submitting to
   * 192.0.2.25:587, allowed), one each hour before {@code at}, newest first: the egress of a
   * well-behaved lab PC's nightly report.
   */
  public static List<SmtpEgressWindow> mailClientWindows(Instant at, int count) {
    List<SmtpEgressWindow> windows = new ArrayList<>(count);
    for (int w = 0; w < count; w++) {
      Instant start = at.minusSeconds(3_600L * (w + 1));
      windows.add(SmtpEgressWindow.newBuilder()
          .setWindowStart(Timestamps.fromMillis(start.toEpochMilli()))
          .setWindowEnd(Timestamps.fromMillis(start.plusSeconds(60).toEpochMilli()))
          .setPid(4_000 + w).setProcessName("thunderbird").setProcessPath("/usr/lib/thunderbird/thunderbird")
          .setUser("student").setConnections(1).setDistinctDestinations(1)
          .addDestinations(EgressDestination.newBuilder().setIp("192.0.2.25").setPort(587).setConnections(1))
          .setFirstSeen(Timestamps.fromMillis(start.plusSeconds(5).toEpochMilli()))
          .setLastSeen(Timestamps.fromMillis(start.plusSeconds(9).toEpochMilli()))
          .setAllowed(true).setSource("poll")
          .build());
    }
    return windows;
  }
}
