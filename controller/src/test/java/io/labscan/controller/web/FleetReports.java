package io.labscan.controller.web;

import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.CheckOutcome;
import io.labscan.proto.v1.CheckResult;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.FindingSeverity;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.RuleKind;
import io.labscan.proto.v1.ScanKind;
import io.labscan.proto.v1.ScanSummary;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Realistic agent reports for dashboard tests: a lab PC with ClamAV, optionally infected or mailing. */
public final class FleetReports {
  private FleetReports() {}

  /** A builder of one host's full-scan report. */
  public static final class Host {
    final String hostId = UUID.randomUUID().toString();
    String hostname;
    String lab = "physics-lab";
    String ip = "10.20.3.17";
    String processName = "svchost.exe";
    String processPath = "C:\\WINDOWS\\SYSTEM32\\svchost.exe";
    String findingPath = "WINDOWS/SYSTEM32/WinkXQZP.exe";
    AvState av = AvState.AV_STATE_FRESH;
    boolean klez;
    boolean mailing;
    long sequence = 1;

    public Host(String hostname) {
      this.hostname = hostname;
    }

    public String hostId() {
      return hostId;
    }

    public Host lab(String lab) {
      this.lab = lab;
      return this;
    }

    public Host ip(String ip) {
      this.ip = ip;
      return this;
    }

    public Host staleDefinitions() {
      this.av = AvState.AV_STATE_STALE;
      return this;
    }

    /** The worm's files in the system folder. */
    public Host infected(String path) {
      this.klez = true;
      this.findingPath = path;
      return this;
    }

    /** Unauthorised outbound SMTP by a process. */
    public Host mailing(String processName, String processPath) {
      this.mailing = true;
      this.processName = processName;
      this.processPath = processPath;
      return this;
    }

    /** A finished full scan created {@code ago} before {@code now}. */
    public Report fullScan(Instant now, Duration ago) {
      Instant at = now.minus(ago);
      Report.Builder r = Report.newBuilder()
          .setReportId(UUID.randomUUID().toString())
          .setSequence(sequence++)
          .setCreated(Timestamps.fromMillis(at.toEpochMilli()))
          .setInventory(HostInventory.newBuilder()
              .setHostId(hostId)
              .setHostname(hostname)
              .setOsFamily("windows")
              .setOsVersion("Microsoft Windows XP Professional SP3")
              .setAgentVersion("0.1.0")
              .setLab(lab)
              .setElevated(true)
              .setArchitecture("x86")
              .addLoggedInUsers("student")
              .addInterfaces(NetworkInterface.newBuilder().setName("eth0").setMac("00:0c:29:3e:1a:07").addIpv4(ip)))
          .addAv(AvStatus.newBuilder()
              .setProvider("clamav")
              .setProduct("ClamAV")
              .setEngineVersion("1.0.7")
              .setDefinitionsVersion("27478")
              .setDefinitionsTime(Timestamps.fromMillis(at.minus(av == AvState.AV_STATE_FRESH
                  ? Duration.ofHours(5) : Duration.ofDays(9)).toEpochMilli()))
              .setState(av)
              .setReason(av == AvState.AV_STATE_FRESH ? "daily.cld built 5 h ago (limit 3 days)"
                  : "daily.cld built 9 days ago (limit 3 days)")
              .setSource("/var/lib/clamav/daily.cld"))
          .setScan(ScanSummary.newBuilder()
              .setScanId(UUID.randomUUID().toString())
              .setKind(ScanKind.SCAN_KIND_FULL)
              .setTrigger("schedule")
              .setStarted(Timestamps.fromMillis(at.minusSeconds(300).toEpochMilli()))
              .setFinished(Timestamps.fromMillis(at.toEpochMilli()))
              .setFilesScanned(48_211)
              .setBytesScanned(3_912_004_113L)
              .addChecks(CheckResult.newBuilder().setCheck("artifacts").setOutcome(CheckOutcome.CHECK_OUTCOME_OK)));
      if (klez) {
        r.addFindings(ArtifactFinding.newBuilder()
            .setRuleId("klez.system.wink-exe")
            .setRuleKind(RuleKind.RULE_KIND_FILE_NAME)
            .setPath(findingPath)
            .setSize(114_688)
            .setSha256("9f1c4a77e0d2b8e7c2f0d3aa4d0c3e1f5b6a7c8d9e0f1a2b3c4d5e6f7a8b9c0d")
            .setDetail("Klez dropper name in the system folder")
            .setSeverity(FindingSeverity.FINDING_SEVERITY_INFECTION));
      }
      if (mailing) {
        r.addEgress(SmtpEgressWindow.newBuilder()
            .setWindowStart(Timestamps.fromMillis(at.minusSeconds(600).toEpochMilli()))
            .setWindowEnd(Timestamps.fromMillis(at.minusSeconds(540).toEpochMilli()))
            .setPid(1312)
            .setProcessName(processName)
            .setProcessPath(processPath)
            .setUser("student")
            .setConnections(37)
            .setDistinctDestinations(2)
            .addDestinations(EgressDestination.newBuilder().setIp("192.0.2.25").setPort(25).setConnections(30))
            .addDestinations(EgressDestination.newBuilder().setIp("198.51.100.7").setPort(25).setConnections(7))
            .setSource("poll"));
      }
      return r.build();
    }
  }
}
