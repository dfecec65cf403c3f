package io.labscan.contract.egress;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import io.labscan.proto.v1.ScanSummary;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Builds the egress-only report the agent sends between scans. */
public final class EgressReports {
  /** {@code ScanSummary.trigger} of egress reports. */
  public static final String TRIGGER = "egress";
  /** {@code ScanSummary.trigger} of the inventory-only report sent when the host's addresses changed. */
  public static final String ADDRESS_CHANGE_TRIGGER = "address-change";

  private EgressReports() {}

  /**
   * A report of kind {@link ScanKind#SCAN_KIND_EGRESS} carrying the inventory (which names
   * the host and says whether the agent ran elevated) and the completed windows.
   */
  public static Report report(HostInventory inventory, List<SmtpEgressWindow> windows, long sequence,
      long policyVersion, Instant now) {
    return report(inventory, windows, sequence, policyVersion, now, TRIGGER);
  }

  /**
   * An egress report without windows: only the inventory, sent when the host's addresses
   * changed, so the controller's address history follows a renumbering within seconds.
   */
  public static Report addressChange(HostInventory inventory, long sequence, long policyVersion, Instant now) {
    return report(inventory, List.of(), sequence, policyVersion, now, ADDRESS_CHANGE_TRIGGER);
  }

  private static Report report(HostInventory inventory, List<SmtpEgressWindow> windows, long sequence,
      long policyVersion, Instant now, String trigger) {
    requireNonNull(inventory, "inventory");
    requireNonNull(windows, "windows");
    requireNonNull(now, "now");
    var stamp = Timestamps.fromMillis(now.toEpochMilli());
    return Report.newBuilder()
        .setReportId(UUID.randomUUID().toString())
        .setSequence(sequence)
        .setCreated(stamp)
        .setInventory(inventory)
        .addAllEgress(windows)
        .setPolicyVersion(policyVersion)
        .setScan(ScanSummary.newBuilder()
            .setScanId(UUID.randomUUID().toString())
            .setKind(ScanKind.SCAN_KIND_EGRESS)
            .setTrigger(trigger)
            .setStarted(windows.stream().map(SmtpEgressWindow::getWindowStart)
                .min(Timestamps.comparator()).orElse(stamp))
            .setFinished(stamp))
        .build();
  }
}
