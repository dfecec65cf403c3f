package io.labscan.agent.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.quarantine.QuarantineRules;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which WFP filters a quarantine order becomes, and how installed filters are brought up to date. */
class WfpFilterPlanTest {
  private static final UUID PROVIDER = WfpQuarantine.PROVIDER;
  private static final String OUTLOOK = "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE";

  private static QuarantineRules rules(List<String> destinations, List<String> apps) {
    return QuarantineRules.of(Set.of(25, 465, 587), Set.of(107L), destinations).withAllowedApplications(apps);
  }

  @Test
  void eachLayerGetsOneBlockAndHeavierPermitsForLoopbackDestinationsAndApplications() {
    List<WfpFilter> plan = WfpFilter.plan(rules(List.of("192.0.2.25", "2001:db8::/32"), List.of(OUTLOOK)), PROVIDER);

    assertThat(plan).extracting(WfpFilter::name).containsExactly(
        "LabScan SMTP quarantine: block (IPv4)",
        "LabScan SMTP quarantine: permit destination 127.0.0.0/8 (IPv4)",
        "LabScan SMTP quarantine: permit destination 192.0.2.25 (IPv4)",
        "LabScan SMTP quarantine: permit application " + OUTLOOK + " (IPv4)",
        "LabScan SMTP quarantine: block (IPv6)",
        "LabScan SMTP quarantine: permit destination ::1 (IPv6)",
        "LabScan SMTP quarantine: permit destination 2001:db8::/32 (IPv6)",
        "LabScan SMTP quarantine: permit application " + OUTLOOK + " (IPv6)");
    assertThat(plan).allSatisfy(f -> assertThat(f.ports()).containsExactlyInAnyOrder(25, 465, 587));
    assertThat(plan).filteredOn(f -> f.action() == WfpFilter.Action.BLOCK)
        .allSatisfy(f -> assertThat(f.weight()).isEqualTo(WfpFilter.BLOCK_WEIGHT));
    assertThat(plan).filteredOn(f -> f.action() == WfpFilter.Action.PERMIT)
        .allSatisfy(f -> assertThat(f.weight()).isGreaterThan(WfpFilter.BLOCK_WEIGHT));
  }

  @Test
  void usersMeanNothingToWfpAndAreNotPlanned() {
    assertThat(WfpFilter.plan(rules(List.of(), List.of()), PROVIDER)).hasSize(4);
  }

  @Test
  void keysFollowTheContentSoTheSameOrderGivesTheSameKeys() {
    List<UUID> once = WfpFilter.plan(rules(List.of("192.0.2.25"), List.of(OUTLOOK)), PROVIDER).stream()
        .map(WfpFilter::key).toList();
    List<UUID> again = WfpFilter.plan(rules(List.of("192.0.2.25"), List.of(OUTLOOK.toLowerCase(java.util.Locale.ROOT))),
        PROVIDER).stream().map(WfpFilter::key).toList();

    assertThat(again).isEqualTo(once);
    assertThat(Set.copyOf(once)).hasSameSizeAs(once);
  }

  @Test
  void anotherProviderGetsOtherKeysSoATestNeverCollidesWithTheService() {
    UUID throwaway = UUID.fromString("03b9280e-ea49-4a83-aefb-8ecb415744cf");

    assertThat(WfpFilter.plan(rules(List.of(), List.of()), throwaway)).extracting(WfpFilter::key)
        .doesNotContainAnyElementsOf(WfpFilter.plan(rules(List.of(), List.of()), PROVIDER).stream()
            .map(WfpFilter::key).toList());
  }

  @Test
  void reconciliationDeletesWhatIsNoLongerWantedAndAddsOnlyWhatIsMissing() {
    List<WfpFilter> before = WfpFilter.plan(rules(List.of("192.0.2.25"), List.of()), PROVIDER);
    List<WfpFilter> after = WfpFilter.plan(rules(List.of("192.0.2.26"), List.of()), PROVIDER);
    UUID stray = UUID.randomUUID();
    List<UUID> installed = new java.util.ArrayList<>(before.stream().map(WfpFilter::key).toList());
    installed.add(stray);

    WfpReconciliation changes = WfpReconciliation.of(installed, after);

    assertThat(changes.delete()).containsExactlyInAnyOrder(stray, before.get(2).key());
    assertThat(changes.add()).extracting(WfpFilter::name)
        .containsExactly("LabScan SMTP quarantine: permit destination 192.0.2.26 (IPv4)");
    assertThat(WfpReconciliation.of(after.stream().map(WfpFilter::key).toList(), after).isEmpty()).isTrue();
  }
}
