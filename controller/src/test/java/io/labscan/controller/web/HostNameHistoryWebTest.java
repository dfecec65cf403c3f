package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.TestReports;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostnames are claims, over time (issue 15, D, red-team R9): the API's host object carries the
 * names the host reported, and a name another host gave up lately is shared on every page.
 */
class HostNameHistoryWebTest {
  @TempDir Path dir;
  DashboardFixture fixture;
  private final String harold = TestReports.newHostId();
  private final String worm = TestReports.newHostId();
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  /** Harold's machine was harold-pc until two hours ago; the worm's host lab-pc-07 calls itself harold-pc since an hour. */
  private ApiClient wormTookHaroldsFormerName() throws Exception {
    fixture = new DashboardFixture(dir);
    fixture.ingest(TestReports.fullScan(harold, "harold-pc", now.minus(Duration.ofHours(3)), 1, "10.20.3.12"),
        TestReports.fullScan(harold, "lab-pc-12", now.minus(Duration.ofHours(2)), 2, "10.20.3.12"),
        TestReports.fullScan(worm, "lab-pc-07", now.minus(Duration.ofHours(3)), 1, "10.20.3.17"),
        TestReports.fullScan(worm, "harold-pc", now.minus(Duration.ofHours(1)), 2, "10.20.3.17"));
    return new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);
  }

  @Test
  void theHostObjectCarriesItsNameHistoryAndTheNameItWasEnrolledAs() throws Exception {
    ApiClient viewer = wormTookHaroldsFormerName();

    JsonNode host = viewer.getJson("/api/v1/hosts/" + worm);

    assertThat(host.get("hostname").asText()).isEqualTo("harold-pc");
    assertThat(host.get("enrolledAs").asText()).isEqualTo("lab-pc-07");
    List<String> names = StreamSupport.stream(host.get("nameHistory").spliterator(), false)
        .map(n -> n.get("name").asText() + " from " + n.get("from").asText()).toList();
    assertThat(names).containsExactly("lab-pc-07 from " + now.minus(Duration.ofHours(3)),
        "harold-pc from " + now.minus(Duration.ofHours(1)));
  }

  @Test
  void aNameAnotherHostGaveUpLatelyIsSharedForBothHosts() throws Exception {
    ApiClient viewer = wormTookHaroldsFormerName();

    Map<String, Boolean> shared = new HashMap<>();
    viewer.getJson("/api/v1/host-status").forEach(h -> shared.put(h.get("hostId").asText(), h.get("nameShared").asBoolean()));

    assertThat(shared).containsEntry(worm, true);
    assertThat(viewer.getJson("/api/v1/hosts/" + worm).get("nameShared").asBoolean()).isTrue();
  }
}
