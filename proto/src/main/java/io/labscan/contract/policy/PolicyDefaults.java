package io.labscan.contract.policy;

import static java.util.Objects.requireNonNull;

import io.labscan.proto.v1.Policy;
import java.time.Duration;

/** Built-in policy values, used for every field the controller's policy leaves unset. */
public final class PolicyDefaults {
  public static final Duration AV_MAX_AGE = Duration.ofDays(3);
  public static final long MAX_FILE_SIZE_BYTES = 64L * 1024 * 1024;

  private PolicyDefaults() {}

  public static Policy defaults() {
    return Policy.newBuilder()
        .setVersion(0)
        .setAvMaxAgeSeconds(AV_MAX_AGE.toSeconds())
        .addSmtpPorts(25).addSmtpPorts(465).addSmtpPorts(587)
        .setEgressSamplePeriodMillis(250)
        .setEgressWindowSeconds(60)
        .setFullScanCron("0 0 2 * * ?")
        .setFullScanJitterSeconds(Duration.ofMinutes(90).toSeconds())
        .setHeartbeatIntervalSeconds(60)
        .setMaxFileSizeBytes(MAX_FILE_SIZE_BYTES)
        .build();
  }

  /** Fills every unset field of {@code policy} from the defaults. */
  public static Policy withDefaults(Policy policy) {
    requireNonNull(policy, "policy");
    Policy d = defaults();
    Policy.Builder b = policy.toBuilder();
    if (b.getAvMaxAgeSeconds() <= 0) {
      b.setAvMaxAgeSeconds(d.getAvMaxAgeSeconds());
    }
    if (b.getSmtpPortsCount() == 0) {
      b.addAllSmtpPorts(d.getSmtpPortsList());
    }
    if (b.getEgressSamplePeriodMillis() <= 0) {
      b.setEgressSamplePeriodMillis(d.getEgressSamplePeriodMillis());
    }
    if (b.getEgressWindowSeconds() <= 0) {
      b.setEgressWindowSeconds(d.getEgressWindowSeconds());
    }
    if (b.getFullScanCron().isBlank()) {
      b.setFullScanCron(d.getFullScanCron());
    }
    if (!b.hasFullScanJitterSeconds() || b.getFullScanJitterSeconds() < 0) {
      b.setFullScanJitterSeconds(d.getFullScanJitterSeconds());
    }
    if (b.getHeartbeatIntervalSeconds() <= 0) {
      b.setHeartbeatIntervalSeconds(d.getHeartbeatIntervalSeconds());
    }
    if (b.getMaxFileSizeBytes() <= 0) {
      b.setMaxFileSizeBytes(d.getMaxFileSizeBytes());
    }
    return b.build();
  }
}
