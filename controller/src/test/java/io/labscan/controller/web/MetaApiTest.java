package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.Vocabulary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/v1/meta}: the vocabulary the pages read instead of spelling it out. */
class MetaApiTest {
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
  void metaNeedsASessionLikeTheRestOfTheApi() throws Exception {
    assertThat(new ApiClient(fixture.base()).get("/api/v1/meta").statusCode()).isEqualTo(401);
  }

  @Test
  void metaListsEveryVerdictMostSeriousFirstWithItsMeaning() throws Exception {
    JsonNode meta = viewer().getJson("/api/v1/meta");
    List<String> names = new ArrayList<>();
    meta.get("verdicts").forEach(v -> {
      names.add(v.get("name").asText());
      assertThat(v.get("meaning").asText()).isEqualTo(Vocabulary.meaning(Verdict.valueOf(v.get("name").asText())));
      assertThat(v.get("infectedList").asBoolean()).isEqualTo(Verdict.valueOf(v.get("name").asText()).isInfectedList());
    });
    assertThat(names).containsExactly("INFECTED", "SUSPECTED", "UNKNOWN", "AT_RISK", "CLEAN");
    assertThat(meta.at("/pending/name").asText()).isEqualTo("PENDING");
    assertThat(meta.at("/pending/meaning").asText()).isNotBlank();
  }

  @Test
  void metaGivesTheComplianceWindowsTheComplaintThresholdAndTheRoles() throws Exception {
    JsonNode meta = viewer().getJson("/api/v1/meta");
    assertThat(meta.at("/compliance/seenWithin/seconds").asLong()).isEqualTo(3600);
    assertThat(meta.at("/compliance/seenWithin/text").asText()).isEqualTo("1 h");
    assertThat(meta.at("/compliance/fullScanWithin/seconds").asLong()).isEqualTo(26 * 3600);
    assertThat(meta.at("/compliance/fullScanWithin/text").asText()).isEqualTo("26 h");
    assertThat(meta.at("/compliance/egressLookback/text").asText()).isEqualTo("7 days");
    assertThat(meta.at("/compliance/definitions").asText()).isEqualTo("FRESH");
    assertThat(meta.at("/compliance/verdict").asText()).isEqualTo("CLEAN");
    assertThat(meta.at("/complaints/threshold").asDouble()).isEqualTo(0.5);
    assertThat(meta.at("/complaints/lookback/text").asText()).isEqualTo("30 days");
    assertThat(meta.get("roles").findValuesAsText("name")).containsExactly("viewer", "admin", "lab-manager");
  }

  @Test
  void windowsAreWrittenInHoursOrDaysAsThePagesShowThem() {
    assertThat(MetaApi.text(java.time.Duration.ofHours(1))).isEqualTo("1 h");
    assertThat(MetaApi.text(java.time.Duration.ofHours(26))).isEqualTo("26 h");
    assertThat(MetaApi.text(java.time.Duration.ofHours(48))).isEqualTo("2 days");
    assertThat(MetaApi.text(java.time.Duration.ofMinutes(90))).isEqualTo("90 min");
  }

  private ApiClient viewer() throws Exception {
    return new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);
  }
}
