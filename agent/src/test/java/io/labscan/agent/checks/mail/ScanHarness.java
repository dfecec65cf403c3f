package io.labscan.agent.checks.mail;

import com.google.protobuf.ByteString;
import io.labscan.agent.checks.Check;
import io.labscan.agent.checks.ScanContext;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.Scanner;
import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.proto.v1.CheckOutcome;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;

/** Runs one check through the real scanner and returns the report it produced. */
public final class ScanHarness {
  public static final byte[] FLEET_KEY =
      "fleet-key-for-tests-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  public static final String FLEET_KEY_ID = "fleet-2002-04";

  private ScanHarness() {}

  /** The default policy with the test fleet key. */
  public static Policy policy() {
    return PolicyDefaults.withDefaults(Policy.newBuilder()
        .setHarvestKey(ByteString.copyFrom(FLEET_KEY))
        .setHarvestKeyId(FLEET_KEY_ID)
        .build());
  }

  /** The default policy with a smaller file size limit. */
  public static Policy policyWithMaxFileSize(long bytes) {
    return policy().toBuilder().setMaxFileSizeBytes(bytes).build();
  }

  public static Report scan(Check check, Path root, Path stateDir) {
    return scan(check, root, stateDir, policy());
  }

  public static Report scan(Check check, Path root, Path stateDir, Policy policy) {
    Scanner scanner = new Scanner(List.of(check), () -> 1L);
    return scanner.scan(new ScanContext(root, false, policy, stateDir,
        Clock.fixed(MailFixtures.SENT, ZoneOffset.UTC), ScanPlan.full("test")));
  }

  /** The report, after checking that the check itself finished without failing. */
  public static Report scanOk(Check check, Path root, Path stateDir, Policy policy) {
    Report report = scan(check, root, stateDir, policy);
    if (report.getScan().getChecks(0).getOutcome() != CheckOutcome.CHECK_OUTCOME_OK) {
      throw new AssertionError("check failed: " + report.getScan().getChecks(0));
    }
    return report;
  }

  public static Report scanOk(Check check, Path root, Path stateDir) {
    return scanOk(check, root, stateDir, policy());
  }
}
