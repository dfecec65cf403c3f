package io.labscan.agent.quarantine;

import io.labscan.contract.quarantine.QuarantineRules;
import java.io.IOException;
import java.util.List;

/**
 * One platform's way of blocking outbound SMTP: Linux nftables ({@link NftablesQuarantine}),
 * Windows Firewall ({@link WindowsFirewallQuarantine}), or nothing ({@link NotEnforcedQuarantine},
 * macOS). The rules live in a place the agent owns alone (an nftables table, a named firewall
 * rule group), so installing replaces the agent's own earlier rules and removing touches nothing
 * else.
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

  /** Cumulative refused connection attempts to one destination by one local user. */
  record BlockedCount(String ip, int port, long uid, long attempts) {
    public BlockedCount {
      java.util.Objects.requireNonNull(ip, "ip");
    }

    /** The key attempts are counted under. */
    String key() {
      return ip + "|" + port + "|" + uid;
    }
  }
}
