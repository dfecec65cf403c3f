package io.labscan.agent.checks.egress;

import static io.labscan.agent.checks.egress.EgressTestData.POSTFIX;
import static io.labscan.agent.checks.egress.EgressTestData.WORM;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.proto.v1.Policy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {
  private static EgressPolicy allowing(String... entries) {
    return EgressPolicy.from(Policy.newBuilder().addAllSmtpProcessAllowlist(List.of(entries)).build());
  }

  @Test
  void defaultsWatchTheThreeSmtpPortsEveryQuarterSecondInMinuteWindows() {
    EgressPolicy p = EgressPolicy.from(PolicyDefaults.defaults());

    assertThat(p.ports()).containsExactlyInAnyOrder(25, 465, 587);
    assertThat(p.samplePeriod()).isEqualTo(Duration.ofMillis(250));
    assertThat(p.window()).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.includeLoopback()).isFalse();
    assertThat(p.eventMode()).isFalse();
  }

  @Test
  void noProcessMaySendMailByDefault() {
    assertThat(EgressPolicy.from(Policy.getDefaultInstance()).allows(POSTFIX)).isFalse();
  }

  @Test
  void mailServerMaySendFromAnyProcess() {
    EgressPolicy server = EgressPolicy.from(Policy.newBuilder().setMailServer(true).build());

    assertThat(server.allows(WORM)).isTrue();
    assertThat(server.allows(ProcessInfo.unknown())).isTrue();
  }

  @Test
  void allowlistedNameMatchesTheProcessName() {
    assertThat(allowing("master", "smtp").allows(POSTFIX)).isTrue();
  }

  @Test
  void allowlistedPathMustMatchTheExecutableExactly() {
    assertThat(allowing("/usr/lib/postfix/sbin/smtp").allows(POSTFIX)).isTrue();
    assertThat(allowing("/usr/lib/postfix/sbin/smtp")
        .allows(new ProcessInfo(9, "smtp", "/tmp/smtp", "ann"))).isFalse();
  }

  @Test
  void nameEntryMatchesAnExecutableWhoseNameLinuxTruncated() {
    ProcessInfo truncated = new ProcessInfo(9, "thunderbird-bin", "/usr/lib/thunderbird/thunderbird-binary", "ann");

    assertThat(allowing("thunderbird-binary").allows(truncated)).isTrue();
  }

  @Test
  void windowsNamesCompareWithoutCaseOrExe() {
    ProcessInfo outlook = new ProcessInfo(9, "OUTLOOK.EXE",
        "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE", "ann");

    assertThat(allowing("outlook").allows(outlook)).isTrue();
    assertThat(allowing("c:\\program files\\microsoft office\\root\\office16\\outlook.exe").allows(outlook)).isTrue();
  }

  @Test
  void unknownOwnerIsNeverAllowedOnAWorkstation() {
    assertThat(allowing("smtp", "master").allows(ProcessInfo.unknown())).isFalse();
    assertThat(allowing("smtp").allows(ProcessInfo.userOnly("postfix"))).isFalse();
  }

  @Test
  void invalidPortsAndTinyPeriodsAreClamped() {
    EgressPolicy p = new EgressPolicy(java.util.Set.of(0, 25, 70000), List.of(" ", "smtp "), false, false,
        Duration.ZERO, Duration.ZERO, false);

    assertThat(p.ports()).containsExactly(25);
    assertThat(p.allowlist()).containsExactly("smtp");
    assertThat(p.samplePeriod()).isEqualTo(EgressPolicy.MIN_PERIOD);
    assertThat(p.window()).isEqualTo(EgressPolicy.MIN_WINDOW);
  }
}
