package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.audit.AuditQuery;
import io.labscan.controller.fleet.ComplianceHistory;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reports API over real HTTP: a lab manager's report holds only its labs, another lab's
 * report is answered exactly like an unknown lab's, bad dates get a 400 naming the parameter,
 * the CSV comes as an attachment, every read is audited, and subscriptions are checked.
 */
class ReportsApiTest {
  @TempDir Path dir;
  DashboardFixture fixture;
  String today;
  String tomorrow;

  @BeforeEach
  void start() {
    fixture = new DashboardFixture(dir);
    fixture.ingest(new FleetReports.Host("phys-pc-01").ip("10.20.3.11"), Duration.ofMinutes(5));
    fixture.ingest(new FleetReports.Host("=phys-pc-02").ip("10.20.3.12").staleDefinitions(), Duration.ofMinutes(5));
    fixture.ingest(new FleetReports.Host("chem-pc-07").lab("chemistry").ip("10.30.1.7")
        .infected("WINDOWS/SYSTEM32/WinkQRST.exe"), Duration.ofMinutes(5));
    new ComplianceHistory(fixture.fleet).snapshot();
    LocalDate day = LocalDate.now(ZoneOffset.UTC);
    today = day.toString();
    tomorrow = day.plusDays(1).toString();
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

  @Test
  void aLabManagersReportCoversOnlyItsLabs() throws Exception {
    JsonNode r = manager().getJson("/api/v1/reports/compliance?from=" + today + "&to=" + tomorrow);
    assertThat(r.get("labs")).extracting(JsonNode::asText).containsExactly(DashboardFixture.PHYSICS_LAB);
    assertThat(r.get("hosts").asInt()).isEqualTo(2);
    assertThat(r.toString()).doesNotContain("chem-pc-07", "chemistry");
    assertThat(r.get("staleAntivirus").get("hosts").get(0).get("hostname").asText()).isEqualTo("=phys-pc-02");
    JsonNode all = admin().getJson("/api/v1/reports/compliance?from=" + today + "&to=" + tomorrow);
    assertThat(all.get("labs")).extracting(JsonNode::asText).containsExactly("chemistry", DashboardFixture.PHYSICS_LAB);
    assertThat(all.get("infections").get("hosts").get(0).get("hostname").asText()).isEqualTo("chem-pc-07");
  }

  @Test
  void anotherLabsReportIsAnsweredExactlyLikeAnUnknownLabs() throws Exception {
    ApiClient manager = manager();
    HttpResponse<String> other = manager.get("/api/v1/reports/compliance?lab=chemistry");
    HttpResponse<String> unknown = manager.get("/api/v1/reports/compliance?lab=biology");
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(other.body()).isEqualTo(unknown.body().replace("biology", "chemistry"));
    assertThat(manager.get("/api/v1/reports/compliance?lab=chemistry&format=csv").body()).doesNotContain("chem-pc-07");
    assertThat(admin().get("/api/v1/reports/compliance?lab=chemistry").statusCode()).isEqualTo(200);
  }

  @Test
  void badDatesAndFormatsGetA400NamingTheParameter() throws Exception {
    ApiClient admin = admin();
    HttpResponse<String> from = admin.get("/api/v1/reports/compliance?from=2026-02-30");
    assertThat(from.statusCode()).isEqualTo(400);
    assertThat(ApiClient.JSON.readTree(from.body()).get("error").asText()).isEqualTo("from: 2026-02-30 is not a calendar date");
    HttpResponse<String> to = admin.get("/api/v1/reports/compliance?from=2020-01-01&to=2022-01-01");
    assertThat(ApiClient.JSON.readTree(to.body()).get("error").asText()).startsWith("to: the range 2020-01-01 to 2022-01-01 covers 731 days");
    HttpResponse<String> format = admin.get("/api/v1/reports/compliance?format=xlsx");
    assertThat(format.statusCode()).isEqualTo(400);
    assertThat(format.body()).contains("format: must be json or csv");
  }

  @Test
  void theCsvIsAnAttachmentWithDefusedHostNamesAndEveryReadIsAudited() throws Exception {
    HttpResponse<String> csv = manager().get("/api/v1/reports/compliance?format=csv&lab=" + DashboardFixture.PHYSICS_LAB
        + "&from=" + today + "&to=" + tomorrow);
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
    assertThat(csv.headers().firstValue("Content-Disposition")).contains("attachment; filename=\"labscan-compliance-"
        + DashboardFixture.PHYSICS_LAB + "-" + today + "-" + tomorrow + ".csv\"");
    assertThat(csv.body()).startsWith("section,day,lab,").contains(",\"'=phys-pc-02\",").doesNotContain(",=phys-pc-02").doesNotContain(",\"=phys-pc-02");
    assertThat(fixture.audit.find(AuditQuery.all(1000)).stream().filter(e -> e.action().equals("report.read")))
        .singleElement().satisfies(e -> {
          assertThat(e.actor().name()).isEqualTo(DashboardFixture.PHYSICS_MANAGER);
          assertThat(e.target()).isEqualTo(DashboardFixture.PHYSICS_LAB);
          assertThat(e.detail()).startsWith("csv, physics-lab [");
        });
  }

  @Test
  void aLabManagerSubscribesToItsLabOnlyAndAViewerCannotSubscribe() throws Exception {
    ApiClient manager = manager();
    HttpResponse<String> other = manager.postJson("/api/v1/reports/subscriptions", ApiClient.JSON.createObjectNode()
        .put("lab", "chemistry").put("cadence", "weekly").put("email", "physics-office@campus.example"));
    assertThat(other.statusCode()).isEqualTo(403);
    HttpResponse<String> ok = manager.postJson("/api/v1/reports/subscriptions", ApiClient.JSON.createObjectNode()
        .put("lab", DashboardFixture.PHYSICS_LAB).put("cadence", "weekly").put("email", "physics-office@campus.example"));
    assertThat(ok.statusCode()).isEqualTo(201);
    String id = ApiClient.JSON.readTree(ok.body()).get("subscriptionId").asText();
    assertThat(manager.getJson("/api/v1/reports/subscriptions")).singleElement()
        .satisfies(s -> assertThat(s.get("email").asText()).isEqualTo("physics-office@campus.example"));
    ApiClient viewer = new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);
    assertThat(viewer.get("/api/v1/reports/subscriptions").statusCode()).isEqualTo(403);
    assertThat(viewer.delete("/api/v1/reports/subscriptions/" + id).statusCode()).isEqualTo(403);
    assertThat(manager.delete("/api/v1/reports/subscriptions/" + id).statusCode()).isEqualTo(204);
    assertThat(manager.getJson("/api/v1/reports/subscriptions")).isEmpty();
    assertThat(fixture.audit.find(AuditQuery.all(1000))).extracting(e -> e.action())
        .contains("report.subscribe", "report.unsubscribe");
  }

  @Test
  void aSubscribedAddressIsConfirmedByItsOwnerThroughTheAnonymousLinkAndTheApiShowsTheState() throws Exception {
    ApiClient manager = manager();
    HttpResponse<String> created = manager.postJson("/api/v1/reports/subscriptions", ApiClient.JSON.createObjectNode()
        .put("lab", DashboardFixture.PHYSICS_LAB).put("cadence", "weekly").put("email", "physics-office@campus.example"));
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode subscription = ApiClient.JSON.readTree(created.body());
    assertThat(subscription.get("confirmed").asBoolean()).isFalse();
    assertThat(subscription.get("confirmation").asText()).isEqualTo("mail-due");
    String id = subscription.get("subscriptionId").asText();

    // The report job's confirmation round, as serve runs it every minute.
    java.util.List<io.labscan.controller.report.ReportMailer.Mail> mails = new java.util.concurrent.CopyOnWriteArrayList<>();
    new io.labscan.controller.report.ReportSubscriptions(fixture.store, fixture.clock).confirmations()
        .sendDue(m -> {
          mails.add(m);
          return "<1@labscan.test>";
        }, java.util.Optional.of(java.net.URI.create(fixture.base())));
    java.util.regex.Matcher link = java.util.regex.Pattern.compile(
        java.util.regex.Pattern.quote(fixture.base()) + "/reports/confirm\\?token=([A-Za-z0-9_-]{43})")
        .matcher(mails.get(0).text());
    assertThat(link.find()).isTrue();
    String token = link.group(1);
    JsonNode pending = manager.getJson("/api/v1/reports/subscriptions").get(0);
    assertThat(pending.get("confirmation").asText()).isEqualTo("pending");
    assertThat(pending.get("confirmationExpires").isTextual()).isTrue();

    ApiClient owner = new ApiClient(fixture.base()); // the address's owner: no LabScan account
    HttpResponse<String> page = owner.get("/reports/confirm?token=" + token);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("id=\"confirm-form\"").doesNotContain(token);
    assertThat(ApiClient.JSON.readTree(manager.getJson("/api/v1/reports/subscriptions").toString()).get(0)
        .get("confirmed").asBoolean()).as("opening the page confirms nothing").isFalse();
    HttpResponse<String> confirmed = owner.postJson("/api/v1/reports/confirm",
        ApiClient.JSON.createObjectNode().put("token", token));
    assertThat(confirmed.statusCode()).isEqualTo(200);
    assertThat(ApiClient.JSON.readTree(confirmed.body()).get("email").asText()).isEqualTo("physics-office@campus.example");
    assertThat(owner.postJson("/api/v1/reports/confirm", ApiClient.JSON.createObjectNode().put("token", token))
        .statusCode()).as("single use").isEqualTo(404);
    assertThat(owner.postJson("/api/v1/reports/confirm", ApiClient.JSON.createObjectNode().put("token", "x' OR 1=1"))
        .statusCode()).isEqualTo(400);

    JsonNode now = manager.getJson("/api/v1/reports/subscriptions").get(0);
    assertThat(now.get("confirmed").asBoolean()).isTrue();
    assertThat(now.get("confirmation").asText()).isEqualTo("confirmed");
    HttpResponse<String> again = manager.postJson("/api/v1/reports/subscriptions/" + id + "/confirmation",
        ApiClient.JSON.createObjectNode());
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(again.body()).contains("is confirmed already");
    assertThat(fixture.audit.find(AuditQuery.all(1000))).extracting(e -> e.action()).contains("report.confirm");
  }
}
