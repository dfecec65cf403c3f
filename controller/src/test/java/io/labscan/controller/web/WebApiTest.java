package io.labscan.controller.web;

import io.labscan.controller.account.Sessions;
import io.labscan.controller.fleet.LabRules;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import io.labscan.controller.trust.EnrolmentTokens;
import io.labscan.controller.trust.TrustRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.labscan.controller.TestReports;
import io.labscan.controller.store.ReportImport;
import io.labscan.proto.v1.Report;
import org.junit.jupiter.api.io.TempDir;

/** The JSON API over real HTTP: access control, CSRF, roles, and what the endpoints answer. */
class WebApiTest {
  @TempDir Path dir;
  DashboardFixture fixture;
  ApiClient anonymous;

  @BeforeEach
  void start() {
    fixture = new DashboardFixture(dir);
    anonymous = new ApiClient(fixture.base());
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private ApiClient admin() throws Exception {
    return new ApiClient(fixture.base()).loggedIn(DashboardFixture.ADMIN, DashboardFixture.PASSWORD);
  }

  private ApiClient viewer() throws Exception {
    return new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);
  }

  private static ObjectNode json() {
    return ApiClient.JSON.createObjectNode();
  }

  @Test
  void healthzAnswersWithoutLogin() throws Exception {
    HttpResponse<String> r = anonymous.get("/healthz");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok\ndatabase: reachable\n");
  }

  @Test
  void apiWithoutSessionIs401() throws Exception {
    for (String path : new String[] {"/api/v1/hosts", "/api/v1/overview", "/api/v1/session", "/api/v1/campaigns"}) {
      assertThat(anonymous.get(path).statusCode()).as(path).isEqualTo(401);
    }
  }

  @Test
  void pagesAndTheirScriptsWithoutSessionRedirectToLogin() throws Exception {
    for (String path : new String[] {"/", "/hosts", "/triage", "/assets/app.js"}) {
      HttpResponse<String> r = anonymous.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(302);
      assertThat(r.headers().firstValue("Location")).as(path).hasValue("/login");
    }
    assertThat(anonymous.get("/login").statusCode()).isEqualTo(200);
    assertThat(anonymous.get("/assets/login.js").statusCode()).isEqualTo(200);
  }

  @Test
  void metricsNeedASessionOrBasicCredentials() throws Exception {
    assertThat(anonymous.get("/metrics").statusCode()).isEqualTo(401);
    String basic = Base64.getEncoder().encodeToString(
        (DashboardFixture.VIEWER + ":" + DashboardFixture.PASSWORD).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = anonymous.send(anonymous.request("/metrics").header("Authorization", "Basic " + basic).GET());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("labscan_agents_connected", "labscan_reports_ingested_total",
        "labscan_report_ingest_seconds_bucket", "labscan_hosts{verdict=\"INFECTED\"}");
  }

  @Test
  void loginSetsAnHttpOnlySameSiteStrictCookieAndReturnsTheCsrfToken() throws Exception {
    HttpResponse<String> r = anonymous.login(DashboardFixture.ADMIN, DashboardFixture.PASSWORD);
    assertThat(r.statusCode()).isEqualTo(200);
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).startsWith(Sessions.COOKIE + "=").contains("HttpOnly", "SameSite=Strict", "Path=/")
        .doesNotContain("Secure");
    JsonNode body = ApiClient.JSON.readTree(r.body());
    assertThat(body.get("role").asText()).isEqualTo("admin");
    assertThat(body.get("csrfToken").asText()).hasSizeGreaterThan(30);
    assertThat(anonymous.getJson("/api/v1/session").get("username").asText()).isEqualTo(DashboardFixture.ADMIN);
  }

  @Test
  void wrongPasswordIs401AndDoesNotSayWhichPartWasWrong() throws Exception {
    HttpResponse<String> wrongPassword = anonymous.login(DashboardFixture.ADMIN, "not the password at all");
    HttpResponse<String> noSuchUser = anonymous.login("nobody", "not the password at all");
    assertThat(wrongPassword.statusCode()).isEqualTo(401);
    assertThat(noSuchUser.statusCode()).isEqualTo(401);
    assertThat(wrongPassword.body()).isEqualTo(noSuchUser.body());
  }

  @Test
  void fiveFailedLoginsLockTheUserOutEvenWithTheRightPassword() throws Exception {
    for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
      assertThat(anonymous.login(DashboardFixture.VIEWER, "guess number " + i).statusCode()).isEqualTo(401);
    }
    HttpResponse<String> r = anonymous.login(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  void loginAsAFormPostIsRefused() throws Exception {
    HttpResponse<String> r = anonymous.post("/api/v1/session", "application/x-www-form-urlencoded",
        ("username=" + DashboardFixture.ADMIN + "&password=x").getBytes(StandardCharsets.UTF_8), null);
    assertThat(r.statusCode()).isEqualTo(415);
  }

  @Test
  void aChangeWithoutTheCsrfTokenIs403() throws Exception {
    ApiClient admin = admin();
    byte[] rule = json().put("lab", "chemistry").put("kind", "cidr").put("pattern", "10.30.0.0/16").toString()
        .getBytes(StandardCharsets.UTF_8);
    assertThat(admin.post("/api/v1/lab-rules", "application/json", rule, null).statusCode()).isEqualTo(403);
    assertThat(admin.post("/api/v1/lab-rules", "application/json", rule, "forged-token").statusCode()).isEqualTo(403);
    assertThat(admin.post("/api/v1/lab-rules", "application/json", rule, admin.csrf()).statusCode()).isEqualTo(201);
  }

  @Test
  void aChangeFromAnotherOriginIs403EvenWithTheToken() throws Exception {
    ApiClient admin = admin();
    HttpResponse<String> r = admin.send(admin.request("/api/v1/campaigns")
        .header("Content-Type", "application/json").header("X-CSRF-Token", admin.csrf())
        .header("Origin", "http://evil.example")
        .POST(HttpRequest.BodyPublishers.ofString(json().put("name", "x").toString())));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(fixture.campaigns.list()).isEmpty();
  }

  @Test
  void aViewerCannotStartACampaignButAnAdminCan() throws Exception {
    FleetReports.Host pc = new FleetReports.Host("phys-pc-01");
    fixture.ingest(pc, Duration.ofMinutes(5));
    fixture.online.add(pc.hostId());
    ObjectNode campaign = json().put("name", "Scan physics now").put("lab", "physics-lab");

    assertThat(viewer().postJson("/api/v1/campaigns", campaign).statusCode()).isEqualTo(403);
    assertThat(fixture.sent).isEmpty();

    HttpResponse<String> r = admin().postJson("/api/v1/campaigns", campaign);
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(fixture.sent).singleElement().satisfies(e -> {
      assertThat(e.getKey()).isEqualTo(pc.hostId());
      assertThat(e.getValue().getScanNow().getCampaignId())
          .isEqualTo(ApiClient.JSON.readTree(r.body()).get("campaignId").asText());
    });
  }

  @Test
  void aViewerCannotTriageOrChangeLabRules() throws Exception {
    ApiClient viewer = viewer();
    assertThat(viewer.post("/api/v1/triage", "message/rfc822", "Subject: x\r\n\r\nx".getBytes(StandardCharsets.UTF_8),
        viewer.csrf()).statusCode()).isEqualTo(403);
    assertThat(viewer.postJson("/api/v1/lab-rules", json().put("lab", "a").put("kind", "cidr")
        .put("pattern", "10.0.0.0/8")).statusCode()).isEqualTo(403);
    assertThat(viewer.get("/triage").statusCode()).isEqualTo(403);
    assertThat(fixture.triaged).isEmpty();
  }

  @Test
  void everyResponseCarriesTheSecurityHeaders() throws Exception {
    for (HttpResponse<String> r : new HttpResponse[] {anonymous.get("/login"), anonymous.get("/api/v1/hosts"),
        admin().get("/api/v1/hosts")}) {
      assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(WebServer.CONTENT_SECURITY_POLICY);
      assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
      assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
      assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    }
    assertThat(WebServer.CONTENT_SECURITY_POLICY).contains("default-src 'self'", "frame-ancestors 'none'")
        .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
  }

  @Test
  void hostsKeepsTheCliJsonShape() throws Exception {
    FleetReports.Host pc = new FleetReports.Host("phys-pc-01").ip("10.20.3.17");
    fixture.ingest(pc, Duration.ofMinutes(5));
    JsonNode host = admin().getJson("/api/v1/hosts").get(0);
    assertThat(host.get("hostId").asText()).isEqualTo(pc.hostId());
    assertThat(host.get("hostname").asText()).isEqualTo("phys-pc-01");
    assertThat(host.get("addresses").get(0).asText()).isEqualTo("10.20.3.17");
    assertThat(host.get("lab").asText()).isEqualTo("physics-lab");
    assertThat(host.has("lastFullScan")).isTrue();
  }

  @Test
  void aHostsViewShowsWhenItsAgentCertificateEnds() throws Exception {
    FleetReports.Host pc = new FleetReports.Host("phys-pc-01");
    fixture.ingest(pc, Duration.ofMinutes(5));
    Instant ends = Instant.parse("2027-11-27T09:00:00Z");
    var token = new EnrolmentTokens(fixture.store, "q0bV3Q6mI0H2p4m2s7pYqv0wX3b1c8n9z5k4j6h7g8f")
        .issueFor(pc.hostId(), "", Duration.ofHours(1), Instant.now());
    fixture.store.redeem(token.tokenId(), token.secretHash(),
        new TrustRepository.EnrolledHost(pc.hostId(), "phys-pc-01", "1f2e", ends), Instant.now()).join();

    JsonNode certificate = admin().getJson("/api/v1/hosts/" + pc.hostId()).get("certificate");

    assertThat(certificate.get("serial").asText()).isEqualTo("1f2e");
    assertThat(certificate.get("ends").asText()).isEqualTo(ends.toString());
    assertThat(certificate.get("renewed").isNull()).isTrue();
  }

  @Test
  void aHostsViewSaysWhoImportedWhichReportFromWhichFile() throws Exception {
    Report report = TestReports.fullScan(TestReports.newHostId(), "air-gapped-07", Instant.now(), 1, "10.20.9.7");
    Instant at = Instant.parse("2026-12-06T10:15:00Z");
    fixture.store.ingestImported(report, new ReportImport(report.getReportId(), report.getInventory().getHostId(),
        "/media/usb/air-gapped-07.json", "lmanager", at)).join();

    JsonNode host = admin().getJson("/api/v1/hosts/" + report.getInventory().getHostId());

    String provenance = "imported from /media/usb/air-gapped-07.json by lmanager at " + at;
    assertThat(host.get("reports").get(0).get("provenance").asText()).isEqualTo(provenance);
    assertThat(host.get("imports").get(0).get("importedBy").asText()).isEqualTo("lmanager");
    assertThat(host.get("imports").get(0).get("file").asText()).isEqualTo("/media/usb/air-gapped-07.json");
  }

  @Test
  void csvExportIsAnAttachmentWithFormulasDefused() throws Exception {
    fixture.ingest(new FleetReports.Host("=HYPERLINK(\"http://x\",\"y\")"), Duration.ofMinutes(5));
    HttpResponse<String> r = viewer().get("/api/v1/hosts?format=csv");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
    assertThat(r.headers().firstValue("Content-Disposition").orElseThrow()).contains("attachment");
    assertThat(r.body()).contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  }

  @Test
  void overviewCountsHostsByVerdictAndCompliance() throws Exception {
    fixture.ingest(new FleetReports.Host("phys-pc-01"), Duration.ofMinutes(5));
    fixture.ingest(new FleetReports.Host("phys-pc-02").staleDefinitions(), Duration.ofMinutes(5));
    fixture.ingest(new FleetReports.Host("phys-pc-03").infected("WINDOWS/SYSTEM32/WinkABCD.exe"), Duration.ofMinutes(5));
    JsonNode o = viewer().getJson("/api/v1/overview");
    assertThat(o.get("hosts").asInt()).isEqualTo(3);
    assertThat(o.get("compliant").asInt()).isEqualTo(1);
    assertThat(o.get("verdicts").get("CLEAN").asInt()).isEqualTo(1);
    assertThat(o.get("verdicts").get("AT_RISK").asInt()).isEqualTo(1);
    assertThat(o.get("verdicts").get("INFECTED").asInt()).isEqualTo(1);
    assertThat(o.get("labs").get(0).get("percent").asDouble()).isEqualTo(33.3);
  }

  @Test
  void hostStatusFiltersByVerdictAndText() throws Exception {
    fixture.ingest(new FleetReports.Host("phys-pc-01"), Duration.ofMinutes(5));
    fixture.ingest(new FleetReports.Host("chem-pc-07").lab("chemistry").ip("10.30.1.7")
        .infected("WINDOWS/SYSTEM32/WinkABCD.exe"), Duration.ofMinutes(5));
    ApiClient viewer = viewer();
    assertThat(viewer.getJson("/api/v1/host-status?verdict=INFECTED")).singleElement()
        .satisfies(h -> assertThat(h.get("hostname").asText()).isEqualTo("chem-pc-07"));
    assertThat(viewer.getJson("/api/v1/host-status?q=10.30.1")).singleElement()
        .satisfies(h -> assertThat(h.get("lab").asText()).isEqualTo("chemistry"));
  }

  @Test
  void aLabRuleMovesHostsIntoItsLab() throws Exception {
    FleetReports.Host pc = new FleetReports.Host("CHEM-PC-12").lab("");
    fixture.ingest(pc, Duration.ofMinutes(5));
    ApiClient admin = admin();
    assertThat(admin.getJson("/api/v1/hosts/" + pc.hostId()).get("lab").asText()).isEqualTo(LabRules.UNASSIGNED);
    assertThat(admin.postJson("/api/v1/lab-rules", json().put("lab", "chemistry").put("kind", "hostname")
        .put("pattern", "chem-*")).statusCode()).isEqualTo(201);
    JsonNode host = admin.getJson("/api/v1/hosts/" + pc.hostId());
    assertThat(host.get("lab").asText()).isEqualTo("chemistry");
    assertThat(host.get("labSource").asText()).isEqualTo("rule");
  }

  @Test
  void aBadLabRuleIs400WithTheReason() throws Exception {
    HttpResponse<String> r = admin().postJson("/api/v1/lab-rules", json().put("lab", "chemistry").put("kind", "cidr")
        .put("pattern", "lab.example.org/24"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(ApiClient.JSON.readTree(r.body()).get("error").asText()).contains("not an IP address");
  }

  @Test
  void triageHandsTheRawMessageToTheRunnerAndReturnsItsAnswer() throws Exception {
    fixture.triage = message -> ApiClient.JSON.createObjectNode().put("verdict", "traced").put("hostId", "h-1");
    byte[] eml = "Received: from pc17 ([10.20.3.17]) by mx.example.edu\r\nSubject: let's be friends\r\n\r\nhi\r\n"
        .getBytes(StandardCharsets.UTF_8);
    ApiClient admin = admin();
    HttpResponse<String> r = admin.post("/api/v1/triage", "message/rfc822", eml, admin.csrf());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(ApiClient.JSON.readTree(r.body()).get("result").get("verdict").asText()).isEqualTo("traced");
    assertThat(fixture.triaged).singleElement().isEqualTo(eml);
  }

  @Test
  void triageOfSomethingThatIsNotMailIs422WithTheReason() throws Exception {
    fixture.triage = message -> {
      throw new TriageRunner.NotAMailMessage("no header section");
    };
    ApiClient admin = admin();
    HttpResponse<String> r = admin.post("/api/v1/triage", "text/plain", "hello".getBytes(StandardCharsets.UTF_8),
        admin.csrf());
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.body()).contains("no header section");
  }

  @Test
  void logoutEndsTheSession() throws Exception {
    ApiClient admin = admin();
    assertThat(admin.delete("/api/v1/session").statusCode()).isEqualTo(204);
    assertThat(admin.get("/api/v1/hosts").statusCode()).isEqualTo(401);
  }

  @Test
  void unknownHostIs404() throws Exception {
    assertThat(viewer().get("/api/v1/hosts/0b9c2f7e-4f43-4a52-9d62-9d0f6b1a2c3d").statusCode()).isEqualTo(404);
  }
}
