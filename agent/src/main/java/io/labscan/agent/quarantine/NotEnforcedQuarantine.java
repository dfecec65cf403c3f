package io.labscan.agent.quarantine;

import io.labscan.contract.quarantine.QuarantineRules;
import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A platform without quarantine enforcement (macOS, others): orders are kept and reported as
 * "not enforced on this platform", nothing is blocked. (macOS would need a pf anchor of the
 * agent's own; pf matches sockets by user too. Not written yet.)
 */
public final class NotEnforcedQuarantine implements QuarantineEnforcer {
  private final String platform;

  public NotEnforcedQuarantine(String platform) {
    this.platform = requireNonNull(platform, "platform");
  }

  @Override
  public boolean enforces() {
    return false;
  }

  @Override
  public String describe() {
    return "not enforced on this platform (" + platform + ")";
  }

  @Override
  public void install(QuarantineRules rules) {
    // nothing to install
  }

  @Override
  public void remove() {
    // nothing to remove
  }

  @Override
  public List<BlockedCount> blockedSoFar() {
    return List.of();
  }
}
