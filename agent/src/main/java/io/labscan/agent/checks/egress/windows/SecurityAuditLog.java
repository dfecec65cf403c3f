package io.labscan.agent.checks.egress.windows;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * The Windows Security event log, as far as the agent reads it: the Filtering Platform's
 * connection events, 5156 (permitted, the egress watch) and 5157 (blocked, the quarantine's
 * refused attempts).
 */
public interface SecurityAuditLog {
  /** Record id of the newest event {@code eventId}, 0 when there is none. */
  long latestRecordId(int eventId) throws IOException;

  /**
   * XML of the events {@code eventId} after {@code recordId} (oldest first) for outbound TCP
   * connections to {@code ports}, at most {@code max}.
   */
  List<String> eventsAfter(int eventId, long recordId, Set<Integer> ports, int max) throws IOException;

  /** Record id of the newest 5156 event, 0 when there is none. */
  default long latestRecordId() throws IOException {
    return latestRecordId(WfpAuditEventParser.PERMITTED);
  }

  /** XML of the 5156 events after {@code recordId}, as {@link #eventsAfter(int, long, Set, int)}. */
  default List<String> eventsAfter(long recordId, Set<Integer> ports, int max) throws IOException {
    return eventsAfter(WfpAuditEventParser.PERMITTED, recordId, ports, max);
  }

  /** The Security log of this machine, through the Windows Event Log API. */
  static SecurityAuditLog system() {
    return new WevtapiSecurityAuditLog();
  }
}
