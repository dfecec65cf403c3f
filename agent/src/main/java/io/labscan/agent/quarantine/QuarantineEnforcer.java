package io.labscan.agent.quarantine;

import io.labscan.contract.quarantine.QuarantineRules;
import java.io.IOException;
import java.util.List;

/**
 * One platform's way of blocking outbound SMTP: Linux nftables ({@link NftablesQuarantine}),
 * the Windows Filtering Platform ({@link WfpQuarantine}), or nothing ({@link
 * NotEnforcedQuarantine}, macOS). The rules live in a place the agent owns alone (an nftables
 * table; WFP filters of the agent's own provider and sublayer), so installing replaces the
 * agent's own earlier rules and removing touches nothing else.
 */
public interface QuarantineEnforcer {
  /** True when this platform enforces at all; false: the quarantine is reported "not enforced". */
  boolean enforces();

  /** Where the rules live, for the report ("nftables table inet labscan_quarantine"), or why none. */
  String describe();

  /** Installs the rules, replacing the agent's earlier ones in one step. */
  void install(QuarantineRules rules) throws IOException;

  /** Removes the agent's rules; succeeds when there are none. */
  void remove() throws IOException;

  /**
   * The attempts blocked so far by the rules in place, cumulative since they were installed
   * (empty where the platform cannot count them).
   */
  List<BlockedCount> blockedSoFar() throws IOException;

  /**
   * Cumulative refused connection attempts to one destination by one local user (Linux: the
   * rule sees the socket's uid) or one program (Windows: event 5157 names the application).
   *
   * @param uid the local user, {@link #UNKNOWN_UID} when the platform does not tell it
   * @param processPath the executable that tried, empty when the platform does not tell it
   */
  record BlockedCount(String ip, int port, long uid, long attempts, String processPath) {
    /** The uid of an attempt whose user the platform does not tell (Windows). */
    public static final long UNKNOWN_UID = -1;

    public BlockedCount {
      java.util.Objects.requireNonNull(ip, "ip");
      java.util.Objects.requireNonNull(processPath, "processPath");
    }

    /** An attempt by a local user, program unknown (Linux). */
    public BlockedCount(String ip, int port, long uid, long attempts) {
      this(ip, port, uid, attempts, "");
    }

    /** The key attempts are counted under. */
    String key() {
      return ip + "|" + port + "|" + uid + "|" + processPath;
    }
  }
}
