package io.labscan.controller.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The hosts as the ingest left them, for the host views, the fleet and triage: their rows,
 * address history, reports, provenance, clock claims, roles and owners. Reports come in
 * through {@link Store}; this is the rest of the host aggregate.
 */
public interface HostRepository {

  /** The role of simulated hosts ({@code labscan-controller demo}): {@link HostSummary#demo()}. */
  String DEMO_ROLE = "demo-data";

  /** Every known host, ordered by hostname. */
  List<HostSummary> hosts();

  Optional<HostSummary> host(String hostId);

  /** Every address interval of a host, newest first. */
  List<AddressInterval> addressHistory(String hostId);

  /** The newest {@code limit} reports of a host, newest first. */
  List<ReportEntry> reports(String hostId, int limit);

  /** The host's imported reports' provenance, newest first, at most {@code limit}. */
  List<ReportImport> imports(String hostId, int limit);

  /** The host's last clock claim; empty when it never made one (or is unknown). */
  Optional<ClockClaim> clockClaim(String hostId);

  /** Payload bytes of the host's reports received since {@code since} (the daily quota after a restart). */
  long reportBytesSince(String hostId, Instant since);

  /** The login names the host last reported as logged in, lower case. */
  List<String> loggedInUsers(String hostId);

  /** The hosts where {@code user} (compared lower-case) is logged in, from their newest inventory. */
  List<String> hostsWithLoggedInUser(String user);

  /** Records that {@code email} belongs to a person who uses {@code hostId}. */
  CompletableFuture<Void> setAddressOwner(String email, String hostId, String source, Instant at);

  /** Gives a host a role ("mail-server" lets it send mail) or takes it away. */
  CompletableFuture<Void> setRole(String hostId, String role, boolean present);

  /** The ids of the hosts that have {@code role}. */
  Set<String> hostsWithRole(String role);

  /** Stores hosts' effective labs (computed by the lab rules), in one transaction; unknown hosts are skipped. */
  CompletableFuture<Void> setEffectiveLabs(Map<String, HostSummary.EffectiveLab> labs);

  /** Records that triage traced a complaint to a host (evidence for its verdict). */
  CompletableFuture<Void> recordComplaintTrace(String complaintId, String hostId, double confidence,
      Instant tracedAt, String originIp, Optional<Instant> originTime, String summary);
}
