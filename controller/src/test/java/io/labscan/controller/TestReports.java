package io.labscan.controller;

import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import io.labscan.proto.v1.ScanSummary;
import java.time.Instant;
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
}
