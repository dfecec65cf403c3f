package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SMTP quarantine through the JSON API: admins order it, everybody sees it, compliance counts it. */
class QuarantineApiTest {
  @TempDir Path dir;
  DashboardFixture fixture;
  FleetReports.Host pc07;

  @BeforeEach
  void start() {
    fixture = new DashboardFixture(dir);
    pc07 = new FleetReports.Host("lab-pc-07").ip("10.20.3.17");
    fixture.ingest(pc07, Duration.ofMinutes(10));
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private static JsonNode reason(String text) {
    return ApiClient.JSON.createObjectNode().put("reason", text);
  }

  @Test
  void anAdminQuarantinesAHostAndItsViewShowsWhoWhenAndWhy() throws Exception {
    ApiClient admin = new ApiClient(fixture.base()).loggedIn(DashboardFixture.ADMIN, DashboardFixture.PASSWORD);

    HttpResponse<String> response = admin.postJson("/api/v1/hosts/" + pc07.hostId() + "/quarantine",
        reason("worm mail to Janet"));

    assertThat(response.statusCode()).isEqualTo(201);
    JsonNode host = admin.getJson("/api/v1/hosts/" + pc07.hostId());
    assertThat(host.get("quarantined").asBoolean()).isTrue();
    assertThat(host.get("quarantine").get("order").get("by").asText()).isEqualTo("it-staff (web)");
    assertThat(host.get("quarantine").get("order").get("reason").asText()).isEqualTo("worm mail to Janet");
    assertThat(host.get("quarantine").get("agent").isNull()).isTrue();
    assertThat(host.get("quarantine").get("history")).hasSize(1);
  }

  @Test
  void aQuarantinedHostIsOutOfComplianceWithTheReasonQuarantined() throws Exception {
    ApiClient admin = new ApiClient(fixture.base()).loggedIn(DashboardFixture.ADMIN, DashboardFixture.PASSWORD);

    admin.postJson("/api/v1/hosts/" + pc07.hostId() + "/quarantine", reason("worm"));

    JsonNode host = admin.getJson("/api/v1/hosts/" + pc07.hostId());
    assertThat(host.get("compliance").get("compliant").asBoolean()).isFalse();
    assertThat(host.get("compliance").get("notQuarantined").asBoolean()).isFalse();
    assertThat(host.get("compliance").get("shortfalls")).extracting(JsonNode::asText).contains("quarantined");
  }

  @Test
  void aReleaseIsRecordedInTheHistoryAndLiftsTheShortfall() throws Exception {
    ApiClient admin = new ApiClient(fixture.base()).loggedIn(DashboardFixture.ADMIN, DashboardFixture.PASSWORD);
    admin.postJson("/api/v1/hosts/" + pc07.hostId() + "/quarantine", reason("worm"));

    HttpResponse<String> response = admin.postJson("/api/v1/hosts/" + pc07.hostId() + "/release", reason("reimaged"));

    assertThat(response.statusCode()).isEqualTo(201);
    JsonNode host = admin.getJson("/api/v1/hosts/" + pc07.hostId());
    assertThat(host.get("quarantined").asBoolean()).isFalse();
    assertThat(host.get("compliance").get("shortfalls")).extracting(JsonNode::asText).doesNotContain("quarantined");
    assertThat(host.get("quarantine").get("history")).extracting(h -> h.get("quarantined").asBoolean())
        .containsExactly(true, false);
  }

  @Test
  void aViewerCannotQuarantine() throws Exception {
    ApiClient viewer = new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);

    HttpResponse<String> response = viewer.postJson("/api/v1/hosts/" + pc07.hostId() + "/quarantine", reason("x"));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(viewer.getJson("/api/v1/hosts/" + pc07.hostId()).get("quarantined").asBoolean()).isFalse();
  }

  @Test
  void quarantiningAnUnknownHostIs404() throws Exception {
    ApiClient admin = new ApiClient(fixture.base()).loggedIn(DashboardFixture.ADMIN, DashboardFixture.PASSWORD);

    assertThat(admin.postJson("/api/v1/hosts/00000000-0000-4000-8000-000000000000/quarantine", reason("x"))
        .statusCode()).isEqualTo(404);
  }
}
