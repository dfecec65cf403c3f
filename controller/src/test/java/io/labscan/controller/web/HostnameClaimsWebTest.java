package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostnames are claims (issue 15, D): wherever the API names a host, {@code nameShared} says
 * whether another host's name is the same or prints the same (the CLI's rule, HostnameKey), so the
 * pages show the host id beside it; and a configured MTA's exact address reported by a lab PC
 * shows on that host's page.
 */
class HostnameClaimsWebTest {
  /** "lab-pc-07" with a Cyrillic "а" (U+0430): prints as the real host's name. */
  static final String CYRILLIC_LOOK_ALIKE = "l\u0430b-pc-07";

  @TempDir Path dir;
  DashboardFixture fixture;

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  private static Map<String, Boolean> sharedById(JsonNode hosts) {
    Map<String, Boolean> out = new HashMap<>();
    hosts.forEach(h -> out.put(h.get("hostId").asText(), h.get("nameShared").asBoolean()));
    return out;
  }

  @Test
  void aCyrillicLookAlikeAndTheRealNameAreBothMarkedSharedInTheHostListAndOnTheHostPage() throws Exception {
    fixture = new DashboardFixture(dir);
    FleetReports.Host real = new FleetReports.Host("lab-pc-07").ip("10.20.3.17");
    FleetReports.Host lookAlike = new FleetReports.Host(CYRILLIC_LOOK_ALIKE).ip("10.20.3.66");
    FleetReports.Host other = new FleetReports.Host("lab-pc-08").ip("10.20.3.18");
    fixture.ingest(real, Duration.ofMinutes(10));
    fixture.ingest(lookAlike, Duration.ofMinutes(10));
    fixture.ingest(other, Duration.ofMinutes(10));
    ApiClient viewer = new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);

    Map<String, Boolean> shared = sharedById(viewer.getJson("/api/v1/host-status"));

    assertThat(shared).containsEntry(real.hostId(), true).containsEntry(lookAlike.hostId(), true)
        .containsEntry(other.hostId(), false);
    assertThat(viewer.getJson("/api/v1/hosts/" + lookAlike.hostId()).get("nameShared").asBoolean()).isTrue();
    assertThat(viewer.getJson("/api/v1/hosts/" + other.hostId()).get("nameShared").asBoolean()).isFalse();
  }

  @Test
  void aFilterThatShowsOnlyOneOfTwoLookAlikesStillMarksIt() throws Exception {
    fixture = new DashboardFixture(dir);
    FleetReports.Host physics = new FleetReports.Host("lab-pc-07").lab(DashboardFixture.PHYSICS_LAB).ip("10.20.3.17");
    FleetReports.Host chemistry = new FleetReports.Host("LAB-PC-07\u200B").lab("chemistry").ip("10.30.1.7");
    fixture.ingest(physics, Duration.ofMinutes(10));
    fixture.ingest(chemistry, Duration.ofMinutes(10));
    ApiClient viewer = new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);

    JsonNode filtered = viewer.getJson("/api/v1/host-status?lab=" + DashboardFixture.PHYSICS_LAB);

    assertThat(sharedById(filtered)).containsExactlyEntriesOf(Map.of(physics.hostId(), true));
  }

  @Test
  void aLabManagerIsNotToldThatAHostOfAnotherLabCarriesALookAlike() throws Exception {
    fixture = new DashboardFixture(dir);
    FleetReports.Host physics = new FleetReports.Host("lab-pc-07").lab(DashboardFixture.PHYSICS_LAB).ip("10.20.3.17");
    FleetReports.Host chemistry = new FleetReports.Host(CYRILLIC_LOOK_ALIKE).lab("chemistry").ip("10.30.1.7");
    fixture.ingest(physics, Duration.ofMinutes(10));
    fixture.ingest(chemistry, Duration.ofMinutes(10));
    ApiClient manager = new ApiClient(fixture.base()).loggedIn(DashboardFixture.PHYSICS_MANAGER,
        DashboardFixture.PASSWORD);

    assertThat(sharedById(manager.getJson("/api/v1/host-status"))).containsExactlyEntriesOf(
        Map.of(physics.hostId(), false));
    assertThat(manager.getJson("/api/v1/hosts/" + physics.hostId()).get("nameShared").asBoolean()).isFalse();
  }

  @Test
  void theComplianceReportsHostRowsMarkSharedNames() throws Exception {
    fixture = new DashboardFixture(dir);
    FleetReports.Host real = new FleetReports.Host("lab-pc-07").ip("10.20.3.17").staleDefinitions();
    FleetReports.Host lookAlike = new FleetReports.Host(CYRILLIC_LOOK_ALIKE).ip("10.20.3.66").staleDefinitions();
    FleetReports.Host other = new FleetReports.Host("lab-pc-08").ip("10.20.3.18").staleDefinitions();
    fixture.ingest(real, Duration.ofMinutes(10));
    fixture.ingest(lookAlike, Duration.ofMinutes(10));
    fixture.ingest(other, Duration.ofMinutes(10));
    ApiClient viewer = new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);

    JsonNode report = viewer.getJson("/api/v1/reports/compliance");

    assertThat(sharedById(report.get("staleAntivirus").get("hosts"))).containsEntry(real.hostId(), true)
        .containsEntry(lookAlike.hostId(), true).containsEntry(other.hostId(), false);
  }

  @Test
  void aLabPcReportingAConfiguredMtasExactAddressShowsTheFalseClaimOnItsPage() throws Exception {
    fixture = DashboardFixture.withTrust(dir, "10.20.0.25", "10.20.0.0/16");
    FleetReports.Host liar = new FleetReports.Host("lab-pc-66").ip("10.20.0.25");
    FleetReports.Host honest = new FleetReports.Host("lab-pc-07").ip("10.20.3.17");
    fixture.ingest(liar, Duration.ofMinutes(10));
    fixture.ingest(honest, Duration.ofMinutes(10));
    ApiClient viewer = new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);

    JsonNode claims = viewer.getJson("/api/v1/hosts/" + liar.hostId()).get("mtaAddressClaims");

    assertThat(claims).hasSize(1);
    assertThat(claims.get(0).get("ip").asText()).isEqualTo("10.20.0.25");
    assertThat(claims.get(0).get("entry").asText()).isEqualTo("10.20.0.25");
    assertThat(claims.get(0).get("current").asBoolean()).isTrue();
    assertThat(claims.get(0).get("text").asText()).contains("false claim").contains(liar.hostId());
    assertThat(viewer.getJson("/api/v1/hosts/" + honest.hostId()).get("mtaAddressClaims")).isEmpty();
  }
}
