package io.labscan.controller.web;

import io.labscan.controller.fleet.Cidr;
import io.labscan.controller.fleet.Compliance;
import io.labscan.controller.fleet.LabRule;
import io.labscan.controller.fleet.LabRules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.verdict.HostEvidence;
import io.labscan.controller.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Lab rules and the compliance definition, on hand-built inputs. */
class LabAndComplianceTest {
  static final Instant NOW = Instant.parse("2026-11-27T08:00:00Z");

  static HostEvidence evidence(Duration seenAgo, Optional<Duration> scanAgo, String avState, boolean egress,
      boolean mailServer) {
    return new HostEvidence("h", "pc", NOW.minus(seenAgo), scanAgo.map(NOW::minus), List.of(),
        List.of(new HostEvidence.Av("r", "clamav", "ClamAV", avState, "")),
        egress ? List.of(new HostEvidence.Egress("r", NOW, NOW, 1, "x.exe", "", 3, 1, "192.0.2.25:25*3")) : List.of(),
        List.of(), mailServer);
  }

  static Compliance compliance(HostEvidence e, Verdict v) {
    return Compliance.evaluate(e, Optional.of(v), NOW);
  }

  @Test
  void aLiveCleanFreshRecentlyScannedHostIsCompliant() {
    Compliance c = compliance(evidence(Duration.ofMinutes(5), Optional.of(Duration.ofHours(3)), "FRESH", false, false),
        Verdict.CLEAN);
    assertThat(c.compliant()).isTrue();
    assertThat(c.shortfalls()).isEmpty();
  }

  @Test
  void eachConditionAloneBreaksCompliance() {
    assertThat(compliance(evidence(Duration.ofMinutes(61), Optional.of(Duration.ofHours(3)), "FRESH", false, false),
        Verdict.CLEAN).shortfalls()).containsExactly("agent not seen in the last hour");
    assertThat(compliance(evidence(Duration.ofMinutes(5), Optional.of(Duration.ofHours(27)), "FRESH", false, false),
        Verdict.CLEAN).shortfalls()).containsExactly("no full scan in the last 26 h");
    assertThat(compliance(evidence(Duration.ofMinutes(5), Optional.empty(), "FRESH", false, false),
        Verdict.CLEAN).shortfalls()).containsExactly("no full scan in the last 26 h");
    assertThat(compliance(evidence(Duration.ofMinutes(5), Optional.of(Duration.ofHours(3)), "STALE", false, false),
        Verdict.CLEAN).shortfalls()).containsExactly("antivirus definitions not FRESH");
    assertThat(compliance(evidence(Duration.ofMinutes(5), Optional.of(Duration.ofHours(3)), "FRESH", true, false),
        Verdict.CLEAN).shortfalls()).containsExactly("SMTP egress policy does not allow");
    assertThat(compliance(evidence(Duration.ofMinutes(5), Optional.of(Duration.ofHours(3)), "FRESH", false, false),
        Verdict.SUSPECTED).shortfalls()).containsExactly("verdict is not CLEAN");
  }

  @Test
  void aMailServersEgressDoesNotCount() {
    assertThat(compliance(evidence(Duration.ofMinutes(5), Optional.of(Duration.ofHours(3)), "FRESH", true, true),
        Verdict.CLEAN).compliant()).isTrue();
  }

  @Test
  void aHostWithoutAVerdictYetIsNotCompliant() {
    assertThat(Compliance.evaluate(evidence(Duration.ofMinutes(5), Optional.of(Duration.ofHours(3)), "FRESH", false,
        false), Optional.empty(), NOW).verdictClean()).isFalse();
  }

  @Test
  void theFirstMatchingRuleWinsOverTheAgentsLab() {
    List<LabRule> rules = List.of(
        new LabRule("r1", 1, "chemistry", LabRule.Kind.HOSTNAME, "chem-*"),
        new LabRule("r2", 2, "physics", LabRule.Kind.CIDR, "10.20.3.0/24"));
    assertThat(LabRules.assign(rules, "CHEM-PC-12", List.of("10.20.3.17"), "misconfigured"))
        .isEqualTo(new LabRules.Assignment("chemistry", LabRules.Source.RULE, Optional.of("r1")));
    assertThat(LabRules.assign(rules, "pc-17", List.of("10.20.3.17"), "misconfigured").lab()).isEqualTo("physics");
    assertThat(LabRules.assign(rules, "pc-17", List.of("10.20.4.1"), "library"))
        .isEqualTo(new LabRules.Assignment("library", LabRules.Source.AGENT, Optional.empty()));
    assertThat(LabRules.assign(rules, "pc-17", List.of(), " ").lab()).isEqualTo(LabRules.UNASSIGNED);
  }

  @Test
  void hostnameGlobsTreatRegexCharactersLiterally() {
    LabRule rule = new LabRule("r", 1, "lab", LabRule.Kind.HOSTNAME, "pc.(1)?");
    assertThat(rule.matches("pc.(1)x", List.of())).isTrue();
    assertThat(rule.matches("pcX(1)x", List.of())).isFalse();
  }

  @Test
  void subnetsMatchIpv4AndIpv6WithoutAskingDns() {
    assertThat(Cidr.parse("10.20.3.0/24").contains("10.20.3.255")).isTrue();
    assertThat(Cidr.parse("10.20.3.0/24").contains("10.20.4.0")).isFalse();
    assertThat(Cidr.parse("10.20.3.0/24").contains("fe80::1")).isFalse();
    assertThat(Cidr.parse("2001:db8:40::/48").contains("2001:db8:40:7::17")).isTrue();
    assertThat(Cidr.parse("2001:db8:40::/48").contains("2001:db8:41::1")).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains("192.0.2.1")).isTrue();
    assertThat(Cidr.literal("lab-server.example.edu")).isEmpty();
    assertThat(Cidr.literal("10.20.3")).isEmpty();
    assertThat(Cidr.literal("10.20.3.256")).isEmpty();
  }

  @Test
  void badRulesAreRefusedWithTheReason() {
    assertThatThrownBy(() -> Cidr.parse("10.20.3.0")).hasMessageContaining("subnet like");
    assertThatThrownBy(() -> Cidr.parse("10.20.3.0/33")).hasMessageContaining("0-32");
    assertThatThrownBy(() -> Cidr.parse("example.org/24")).hasMessageContaining("not an IP address");
    assertThatThrownBy(() -> new LabRule("r", 1, "", LabRule.Kind.HOSTNAME, "pc-*")).hasMessageContaining("lab name");
    assertThatThrownBy(() -> new LabRule("r", 1, "lab\u001b[2J", LabRule.Kind.HOSTNAME, "pc-*"))
        .hasMessageContaining("control");
  }
}
