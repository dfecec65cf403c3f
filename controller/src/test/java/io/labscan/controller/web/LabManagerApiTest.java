package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labscan.controller.account.Role;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lab manager over real HTTP sees its own labs and nothing of the others: every list is
 * filtered, another lab's host or campaign is answered exactly like an unknown id, campaigns
 * target only its labs, and triage, settings, tokens and the audit log stay closed.
 */
class LabManagerApiTest {
  @TempDir Path dir;
  DashboardFixture fixture;
  FleetReports.Host physics1;
  FleetReports.Host physics2;
  FleetReports.Host chemistry;

  @BeforeEach
  void start() {
    fixture = new DashboardFixture(dir);
    physics1 = new FleetReports.Host("phys-pc-01").ip("10.20.3.11");
    physics2 = new FleetReports.Host("phys-pc-02").ip("10.20.3.12").infected("WINDOWS/SYSTEM32/WinkABCD.exe");
    chemistry = new FleetReports.Host("chem-pc-07").lab("chemistry").ip("10.30.1.7")
        .infected("WINDOWS/SYSTEM32/WinkQRST.exe");
    fixture.ingest(physics1, Duration.ofMinutes(5));
    fixture.ingest(physics2, Duration.ofMinutes(5));
    fixture.ingest(chemistry, Duration.ofMinutes(5));
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private ApiClient manager() throws Exception {
    return new ApiClient(fixture.base()).loggedIn(DashboardFixture.PHYSICS_MANAGER, DashboardFixture.PASSWORD);
  }

  private ApiClient admin() throws Exception {
    return new ApiClient(fixture.base()).loggedIn(DashboardFixture.ADMIN, DashboardFixture.PASSWORD);
  }

  private static List<String> field(JsonNode array, String name) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.get(name).asText()));
    return out;
  }

  @Test
  void theSessionNamesTheRoleAndTheLabs() throws Exception {
    JsonNode session = manager().getJson("/api/v1/session");
    assertThat(session.get("role").asText()).isEqualTo("lab-manager");
    assertThat(session.get("labs").get(0).asText()).isEqualTo(DashboardFixture.PHYSICS_LAB);
    assertThat(admin().getJson("/api/v1/session").get("labs").isNull()).isTrue();
  }

  @Test
  void everyHostListShowsOnlyTheManagersLabs() throws Exception {
    ApiClient manager = manager();
    Set<String> own = Set.of(physics1.hostId(), physics2.hostId());
    assertThat(field(manager.getJson("/api/v1/host-status"), "hostId")).containsExactlyInAnyOrderElementsOf(own);
    assertThat(field(manager.getJson("/api/v1/hosts"), "hostId")).containsExactlyInAnyOrderElementsOf(own);
    assertThat(field(manager.getJson("/api/v1/infected"), "hostId")).containsExactly(physics2.hostId());
    assertThat(field(manager.getJson("/api/v1/labs"), "lab")).containsExactly(DashboardFixture.PHYSICS_LAB);
    JsonNode overview = manager.getJson("/api/v1/overview");
    assertThat(overview.get("hosts").asInt()).isEqualTo(2);
    assertThat(overview.get("verdicts").get("INFECTED").asInt()).isEqualTo(1);
    assertThat(field(overview.get("labs"), "lab")).containsExactly(DashboardFixture.PHYSICS_LAB);
    // Filtering by the other lab's name, or searching for its host, finds nothing either.
    assertThat(manager.getJson("/api/v1/host-status?lab=chemistry")).isEmpty();
    assertThat(manager.getJson("/api/v1/hosts?q=chem-pc")).isEmpty();
    // The admin still sees all three.
    assertThat(admin().getJson("/api/v1/host-status")).hasSize(3);
  }

  @Test
  void anotherLabsHostByIdIsAnsweredExactlyLikeAnUnknownId() throws Exception {
    ApiClient manager = manager();
    HttpResponse<String> other = manager.get("/api/v1/hosts/" + chemistry.hostId());
    HttpResponse<String> unknown = manager.get("/api/v1/hosts/00000000-0000-4000-8000-000000000000");
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(other.body()).doesNotContain("chem-pc-07")
        .isEqualTo(unknown.body().replace("00000000-0000-4000-8000-000000000000", chemistry.hostId()));
    assertThat(manager.getJson("/api/v1/hosts/" + physics1.hostId()).get("hostname").asText()).isEqualTo("phys-pc-01");
    assertThat(admin().get("/api/v1/hosts/" + chemistry.hostId()).statusCode()).isEqualTo(200);
  }

  @Test
  void theExportCarriesOnlyTheManagersLabs() throws Exception {
    HttpResponse<String> csv = manager().get("/api/v1/hosts?format=csv");
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.body()).contains("phys-pc-01", "phys-pc-02").doesNotContain("chem-pc-07", chemistry.hostId());
    HttpResponse<String> json = manager().get("/api/v1/hosts?format=json&download=1&lab=chemistry");
    assertThat(json.body()).doesNotContain("chem-pc-07");
  }

  @Test
  void theTrendAndTheLabRulesShowOnlyTheManagersLabs() throws Exception {
    ApiClient admin = admin();
    admin.postJson("/api/v1/lab-rules", ApiClient.JSON.createObjectNode().put("lab", "chemistry").put("kind", "cidr")
        .put("pattern", "10.30.0.0/16"));
    admin.postJson("/api/v1/lab-rules", ApiClient.JSON.createObjectNode().put("lab", DashboardFixture.PHYSICS_LAB)
        .put("kind", "hostname").put("pattern", "phys-*"));
    ApiClient manager = manager();
    assertThat(field(manager.getJson("/api/v1/lab-rules"), "lab")).containsExactly(DashboardFixture.PHYSICS_LAB);
    JsonNode trend = manager.getJson("/api/v1/trend?days=3");
    assertThat(field(trend.get("labs"), "lab")).containsExactly(DashboardFixture.PHYSICS_LAB);
    JsonNode today = trend.get("all").get(trend.get("all").size() - 1);
    assertThat(today.get("hosts").asInt()).isEqualTo(2);
  }

  @Test
  void aManagerStartsACampaignForItsLabAndOnlyItsHostsAreAsked() throws Exception {
    fixture.online.addAll(List.of(physics1.hostId(), physics2.hostId(), chemistry.hostId()));
    HttpResponse<String> r = manager().postJson("/api/v1/campaigns",
        ApiClient.JSON.createObjectNode().put("name", "Scan physics now").put("lab", DashboardFixture.PHYSICS_LAB));
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(fixture.sent).extracting(e -> e.getKey())
        .containsExactlyInAnyOrder(physics1.hostId(), physics2.hostId());
    assertThat(ApiClient.JSON.readTree(r.body()).get("createdBy").asText()).isEqualTo(DashboardFixture.PHYSICS_MANAGER);
  }

  @Test
  void aManagerCannotCampaignAnotherLabOrEveryHost() throws Exception {
    fixture.online.add(chemistry.hostId());
    ApiClient manager = manager();
    ObjectNode other = ApiClient.JSON.createObjectNode().put("name", "Scan chemistry").put("lab", "chemistry");
    ObjectNode everyone = ApiClient.JSON.createObjectNode().put("name", "Scan everything");
    assertThat(manager.postJson("/api/v1/campaigns", other).statusCode()).isEqualTo(403);
    assertThat(manager.postJson("/api/v1/campaigns", everyone).statusCode()).isEqualTo(403);
    assertThat(fixture.sent).isEmpty();
    assertThat(fixture.campaigns.list()).isEmpty();
  }

  @Test
  void anotherLabsCampaignIsInvisibleAndCannotBeRunOrDeleted() throws Exception {
    fixture.online.add(chemistry.hostId());
    JsonNode chem = ApiClient.JSON.readTree(admin().postJson("/api/v1/campaigns", ApiClient.JSON.createObjectNode()
        .put("name", "Nightly chemistry").put("lab", "chemistry").put("cron", "0 0 1 * * ?")).body());
    JsonNode all = ApiClient.JSON.readTree(admin().postJson("/api/v1/campaigns", ApiClient.JSON.createObjectNode()
        .put("name", "Nightly everyone").put("cron", "0 0 2 * * ?")).body());
    ApiClient manager = manager();
    assertThat(manager.getJson("/api/v1/campaigns")).isEmpty();
    for (JsonNode c : List.of(chem, all)) {
      String id = c.get("campaignId").asText();
      assertThat(manager.get("/api/v1/campaigns/" + id).statusCode()).isEqualTo(404);
      assertThat(manager.post("/api/v1/campaigns/" + id + "/run", "application/json", new byte[0], manager.csrf())
          .statusCode()).isEqualTo(404);
      assertThat(manager.delete("/api/v1/campaigns/" + id).statusCode()).isEqualTo(404);
    }
    assertThat(fixture.sent).isEmpty();
    assertThat(fixture.campaigns.list()).hasSize(2);
  }

  @Test
  void aManagerReachesNeitherTriageNorSettingsTokensOrTheAuditLog() throws Exception {
    ApiClient manager = manager();
    assertThat(manager.post("/api/v1/triage", "message/rfc822", "Subject: x\r\n\r\nx".getBytes(StandardCharsets.UTF_8),
        manager.csrf()).statusCode()).isEqualTo(403);
    assertThat(manager.post("/api/v1/triage/record", "message/rfc822",
        "Subject: x\r\n\r\nx".getBytes(StandardCharsets.UTF_8), manager.csrf()).statusCode()).isEqualTo(403);
    for (String path : new String[] {"/triage", "/settings", "/tokens", "/audit", "/api/v1/triage/sample",
        "/api/v1/settings/trusted-mtas", "/api/v1/tokens", "/api/v1/audit"}) {
      assertThat(manager.get(path).statusCode()).as(path).isEqualTo(403);
    }
    assertThat(manager.postJson("/api/v1/lab-rules", ApiClient.JSON.createObjectNode().put("lab", "physics-lab")
        .put("kind", "cidr").put("pattern", "10.30.0.0/16")).statusCode()).isEqualTo(403);
    assertThat(fixture.triaged).isEmpty();
  }

  @Test
  void fleetWideMetricsAreNotForALabManager() throws Exception {
    assertThat(manager().get("/metrics").statusCode()).isEqualTo(403);
  }

  @Test
  void aNewLabForTheManagerAppliesAtItsNextRequest() throws Exception {
    ApiClient manager = manager();
    assertThat(manager.get("/api/v1/hosts/" + chemistry.hostId()).statusCode()).isEqualTo(404);
    fixture.accounts.setRole(DashboardFixture.PHYSICS_MANAGER, Role.LAB_MANAGER,
        Set.of(DashboardFixture.PHYSICS_LAB, "chemistry"));
    assertThat(manager.get("/api/v1/hosts/" + chemistry.hostId()).statusCode()).isEqualTo(200);
    assertThat(manager.getJson("/api/v1/host-status")).hasSize(3);
  }
}
