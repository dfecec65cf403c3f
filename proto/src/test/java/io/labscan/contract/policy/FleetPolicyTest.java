package io.labscan.contract.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.proto.v1.Policy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FleetPolicyTest {
  @Test
  void theDefaultsAreTodaysThresholds() {
    FleetPolicy p = FleetPolicy.defaults();

    assertThat(p.version()).isZero();
    assertThat(p.verdicts()).isEqualTo(new FleetPolicy.Verdicts(Duration.ofHours(26), Duration.ofHours(1),
        Duration.ofDays(7), Duration.ofDays(30), 0.5));
    assertThat(p.compliance()).isEqualTo(new FleetPolicy.Compliance(Duration.ofHours(1), Duration.ofHours(26)));
    assertThat(p.ruleSet()).isEmpty();
  }

  @Test
  void theDefaultPolicyHandsAgentsExactlyTheBuiltInAgentDefaults() {
    assertThat(FleetPolicy.defaults().agentPolicy()).isEqualTo(PolicyDefaults.defaults());
  }

  @Test
  void theAgentPolicyCarriesTheVersionTheEgressSettingsAndTheRuleSetName() {
    FleetPolicy p = new FleetPolicy(12, FleetPolicy.Verdicts.defaults(), FleetPolicy.Compliance.defaults(),
        new FleetPolicy.Egress(List.of(25, 587), List.of("C:\\Program Files\\Thunderbird\\thunderbird.exe"), true,
            Duration.ofSeconds(30)),
        Optional.of(new FleetPolicy.RuleSetRef("physics-rules.yaml", "3f2a9c")));

    Policy agent = p.agentPolicy();

    assertThat(agent.getVersion()).isEqualTo(12);
    assertThat(agent.getSmtpPortsList()).containsExactly(25, 587);
    assertThat(agent.getSmtpProcessAllowlistList()).containsExactly("C:\\Program Files\\Thunderbird\\thunderbird.exe");
    assertThat(agent.getEgressEventMode()).isTrue();
    assertThat(agent.getEgressWindowSeconds()).isEqualTo(30);
    assertThat(agent.getArtifactRulesName()).isEqualTo("physics-rules.yaml");
    assertThat(agent.getHeartbeatIntervalSeconds()).isEqualTo(PolicyDefaults.defaults().getHeartbeatIntervalSeconds());
  }

  @Test
  void aComplaintConfidenceOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> new FleetPolicy.Verdicts(Duration.ofHours(26), Duration.ofHours(1), Duration.ofDays(7),
        Duration.ofDays(30), 1.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("complaintMinConfidence");
  }

  @Test
  void aZeroComplianceWindowIsRefused() {
    assertThatThrownBy(() -> new FleetPolicy.Compliance(Duration.ZERO, Duration.ofHours(26)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seenWithin");
  }
}
