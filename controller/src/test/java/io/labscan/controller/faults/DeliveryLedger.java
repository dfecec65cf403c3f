package io.labscan.controller.faults;

import io.grpc.Status;
import io.labscan.contract.transport.Unavailability;
import io.labscan.controller.grpc.DatabaseUnavailability;
import io.labscan.proto.v1.Report;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the agents of one test produced and what the controller told them: every report id
 * spooled, every acknowledgement any client received (recorded as the ack message arrives,
 * before the client acts on it), and the statuses of refused Report calls.
 */
final class DeliveryLedger {
  /** Distinct refusal descriptions kept, so a retry storm cannot fill the heap. */
  private static final int MAX_DESCRIPTIONS = 200;

  private final Map<String, String> produced = new ConcurrentHashMap<>();
  private final Set<String> acked = ConcurrentHashMap.newKeySet();
  private final AtomicLong findings = new AtomicLong();
  private final AtomicLong acks = new AtomicLong();
  private final AtomicLong duplicateAcks = new AtomicLong();
  private final Map<Status.Code, AtomicLong> refusals = new ConcurrentHashMap<>();
  private final AtomicLong databaseRefusals = new AtomicLong();
  private final Set<String> refusalDescriptions = new ConcurrentSkipListSet<>();

  void produced(Report report) {
    if (produced.put(report.getReportId(), report.getInventory().getHostId()) == null) {
      findings.addAndGet(report.getFindingsCount());
    }
  }

  void acked(String reportId, boolean duplicate) {
    acked.add(reportId);
    acks.incrementAndGet();
    if (duplicate) {
      duplicateAcks.incrementAndGet();
    }
  }

  /** A refusal with its trailers: one saying the controller's database is unreachable is counted too. */
  void refused(Status status, io.grpc.Metadata trailers) {
    if (Unavailability.DATABASE.equals(trailers.get(DatabaseUnavailability.KEY))) {
      databaseRefusals.incrementAndGet();
    }
    refused(status);
  }

  /** Report calls refused with {@code labscan-unavailable: database} (the controller's database unreachable). */
  long databaseRefusals() {
    return databaseRefusals.get();
  }

  void refused(Status status) {
    refusals.computeIfAbsent(status.getCode(), c -> new AtomicLong()).incrementAndGet();
    if (refusalDescriptions.size() < MAX_DESCRIPTIONS) {
      refusalDescriptions.add(status.getCode() + ": " + status.getDescription());
    }
  }

  /** Report id to host id of every report the agents produced. */
  Map<String, String> produced() {
    return Map.copyOf(produced);
  }

  int producedCount() {
    return produced.size();
  }

  /** Artifact findings in all reports produced. */
  long producedFindings() {
    return findings.get();
  }

  /** Distinct report ids acknowledged at least once. */
  Set<String> acked() {
    return Set.copyOf(acked);
  }

  /** Acknowledgements received, repeats included. */
  long acks() {
    return acks.get();
  }

  /** Acknowledgements saying the controller already held the report (a resend after a lost ack). */
  long duplicateAcks() {
    return duplicateAcks.get();
  }

  long refusals(Status.Code code) {
    AtomicLong n = refusals.get(code);
    return n == null ? 0 : n.get();
  }

  /** "CODE: description" of refused Report calls (the first {@value #MAX_DESCRIPTIONS} distinct ones). */
  Set<String> refusalDescriptions() {
    return Set.copyOf(refusalDescriptions);
  }

  @Override
  public String toString() {
    return "produced " + produced.size() + ", acked " + acked.size() + " (" + acks.get() + " acks, "
        + duplicateAcks.get() + " duplicate), refusals " + refusals;
  }
}
