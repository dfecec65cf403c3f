package io.labscan.agent.quarantine;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.egress.EgressEvent;
import io.labscan.agent.checks.egress.windows.DevicePaths;
import io.labscan.agent.checks.egress.windows.SecurityAuditLog;
import io.labscan.agent.checks.egress.windows.WfpAuditEventParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Counts the attempts the Windows quarantine refused, from Security event 5157 ("The Windows
 * Filtering Platform has blocked a connection"): outbound TCP to the mail ports, blocked by one
 * of <em>our</em> block filters (the event's {@code FilterRTID} is the runtime id the engine gave
 * the filter), per destination and application. The counts are cumulative since the last
 * {@link #restart}, as {@link QuarantineEnforcer#blockedSoFar()} wants them.
 *
 * <p>The log is read from the record after the newest present when counting first started, and
 * from then on after the last record read, so an install in the middle (which restarts the
 * counts) loses no event. Bounded: {@value #MAX_PER_READ} events per read and {@value #MAX_KEYS}
 * distinct keys (a worm spraying addresses stops adding keys, never the blocking). The event's
 * application is an NT device path and untrusted text (the worm chose its file name); it is shown
 * with its drive letter.
 *
 * <p>Nothing is counted unless failure auditing of the Filtering Platform is on
 * ({@code auditpol /set /subcategory:"Filtering Platform Connection" /failure:enable}); then
 * {@link #read} simply finds no events.
 */
final class WfpRefusedAttempts {
  static final int MAX_PER_READ = 2_000;
  static final int MAX_KEYS = 4_096;

  private final SecurityAuditLog auditLog;
  private final Set<Integer> ports;
  private final Supplier<Map<String, String>> volumes;
  private @Nullable Map<String, String> volumeTable;
  private long after = -1;
  private Set<Long> filterIds = Set.of();
  private final Map<String, QuarantineEnforcer.BlockedCount> counts = new LinkedHashMap<>();

  WfpRefusedAttempts(SecurityAuditLog auditLog, Set<Integer> ports, Supplier<Map<String, String>> volumes) {
    this.auditLog = requireNonNull(auditLog, "auditLog");
    this.ports = Set.copyOf(requireNonNull(ports, "ports"));
    this.volumes = requireNonNull(volumes, "volumes");
  }

  /**
   * New filters are in place: counting starts again from zero, for events blocked by
   * {@code blockFilterIds} (when empty, for every refused attempt to the mail ports).
   */
  synchronized void restart(Set<Long> blockFilterIds) {
    counts.clear();
    filterIds = Set.copyOf(requireNonNull(blockFilterIds, "blockFilterIds"));
    if (after < 0) {
      try {
        after = auditLog.latestRecordId(WfpAuditEventParser.BLOCKED);
      } catch (IOException | RuntimeException e) {
        // tried again at the next read
      }
    }
  }

  /** The filters are gone: nothing more to count. */
  synchronized void stop() {
    counts.clear();
    filterIds = Set.of();
  }

  /** Reads the events since the last read and returns the counts since {@link #restart}. */
  synchronized List<QuarantineEnforcer.BlockedCount> read() throws IOException {
    if (after < 0) {
      after = auditLog.latestRecordId(WfpAuditEventParser.BLOCKED);
      return List.copyOf(counts.values());
    }
    List<String> events = auditLog.eventsAfter(WfpAuditEventParser.BLOCKED, after, ports, MAX_PER_READ);
    for (String xml : events) {
      Optional<WfpAuditEventParser.Refused> parsed = WfpAuditEventParser.parseRefused(xml, ports);
      if (parsed.isEmpty()) {
        continue;
      }
      after = Math.max(after, parsed.get().recordId());
      if (parsed.get().attempt().isPresent() && ours(parsed.get())) {
        count(parsed.get().attempt().get());
      }
    }
    return List.copyOf(counts.values());
  }

  private boolean ours(WfpAuditEventParser.Refused r) {
    return filterIds.isEmpty() || filterIds.contains(r.filterRuntimeId());
  }

  private void count(EgressEvent attempt) {
    Map<String, String> table = volumeTable;
    if (table == null) {
      table = Map.copyOf(volumes.get());
      volumeTable = table;
    }
    String path = DevicePaths.toDrivePath(attempt.owner().path(), table);
    String ip = attempt.remote().ip();
    int port = attempt.remote().port();
    var fresh = new QuarantineEnforcer.BlockedCount(ip, port, QuarantineEnforcer.BlockedCount.UNKNOWN_UID, 1, path);
    if (!counts.containsKey(fresh.key()) && counts.size() >= MAX_KEYS) {
      return;
    }
    counts.merge(fresh.key(), fresh, (a, b) -> new QuarantineEnforcer.BlockedCount(a.ip(), a.port(), a.uid(),
        a.attempts() + 1, a.processPath()));
  }

  /** The events read so far: where the next read starts. */
  synchronized long after() {
    return after;
  }

  /** For tests: the keys counted. */
  synchronized List<String> keys() {
    return new ArrayList<>(counts.keySet());
  }
}
