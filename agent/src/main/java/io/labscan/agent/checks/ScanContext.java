package io.labscan.agent.checks;

import static java.util.Objects.requireNonNull;

import io.labscan.proto.v1.Policy;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Everything a check may read besides the machine itself.
 *
 * @param root the folder every filesystem check treats as the system root ({@code /} on a
 *     live scan, a mounted disk such as {@code /mnt/c} for an offline scan)
 * @param liveSystem true when {@code root} is the running system's own root, so live-only
 *     sources (registry, WMI, sockets) describe the same machine
 * @param policy the policy in force, with defaults filled in
 * @param stateDir the agent's own writable folder (caches, previous-scan state)
 * @param clock the clock to date evidence with
 * @param plan what kind of scan this is
 */
public record ScanContext(
    Path root, boolean liveSystem, Policy policy, Path stateDir, Clock clock, ScanPlan plan) {
  public ScanContext {
    requireNonNull(root, "root");
    requireNonNull(policy, "policy");
    requireNonNull(stateDir, "stateDir");
    requireNonNull(clock, "clock");
    requireNonNull(plan, "plan");
  }
}
