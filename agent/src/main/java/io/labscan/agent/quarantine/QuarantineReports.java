package io.labscan.agent.quarantine;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.egress.EgressReports;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.QuarantineStatus;
import io.labscan.proto.v1.Report;
import java.time.Instant;
import java.util.List;

/** The egress-kind report that carries a quarantine status (and no egress windows). */
public final class QuarantineReports {
  private QuarantineReports() {}

  public static Report report(HostInventory inventory, QuarantineStatus status, long sequence, long policyVersion,
      Instant now) {
    requireNonNull(status, "status");
    return EgressReports.report(inventory, List.of(), sequence, policyVersion, now).toBuilder()
        .setQuarantine(status).build();
  }
}
