package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.cli.DemoStory;
import io.labscan.controller.complaint.ComplaintTriage;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.testsupport.TestWiring;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's simulated Klez lab as the dashboard's JSON API shows it: loaded through the import
 * path into a real store, served over real HTTP, triaged by the real engine.
 */
class DemoStoryWebApiTest {
  @TempDir Path dir;
  DashboardFixture fixture;
  ApiClient admin;

  @BeforeEach
  void loadTheStory() throws Exception {
    fixture = new DashboardFixture(dir);
    DemoStory.Loaded loaded = DemoStory.load(fixture.store, fixture.ingestor, fixture.verdicts,
        TestWiring.policies(fixture.store, fixture.clock), fixture.clock, dir.resolve("demo-story"));
    fixture.triage = new EngineTriageRunner(new ComplaintTriage(fixture.store, fixture.verdicts,
        TrustConfig.of(loaded.trustedMtas()), fixture.clock));
    admin = new ApiClient(fixture.base()).loggedIn(DashboardFixture.ADMIN, DashboardFixture.PASSWORD);
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private Map<String, JsonNode> hostStatus() throws Exception {
    Map<String, JsonNode> byName = new HashMap<>();
    admin.getJson("/api/v1/host-status").forEach(h -> byName.put(h.get("hostname").asText(), h));
    return byName;
  }

  @Test
  void lindasPcIsInfectedWithItsReasons() throws Exception {
    JsonNode linda = hostStatus().get("lab-pc-07");
    assertThat(linda.get("verdict").asText()).isEqualTo("INFECTED");
    JsonNode host = admin.getJson("/api/v1/hosts/" + linda.get("hostId").asText());
    assertThat(host.get("reasons").toString()).contains("klez.system.wink-exe").contains("WINKJQX.EXE");
  }

  @Test
  void haroldsPcIsClean() throws Exception {
    assertThat(hostStatus().get("lab-pc-12").get("verdict").asText()).isEqualTo("CLEAN");
  }

  @Test
  void everySimulatedHostIsMarkedDemo() throws Exception {
    Map<String, JsonNode> hosts = hostStatus();
    assertThat(hosts).hasSize(13);
    assertThat(hosts.values()).allSatisfy(h -> assertThat(h.get("demo").asBoolean()).as(h.toString()).isTrue());
    assertThat(admin.getJson("/api/v1/hosts").get(0).get("demo").asBoolean()).isTrue();
  }

  @Test
  void theLabWithStaleDefinitionsShowsItsCompliance() throws Exception {
    JsonNode chem = null;
    for (JsonNode lab : admin.getJson("/api/v1/labs")) {
      if (lab.get("lab").asText().equals("demo-chem-lab")) {
        chem = lab;
      }
    }
    assertThat(chem).isNotNull();
    assertThat(chem.get("hosts").asInt()).isEqualTo(5);
    assertThat(chem.get("definitionsFreshPercent").asDouble()).isEqualTo(60.0);
    assertThat(chem.get("compliant").asInt()).isEqualTo(2);
  }

  @Test
  void theTriagePageOffersJanetsComplaint() throws Exception {
    JsonNode sample = admin.getJson("/api/v1/triage/sample");
    assertThat(sample.get("name").asText()).contains("harold@example.edu").contains("demo");
    assertThat(sample.get("message").asText()).contains("From: Harold <harold@example.edu>")
        .contains("by mx.example.edu").contains("by mailbox.example.edu");
  }

  @Test
  void reRunningTheSampleOnTheTriagePageNamesLindasPc() throws Exception {
    String message = admin.getJson("/api/v1/triage/sample").get("message").asText();
    HttpResponse<String> r = admin.post("/api/v1/triage", "message/rfc822",
        message.getBytes(StandardCharsets.UTF_8), admin.csrf());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode result = ApiClient.JSON.readTree(r.body()).get("result");
    assertThat(result.get("candidates").get(0).get("hostname").asText()).isEqualTo("lab-pc-07");
    assertThat(result.get("claimedSenderHost").get("hostname").asText()).isEqualTo("lab-pc-12");
    assertThat(result.get("claimedSenderHost").get("verdict").asText()).isEqualTo("CLEAN");
  }

  @Test
  void withoutAStoredSampleTheSampleIs404() throws Exception {
    try (DashboardFixture empty = new DashboardFixture(dir.resolve("empty"))) {
      ApiClient client = new ApiClient(empty.base()).loggedIn(DashboardFixture.ADMIN, DashboardFixture.PASSWORD);
      assertThat(client.get("/api/v1/triage/sample").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void viewersCannotReadTheSample() throws Exception {
    ApiClient viewer = new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);
    assertThat(viewer.get("/api/v1/triage/sample").statusCode()).isEqualTo(403);
  }
}
