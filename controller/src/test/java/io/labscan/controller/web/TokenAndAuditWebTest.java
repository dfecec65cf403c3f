package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labscan.controller.audit.Actions;
import io.labscan.controller.audit.AuditEntry;
import io.labscan.controller.audit.AuditQuery;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * API tokens and the audit log over real HTTP: an admin creates a token (shown once), scripts
 * use it as a Bearer token for /api/v1 and /metrics but never for users, tokens or pages;
 * logins, changes and sensitive reads land in the audit log, readable and exportable by admins.
 */
class TokenAndAuditWebTest {
  @TempDir Path dir;
  DashboardFixture fixture;
  FleetReports.Host physics;
  FleetReports.Host chemistry;

  @BeforeEach
  void start() {
    fixture = new DashboardFixture(dir);
    physics = new FleetReports.Host("phys-pc-01").ip("10.20.3.11");
    chemistry = new FleetReports.Host("chem-pc-07").lab("chemistry").ip("10.30.1.7");
    fixture.ingest(physics, Duration.ofMinutes(5));
    fixture.ingest(chemistry, Duration.ofMinutes(5));
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private ApiClient admin() throws Exception {
    return new ApiClient(fixture.base()).loggedIn(DashboardFixture.ADMIN, DashboardFixture.PASSWORD);
  }

  private String createToken(ApiClient admin, ObjectNode body) throws Exception {
    HttpResponse<String> r = admin.postJson("/api/v1/tokens", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return ApiClient.JSON.readTree(r.body()).get("token").asText();
  }

  private HttpResponse<String> bearer(String token, String path) throws Exception {
    ApiClient anonymous = new ApiClient(fixture.base());
    return anonymous.send(anonymous.request(path).header("Authorization", "Bearer " + token).GET());
  }

  /** Recorded actions, oldest first. */
  private List<String> actions() {
    List<String> out = new java.util.ArrayList<>(
        fixture.audit.find(AuditQuery.all(1000)).stream().map(AuditEntry::action).toList());
    java.util.Collections.reverse(out);
    return out;
  }

  @Test
  void aTokenIsShownOnceAndTheListNeverCarriesItsSecret() throws Exception {
    ApiClient admin = admin();
    String token = createToken(admin, ApiClient.JSON.createObjectNode().put("name", "grafana").put("role", "viewer"));
    assertThat(token).startsWith("LST1.");
    HttpResponse<String> list = admin.get("/api/v1/tokens");
    assertThat(list.body()).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
    JsonNode t = ApiClient.JSON.readTree(list.body()).get(0);
    assertThat(t.get("name").asText()).isEqualTo("grafana");
    assertThat(t.get("state").asText()).isEqualTo("active");
    assertThat(t.get("lastUsed").isNull()).isTrue();
    assertThat(t.get("createdBy").asText()).isEqualTo(DashboardFixture.ADMIN);
  }

  @Test
  void aViewerTokenReadsTheApiAndTheMetricsAndItsLastUseIsShown() throws Exception {
    ApiClient admin = admin();
    String token = createToken(admin, ApiClient.JSON.createObjectNode().put("name", "grafana").put("role", "viewer"));
    HttpResponse<String> hosts = bearer(token, "/api/v1/host-status");
    assertThat(hosts.statusCode()).isEqualTo(200);
    assertThat(ApiClient.JSON.readTree(hosts.body())).hasSize(2);
    HttpResponse<String> metrics = bearer(token, "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("labscan_hosts");
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(admin.getJson("/api/v1/tokens").get(0).get("lastUsed").isNull()).isFalse());
  }

  @Test
  void aLabScopedTokenSeesOnlyItsLabAndAnotherLabsHostIs404() throws Exception {
    String token = createToken(admin(), ApiClient.JSON.createObjectNode().put("name", "physics sheet")
        .put("role", "lab-manager").set("labs", ApiClient.JSON.createArrayNode().add("physics-lab")));
    JsonNode hosts = ApiClient.JSON.readTree(bearer(token, "/api/v1/hosts?format=json").body());
    assertThat(hosts).singleElement().satisfies(h -> assertThat(h.get("hostname").asText()).isEqualTo("phys-pc-01"));
    assertThat(bearer(token, "/api/v1/hosts/" + chemistry.hostId()).statusCode()).isEqualTo(404);
    assertThat(bearer(token, "/api/v1/hosts?format=csv").body()).doesNotContain("chem-pc-07");
    assertThat(bearer(token, "/metrics").statusCode()).isEqualTo(403);
  }

  @Test
  void noTokenCanManageTokensOrUsersOrOpenAPage() throws Exception {
    String token = createToken(admin(), ApiClient.JSON.createObjectNode().put("name", "automation").put("role", "admin"));
    ApiClient anonymous = new ApiClient(fixture.base());
    HttpResponse<String> mint = anonymous.send(anonymous.request("/api/v1/tokens").header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"second\",\"role\":\"admin\"}")));
    assertThat(mint.statusCode()).isEqualTo(403);
    assertThat(bearer(token, "/api/v1/tokens").statusCode()).isEqualTo(403);
    assertThat(bearer(token, "/api/v1/session").statusCode()).isEqualTo(403);
    HttpResponse<String> page = bearer(token, "/hosts");
    assertThat(page.statusCode()).isEqualTo(302);
    assertThat(fixture.tokens.list()).hasSize(1);
    // What an admin token may do, it does without a CSRF token (no browser attaches it by itself).
    HttpResponse<String> rule = anonymous.send(anonymous.request("/api/v1/lab-rules")
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"lab\":\"chemistry\",\"kind\":\"cidr\",\"pattern\":\"10.30.0.0/16\"}")));
    assertThat(rule.statusCode()).isEqualTo(201);
    assertThat(fixture.audit.find(AuditQuery.all(10)).get(0)).satisfies(e -> {
      assertThat(e.action()).isEqualTo(Actions.LAB_RULE_ADD);
      assertThat(e.actor().kind().id()).isEqualTo("token");
      assertThat(e.actor().name()).startsWith("automation (");
    });
  }

  @Test
  void aViewerTokenCannotChangeAnythingAndAWrongTokenIs401() throws Exception {
    String token = createToken(admin(), ApiClient.JSON.createObjectNode().put("name", "grafana").put("role", "viewer"));
    ApiClient anonymous = new ApiClient(fixture.base());
    HttpResponse<String> campaign = anonymous.send(anonymous.request("/api/v1/campaigns")
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\"}")));
    assertThat(campaign.statusCode()).isEqualTo(403);
    String forged = token.substring(0, token.lastIndexOf('.') + 1) + "B".repeat(43);
    assertThat(bearer(forged, "/api/v1/hosts").statusCode()).isEqualTo(401);
    assertThat(bearer(forged, "/metrics").statusCode()).isEqualTo(401);
  }

  @Test
  void aRevokedTokenIsRefusedAtItsNextRequest() throws Exception {
    ApiClient admin = admin();
    String token = createToken(admin, ApiClient.JSON.createObjectNode().put("name", "grafana").put("role", "viewer"));
    assertThat(bearer(token, "/api/v1/hosts").statusCode()).isEqualTo(200);
    String id = token.split("\\.")[1];
    assertThat(admin.delete("/api/v1/tokens/" + id).statusCode()).isEqualTo(204);
    assertThat(bearer(token, "/api/v1/hosts").statusCode()).isEqualTo(401);
    assertThat(admin.getJson("/api/v1/tokens").get(0).get("state").asText()).isEqualTo("revoked");
    assertThat(admin.delete("/api/v1/tokens/" + id).statusCode()).isEqualTo(404);
  }

  @Test
  void onlyAnAdminManagesTokens() throws Exception {
    ApiClient viewer = new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);
    assertThat(viewer.get("/api/v1/tokens").statusCode()).isEqualTo(403);
    assertThat(viewer.postJson("/api/v1/tokens", ApiClient.JSON.createObjectNode().put("name", "x").put("role", "viewer"))
        .statusCode()).isEqualTo(403);
    ApiClient admin = admin();
    HttpResponse<String> bad = admin.postJson("/api/v1/tokens", ApiClient.JSON.createObjectNode().put("name", "x")
        .put("role", "lab-manager"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("at least one lab");
  }

  @Test
  void loginsSucceededAndFailedAreRecordedWithTheClientAddress() throws Exception {
    new ApiClient(fixture.base()).login(DashboardFixture.VIEWER, "not the right password");
    admin();
    List<AuditEntry> entries = fixture.audit.find(AuditQuery.all(10));
    assertThat(entries).extracting(AuditEntry::action).containsExactly(Actions.LOGIN, Actions.LOGIN_FAILED);
    AuditEntry failed = entries.get(1);
    assertThat(failed.actor().kind().id()).isEqualTo("anonymous");
    assertThat(failed.target()).isEqualTo(DashboardFixture.VIEWER);
    assertThat(failed.source().channel()).isEqualTo("http");
    assertThat(failed.source().address()).isEqualTo("127.0.0.1");
    assertThat(entries.get(0).actor().name()).isEqualTo(DashboardFixture.ADMIN);
  }

  @Test
  void changesAndSensitiveReadsAreRecorded() throws Exception {
    ApiClient admin = admin();
    fixture.online.add(physics.hostId());
    admin.postJson("/api/v1/lab-rules", ApiClient.JSON.createObjectNode().put("lab", "chemistry").put("kind", "cidr")
        .put("pattern", "10.30.0.0/16"));
    String campaignId = ApiClient.JSON.readTree(admin.postJson("/api/v1/campaigns", ApiClient.JSON.createObjectNode()
        .put("name", "Scan physics").put("lab", "physics-lab")).body()).get("campaignId").asText();
    admin.post("/api/v1/campaigns/" + campaignId + "/run", "application/json", new byte[0], admin.csrf());
    admin.delete("/api/v1/campaigns/" + campaignId);
    String token = createToken(admin, ApiClient.JSON.createObjectNode().put("name", "grafana").put("role", "viewer"));
    admin.delete("/api/v1/tokens/" + token.split("\\.")[1]);
    admin.get("/api/v1/hosts?format=csv");

    assertThat(actions()).containsSubsequence(Actions.LOGIN, Actions.LAB_RULE_ADD, Actions.CAMPAIGN_CREATE,
        Actions.CAMPAIGN_RUN, Actions.CAMPAIGN_DELETE, Actions.TOKEN_CREATE, Actions.TOKEN_REVOKE,
        Actions.HOSTS_EXPORT).doesNotContain(token);
    assertThat(fixture.audit.find(AuditQuery.all(100))).noneSatisfy(e ->
        assertThat(e.detail() + e.target()).contains(token.substring(token.lastIndexOf('.') + 1)));
  }

  @Test
  void theAuditApiFiltersExportsCsvAndRecordsItsOwnReading() throws Exception {
    ApiClient admin = admin();
    new ApiClient(fixture.base()).login("=cmd|' /C calc'!A0", "not the right password");
    JsonNode failed = admin.getJson("/api/v1/audit?action=login.failed");
    assertThat(failed).singleElement().satisfies(e -> assertThat(e.get("target").asText()).isEqualTo("=cmd|' /C calc'!A0"));
    assertThat(admin.getJson("/api/v1/audit?actor=" + DashboardFixture.ADMIN + "&action=login")).hasSize(1);
    assertThat(admin.getJson("/api/v1/audit?from=2000-01-01&to=2000-01-02")).isEmpty();
    assertThat(admin.get("/api/v1/audit?from=yesterday").statusCode()).isEqualTo(400);

    HttpResponse<String> csv = admin.get("/api/v1/audit?format=csv&action=login.failed");
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
    assertThat(csv.body()).contains(",\"'=cmd|' /C calc'!A0\",").doesNotContain(",=cmd").doesNotContain(",\"=cmd");
    assertThat(actions()).contains(Actions.AUDIT_READ, Actions.AUDIT_EXPORT);
  }

  @Test
  void theAuditLogIsForAdminsOnly() throws Exception {
    ApiClient viewer = new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);
    assertThat(viewer.get("/api/v1/audit").statusCode()).isEqualTo(403);
    assertThat(viewer.get("/audit").statusCode()).isEqualTo(403);
    String token = createToken(admin(), ApiClient.JSON.createObjectNode().put("name", "siem").put("role", "admin"));
    assertThat(bearer(token, "/api/v1/audit?format=csv").statusCode()).isEqualTo(200);
  }

  @Test
  void behindATrustedProxyTheAuditNamesTheForwardedClient() throws Exception {
    fixture.close();
    fixture = new DashboardFixture(dir.resolve("proxied"), List.of(io.labscan.controller.fleet.Cidr.parse("127.0.0.1/32")));
    ApiClient anonymous = new ApiClient(fixture.base());
    anonymous.send(anonymous.request("/api/v1/session").header("Content-Type", "application/json")
        .header("X-Forwarded-For", "203.0.113.99, 198.51.100.7")
        .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"it-staff\",\"password\":\"wrong password here\"}")));
    assertThat(fixture.audit.find(AuditQuery.all(1))).singleElement()
        .satisfies(e -> assertThat(e.source().address()).isEqualTo("198.51.100.7"));
  }

  @Test
  void aTriageRunIsRecordedWithItsOneSentenceAnswer() throws Exception {
    fixture.triage = message -> ApiClient.JSON.createObjectNode()
        .put("summary", "Sent by phys-pc-01 (10.20.3.11) at 17:32:11 UTC - confidence high.");
    ApiClient admin = admin();
    HttpResponse<String> r = admin.post("/api/v1/triage", "message/rfc822",
        "Received: from x\r\nSubject: complaint\r\n\r\nbody".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        admin.csrf());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(fixture.audit.find(new AuditQuery(java.util.Optional.empty(), java.util.Optional.of("triage"),
        java.util.Optional.empty(), java.util.Optional.empty(), 10))).singleElement().satisfies(e -> {
          assertThat(e.action()).isEqualTo(Actions.TRIAGE_RUN);
          assertThat(e.actor().name()).isEqualTo(DashboardFixture.ADMIN);
          assertThat(e.target()).isEmpty();
          assertThat(e.detail()).contains("bytes", "Sent by phys-pc-01");
        });
  }
}
