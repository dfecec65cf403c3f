package io.labscan.agent.quarantine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.agent.checks.egress.EgressFixtures;
import io.labscan.agent.checks.egress.windows.SecurityAuditLog;
import io.labscan.agent.checks.egress.windows.WfpAuditEventParser;
import io.labscan.contract.quarantine.QuarantineRules;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The Windows quarantine's filter lifecycle on a simulated filtering engine ({@link
 * FakeWfpEngine}: persistent objects, transactions, the engine's refusals) and its refused
 * attempts on recorded Security events 5157.
 */
class WfpQuarantineTest {
  private static final String OUTLOOK = "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE";
  private static final String WORM = "C:\\Users\\ann\\AppData\\Local\\Temp\\winkqmtx.exe";
  private static final UUID WINDOWS_FIREWALL = UUID.fromString("4b153735-1049-4480-aab4-d1b9bdc03710");

  private final FakeWfpEngine engine = new FakeWfpEngine();
  private final RecordedSecurityLog securityLog = new RecordedSecurityLog();
  private int legacyCleanups;

  /** Security events as recorded, served after a record id like the real log. */
  private static final class RecordedSecurityLog implements SecurityAuditLog {
    final List<String> events = new ArrayList<>();

    void record(String fixture) throws IOException {
      events.add(EgressFixtures.text(fixture));
    }

    @Override
    public long latestRecordId(int eventId) {
      return events.stream().map(x -> WfpAuditEventParser.parseRefused(x, Set.of()).orElseThrow().recordId())
          .max(Long::compare).orElse(0L);
    }

    @Override
    public List<String> eventsAfter(int eventId, long recordId, Set<Integer> ports, int max) {
      return events.stream()
          .filter(x -> WfpAuditEventParser.parseRefused(x, Set.of()).orElseThrow().recordId() > recordId)
          .filter(x -> x.contains("<EventID>" + eventId + "</EventID>")).limit(max).toList();
    }
  }

  private WfpQuarantine agent() {
    return new WfpQuarantine(engine, WfpQuarantine.SERVICE, securityLog, () -> legacyCleanups++);
  }

  private static QuarantineRules rules(List<String> destinations, List<String> applications) {
    return QuarantineRules.of(SmtpQuarantine.MAIL_PORTS, Set.of(), destinations).withAllowedApplications(applications);
  }

  private WfpFilter.Action decide(String app, String ip, int port) throws IOException {
    return engine.decide(WfpQuarantine.SUBLAYER, app, ip, port);
  }

  @Test
  void theWormIsBlockedOnEveryMailPortWhileTheAllowedApplicationAndTheRelayStillGetThrough() throws IOException {
    engine.existingFiles.add(OUTLOOK.toLowerCase(java.util.Locale.ROOT));

    agent().install(rules(List.of("192.0.2.25"), List.of(OUTLOOK)));

    for (int port : List.of(25, 465, 587)) {
      assertThat(decide(WORM, "198.51.100.7", port)).as("worm to port " + port).isEqualTo(WfpFilter.Action.BLOCK);
    }
    assertThat(decide(WORM, "2001:db8::25", 25)).isEqualTo(WfpFilter.Action.BLOCK);
    assertThat(decide(OUTLOOK, "198.51.100.7", 587)).isEqualTo(WfpFilter.Action.PERMIT);
    assertThat(decide(OUTLOOK, "2001:db8::25", 587)).isEqualTo(WfpFilter.Action.PERMIT);
    assertThat(decide(WORM, "192.0.2.25", 25)).as("the campus relay").isEqualTo(WfpFilter.Action.PERMIT);
    assertThat(decide(WORM, "127.0.0.1", 25)).as("loopback").isEqualTo(WfpFilter.Action.PERMIT);
    assertThat(decide(WORM, "198.51.100.7", 443)).as("web").isEqualTo(WfpFilter.Action.PERMIT);
  }

  @Test
  void theFiltersArePersistentObjectsOfLabScansOwnProviderAndSublayer() throws IOException {
    agent().install(rules(List.of(), List.of()));

    FakeWfpEngine.State s = engine.state();
    assertThat(s.providers()).containsKey(WfpQuarantine.PROVIDER);
    assertThat(s.sublayers()).containsEntry(WfpQuarantine.SUBLAYER, WfpQuarantine.PROVIDER);
    assertThat(s.filters().values()).isNotEmpty().allSatisfy(f -> {
      assertThat(f.provider()).isEqualTo(WfpQuarantine.PROVIDER);
      assertThat(f.sublayer()).isEqualTo(WfpQuarantine.SUBLAYER);
    });
    assertThat(engine.openSessions).as("sessions closed").isZero();
  }

  @Test
  void installingTheSameRulesAgainChangesNothing() throws IOException {
    agent().install(rules(List.of("192.0.2.25"), List.of()));
    int before = engine.changes.size();

    agent().install(rules(List.of("192.0.2.25"), List.of()));

    assertThat(engine.changes).hasSize(before);
  }

  @Test
  void aChangedDestinationReplacesOnlyItsOwnPermit() throws IOException {
    WfpQuarantine q = agent();
    q.install(rules(List.of("192.0.2.25"), List.of()));
    engine.changes.clear();

    q.install(rules(List.of("192.0.2.26"), List.of()));

    assertThat(engine.changes).containsExactlyInAnyOrder(
        "delete filter LabScan SMTP quarantine: permit destination 192.0.2.25 (IPv4)",
        "add filter LabScan SMTP quarantine: permit destination 192.0.2.26 (IPv4)");
    assertThat(decide(WORM, "192.0.2.25", 25)).isEqualTo(WfpFilter.Action.BLOCK);
  }

  @Test
  void aLeftoverFilterOfOurProviderIsRemovedAtStartAndOtherProvidersFiltersAreNeverTouched() throws IOException {
    UUID foreign = UUID.randomUUID();
    engine.addForeignFilter(foreign, WINDOWS_FIREWALL);
    agent().install(rules(List.of("192.0.2.25", "192.0.2.26"), List.of()));

    // a new agent process (restart after a crash) with a narrower order
    agent().install(rules(List.of("192.0.2.25"), List.of()));
    assertThat(engine.state().filters().values()).noneMatch(f -> f.filter().name().contains("192.0.2.26"));

    agent().remove();
    assertThat(engine.state().filters()).containsOnlyKeys(foreign);
    assertThat(engine.state().providers()).containsOnlyKeys(WINDOWS_FIREWALL);
    assertThat(engine.state().sublayers()).isEmpty();
  }

  @Test
  void removingWhenNothingIsInstalledSucceeds() throws IOException {
    agent().remove();

    assertThat(engine.changes).isEmpty();
  }

  @Test
  void aFilterTheEngineRefusesLeavesThePreviousFiltersInPlace() throws IOException {
    WfpQuarantine q = agent();
    q.install(rules(List.of("192.0.2.25"), List.of()));
    var before = engine.state().filters().keySet();
    engine.failAdding = name -> name.contains("192.0.2.99");

    assertThatThrownBy(() -> q.install(rules(List.of("192.0.2.99"), List.of())))
        .isInstanceOf(IOException.class).hasMessageContaining("FwpmFilterAdd0");

    assertThat(engine.state().filters().keySet()).isEqualTo(before);
    assertThat(decide(WORM, "192.0.2.25", 25)).isEqualTo(WfpFilter.Action.PERMIT);
  }

  @Test
  void anAllowedApplicationThatIsNotOnTheDiskIsLeftOutAndNamed() throws IOException {
    WfpQuarantine q = agent();

    q.install(rules(List.of(), List.of(OUTLOOK)));

    assertThat(engine.state().filters().values()).noneMatch(f -> f.filter().application().isPresent());
    assertThat(q.describe()).contains("allowed applications not found (not let through): " + OUTLOOK);
    assertThat(decide(OUTLOOK, "198.51.100.7", 25)).isEqualTo(WfpFilter.Action.BLOCK);
  }

  @Test
  void theOlderAgentsFirewallRuleIsDeletedOnInstallAndOnRemoval() throws IOException {
    WfpQuarantine q = agent();
    q.install(rules(List.of(), List.of()));
    q.remove();

    assertThat(legacyCleanups).isEqualTo(2);
  }

  @Test
  void refusedAttemptsAreCountedFromEvent5157PerDestinationAndProgramForOurBlockFiltersOnly() throws IOException {
    WfpQuarantine q = agent();
    q.install(rules(List.of(), List.of())); // the engine gives the IPv4 block filter runtime id 68211, IPv6 68212+
    long v6Block = engine.state().filters().values().stream()
        .filter(f -> f.filter().action() == WfpFilter.Action.BLOCK && f.filter().layer() == WfpFilter.Layer.V6)
        .mapToLong(FakeWfpEngine.Stored::runtimeId).findFirst().orElseThrow();
    assertThat(v6Block).as("fixture's FilterRTID").isGreaterThan(68211);
    securityLog.record("wfp-5157-blocked-smtp-by-quarantine.xml");
    securityLog.record("wfp-5157-blocked-smtp-again.xml");
    securityLog.record("wfp-5157-blocked-by-another-filter.xml"); // Windows Firewall's block, not ours
    securityLog.record("wfp-5157-blocked-https.xml");

    List<QuarantineEnforcer.BlockedCount> counts = q.blockedSoFar();

    assertThat(counts).singleElement().satisfies(c -> {
      assertThat(c.ip()).isEqualTo("192.0.2.25");
      assertThat(c.port()).isEqualTo(25);
      assertThat(c.attempts()).isEqualTo(2);
      assertThat(c.uid()).isEqualTo(QuarantineEnforcer.BlockedCount.UNKNOWN_UID);
      assertThat(c.processPath()).endsWith("\\users\\ann\\appdata\\local\\temp\\winkqmtx.exe");
    });
  }

  @Test
  void countsAreCumulativeAcrossReadsAndStartAgainWhenTheFiltersAreReplaced() throws IOException {
    WfpQuarantine q = agent();
    q.install(rules(List.of(), List.of()));
    securityLog.record("wfp-5157-blocked-smtp-by-quarantine.xml");
    assertThat(q.blockedSoFar()).singleElement().extracting(QuarantineEnforcer.BlockedCount::attempts).isEqualTo(1L);
    securityLog.record("wfp-5157-blocked-smtp-again.xml");
    assertThat(q.blockedSoFar()).singleElement().extracting(QuarantineEnforcer.BlockedCount::attempts).isEqualTo(2L);

    q.remove();

    assertThat(q.blockedSoFar()).isEmpty();
  }

  @Test
  void eventsOlderThanTheQuarantineAreNotCounted() throws IOException {
    securityLog.record("wfp-5157-blocked-smtp-by-quarantine.xml");
    WfpQuarantine q = agent();

    q.install(rules(List.of(), List.of()));

    assertThat(q.blockedSoFar()).isEmpty();
  }
}
