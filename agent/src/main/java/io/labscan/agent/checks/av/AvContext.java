package io.labscan.agent.checks.av;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.ScanContext;
import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.proto.v1.AvStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a provider may know besides the machine itself.
 *
 * @param root the folder to treat as the system root
 * @param now the collection time every age is measured against (one instant per check run,
 *     so all statuses of one report agree)
 * @param maxAge the policy's age limit for definitions
 * @param earlier statuses already reported by providers that ran before this one, so a
 *     product registry (Security Center) can leave out products a dedicated provider covered
 */
public record AvContext(Path root, Instant now, Duration maxAge, List<AvStatus> earlier) {
  public AvContext {
    requireNonNull(root, "root");
    requireNonNull(now, "now");
    requireNonNull(maxAge, "maxAge");
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive: " + maxAge);
    }
    earlier = List.copyOf(requireNonNull(earlier, "earlier"));
  }

  /** The context of one check run; a policy without an age limit gets the default limit. */
  public static AvContext of(ScanContext scan) {
    requireNonNull(scan, "scan");
    long seconds = scan.policy().getAvMaxAgeSeconds();
    Duration maxAge = seconds > 0 ? Duration.ofSeconds(seconds) : PolicyDefaults.AV_MAX_AGE;
    return new AvContext(scan.root(), scan.clock().instant(), maxAge, List.of());
  }

  public AvContext withEarlier(List<AvStatus> statuses) {
    return new AvContext(root, now, maxAge, statuses);
  }

  /** Whether a provider of this name already reported a status in this run. */
  public boolean reportedBy(String provider) {
    requireNonNull(provider, "provider");
    return earlier.stream().anyMatch(s -> s.getProvider().equals(provider));
  }
}
