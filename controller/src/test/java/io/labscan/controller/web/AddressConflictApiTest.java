package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A conflicting address claim shows on both hosts' views of the JSON API (the web host page's data). */
class AddressConflictApiTest {
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
  void bothClaimantsOfAnAddressShowTheConflictNamingTheOther() throws Exception {
    FleetReports.Host linda = new FleetReports.Host("phys-pc-07").ip("10.20.3.20");
    FleetReports.Host liar = new FleetReports.Host("phys-pc-12").ip("10.20.3.20");
    FleetReports.Host other = new FleetReports.Host("phys-pc-13").ip("10.20.3.21");
    fixture.ingest(linda, Duration.ofMinutes(20));
    fixture.ingest(liar, Duration.ofMinutes(10));
    fixture.ingest(other, Duration.ofMinutes(10));
    ApiClient viewer = new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);

    JsonNode lindas = viewer.getJson("/api/v1/hosts/" + linda.hostId());
    JsonNode liars = viewer.getJson("/api/v1/hosts/" + liar.hostId());
    JsonNode others = viewer.getJson("/api/v1/hosts/" + other.hostId());

    assertThat(lindas.get("addressConflicts").get(0).get("ip").asText()).isEqualTo("10.20.3.20");
    assertThat(lindas.get("addressConflicts").get(0).get("otherHostId").asText()).isEqualTo(liar.hostId());
    assertThat(lindas.get("addressConflicts").get(0).get("otherHostname").asText()).isEqualTo("phys-pc-12");
    assertThat(liars.get("addressConflicts").get(0).get("otherHostId").asText()).isEqualTo(linda.hostId());
    assertThat(others.get("addressConflicts")).isEmpty();
  }
}
