package io.labscan.agent.checks.egress.windows;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/** The Windows Security event log, as far as the egress watch reads it. */
public interface SecurityAuditLog {
  /** Record id of the newest 5156 event, 0 when there is none. */
  long latestRecordId() throws IOException;

  /**
   * XML of the 5156 events after {@code recordId} (oldest first) for outbound connections to
   * {@code ports}, at most {@code max}.
   */
  List<String> eventsAfter(long recordId, Set<Integer> ports, int max) throws IOException;
}
