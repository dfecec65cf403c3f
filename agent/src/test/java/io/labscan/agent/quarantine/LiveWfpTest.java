package io.labscan.agent.quarantine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.labscan.agent.checks.egress.windows.SecurityAuditLog;
import io.labscan.contract.quarantine.QuarantineRules;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The Windows quarantine against the real Filtering Platform of the machine running the tests
 * (an administrator: the hosted {@code .github/workflows/platforms.yml} job on windows-latest). It
 * uses a throwaway provider and sublayer of random keys in a dynamic session, so whatever happens
 * the engine deletes it all when the session ends and the service's own objects are never touched.
 * The logic above {@link FwpuclntWfpApi} is tested everywhere on {@link FakeWfpEngine}.
 */
@EnabledOnOs(OS.WINDOWS)
class LiveWfpTest {
  private static final SecurityAuditLog NO_EVENTS = new SecurityAuditLog() {
    @Override
    public long latestRecordId(int eventId) {
      return 0;
    }

    @Override
    public List<String> eventsAfter(int eventId, long recordId, Set<Integer> ports, int max) {
      return List.of();
    }
  };

  @Test
  void filtersAreAddedEnumeratedReconciledAndDeletedInAThrowawaySublayer() throws IOException {
    WfpQuarantine.Keys keys = new WfpQuarantine.Keys(UUID.randomUUID(), UUID.randomUUID(),
        "LabScan quarantine test (throwaway)");
    String curl = System.getenv("SystemRoot") + "\\System32\\curl.exe";
    QuarantineRules rules = QuarantineRules.of(SmtpQuarantine.MAIL_PORTS, Set.of(), List.of("192.0.2.25",
        "2001:db8::/32")).withAllowedApplications(List.of(curl));
    try (FwpuclntWfpApi api = FwpuclntWfpApi.dynamic()) {
      WfpQuarantine q = new WfpQuarantine(api, keys, NO_EVENTS, () -> { });

      q.install(rules);
      List<WfpApi.InstalledFilter> installed = filters(api, keys);
      assertThat(installed).extracting(WfpApi.InstalledFilter::name).containsExactlyInAnyOrderElementsOf(
          WfpFilter.plan(rules, keys.provider()).stream().map(WfpFilter::name).toList());
      assertThat(installed).allSatisfy(f -> assertThat(f.runtimeId()).isPositive());

      q.install(rules);
      assertThat(filters(api, keys)).containsExactlyInAnyOrderElementsOf(installed);

      q.remove();
      assertThat(filters(api, keys)).isEmpty();
    }
  }

  @Test
  void theBlockFilterRefusesThisJvmsSmtpConnectionAtOnceAndTheAllowedDestinationIsNotRefused() throws IOException {
    WfpQuarantine.Keys keys = new WfpQuarantine.Keys(UUID.randomUUID(), UUID.randomUUID(),
        "LabScan quarantine test (throwaway)");
    try (FwpuclntWfpApi api = FwpuclntWfpApi.dynamic()) {
      new WfpQuarantine(api, keys, NO_EVENTS, () -> { })
          .install(QuarantineRules.of(SmtpQuarantine.MAIL_PORTS, Set.of(), List.of("192.0.2.25")));

      // TEST-NET addresses: without a filter these time out or are unreachable; a WFP block at
      // connect is WSAEACCES, which Java reports as "Permission denied".
      assertThat(connect("192.0.2.1", 25)).hasMessageContaining("Permission denied");
      assertThat(connect("192.0.2.25", 25)).isNotNull().satisfies(
          t -> assertThat(String.valueOf(t.getMessage())).doesNotContain("Permission denied"));
    }
  }

  private static Throwable connect(String ip, int port) {
    return catchThrowable(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(ip, port), 1500);
      }
    });
  }

  private static List<WfpApi.InstalledFilter> filters(FwpuclntWfpApi api, WfpQuarantine.Keys keys) throws IOException {
    try (WfpApi.Session s = api.open()) {
      return s.filtersOf(keys.provider());
    }
  }
}
