package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.fleet.LabRule;
import io.labscan.testsupport.CliRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The effective lab is computed once (when a report arrives or the rules change) and stored on
 * the host, so the {@code hosts} command and the Hosts page's export show the same lab.
 */
class EffectiveLabAgreementTest {
  @TempDir Path dir;
  DashboardFixture fixture;

  @BeforeEach
  void start() {
    fixture = new DashboardFixture(dir);
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void theHostsCommandAndTheHostsPageExportShowTheSameLabWhenARulePlacesAHost() throws Exception {
    fixture.ingest(new FleetReports.Host("chem-pc-12").lab("misconfigured"), Duration.ofMinutes(5));
    fixture.ingest(new FleetReports.Host("lib-pc-03").lab("library").ip("10.20.9.4"), Duration.ofMinutes(5));
    fixture.ingest(new FleetReports.Host("kiosk-1").lab("").ip("10.20.8.2"), Duration.ofMinutes(5));
    fixture.fleet.labRules().add("chemistry", LabRule.Kind.HOSTNAME, "chem-*");

    Map<String, String> fromExport = labs(new ApiClient(fixture.base())
        .loggedIn(DashboardFixture.ADMIN, DashboardFixture.PASSWORD).getJson("/api/v1/hosts?download=1"));
    Map<String, String> fromCommand = labs(ApiClient.JSON.readTree(
        run("hosts", "--db", dir.resolve("controller.db").toString(), "--format", "json")));

    assertThat(fromCommand).isEqualTo(fromExport)
        .containsExactlyInAnyOrderEntriesOf(Map.of("chem-pc-12", "chemistry", "lib-pc-03", "library", "kiosk-1", ""));
  }

  @Test
  void removingTheRuleMovesTheHostBackToItsAgentsLabInBothViews() throws Exception {
    fixture.ingest(new FleetReports.Host("chem-pc-12").lab("misconfigured"), Duration.ofMinutes(5));
    LabRule rule = fixture.fleet.labRules().add("chemistry", LabRule.Kind.HOSTNAME, "chem-*");

    fixture.fleet.labRules().remove(rule.ruleId());

    assertThat(labs(ApiClient.JSON.readTree(run("hosts", "--db", dir.resolve("controller.db").toString(),
        "--format", "json")))).containsExactlyEntriesOf(Map.of("chem-pc-12", "misconfigured"));
    assertThat(labs(new ApiClient(fixture.base()).loggedIn(DashboardFixture.ADMIN, DashboardFixture.PASSWORD)
        .getJson("/api/v1/hosts"))).containsExactlyEntriesOf(Map.of("chem-pc-12", "misconfigured"));
  }

  private static Map<String, String> labs(JsonNode hosts) {
    Map<String, String> out = new TreeMap<>();
    hosts.forEach(h -> out.put(h.get("hostname").asText(), h.get("lab").asText()));
    return out;
  }

  /** What {@code labscan-controller args...} printed on standard output; it must succeed. */
  private static String run(String... args) {
    return CliRun.run(args).ok().out();
  }
}
