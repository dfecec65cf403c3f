package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Hostnames are claims (issue 15, D), in a real browser (Debian's chromium and chromedriver,
 * headless): a host named like another — here with a Cyrillic "а" — is shown with its host id on
 * the Hosts list and on its own page; a unique name is not; a host reporting a configured MTA's
 * exact address shows the false claim on its page. Skips, saying why, without chromium.
 */
class HostnameClaimsBrowserTest extends DashboardInBrowser {
  FleetReports.Host real;
  FleetReports.Host lookAlike;
  FleetReports.Host unique;

  @BeforeAll
  void startWithTrustAndFleet() throws Exception {
    startControllerAndBrowser("labscan-hostname-claims-test", d -> DashboardFixture.withTrust(d, "10.20.0.25"));
    real = new FleetReports.Host("lab-pc-07").ip("10.20.3.17");
    lookAlike = new FleetReports.Host(HostnameClaimsWebTest.CYRILLIC_LOOK_ALIKE).ip("10.20.0.25");
    unique = new FleetReports.Host("lab-pc-08").ip("10.20.3.18");
    fixture.ingest(real, Duration.ofMinutes(10));
    fixture.ingest(lookAlike, Duration.ofMinutes(10));
    fixture.ingest(unique, Duration.ofMinutes(10));
    java.time.Instant now = java.time.Instant.now();
    fixture.ingest(io.labscan.controller.TestReports.fullScan(renamed, "lab-pc-30", now.minus(Duration.ofHours(2)), 1,
        "10.20.3.30"), io.labscan.controller.TestReports.fullScan(renamed, "lab-pc-31", now.minus(Duration.ofHours(1)), 2,
        "10.20.3.30"));
  }

  /** A host enrolled as lab-pc-30 that calls itself lab-pc-31 since an hour ago. */
  final String renamed = io.labscan.controller.TestReports.newHostId();

  @BeforeEach
  void loggedIn() {
    logIn(DashboardFixture.VIEWER);
  }

  private String hostCell(FleetReports.Host h) {
    return browser.findElement(By.cssSelector("#hosts-table tr[data-host-id='" + h.hostId() + "'] td")).getText();
  }

  @Test
  void theHostsListShowsTheIdBesideBothLookAlikesAndNotBesideAUniqueName() {
    open("/hosts");
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#hosts-table tr[data-host-id='" + unique.hostId() + "']")));

    assertThat(hostCell(real)).contains("lab-pc-07").contains("(" + real.hostId() + ")");
    assertThat(hostCell(lookAlike)).contains("(" + lookAlike.hostId() + ")");
    assertThat(hostCell(unique)).contains("lab-pc-08").doesNotContain(unique.hostId());
  }

  @Test
  void aRenamedHostsPageShowsTheNameItWasEnrolledAsAndItsPreviousNames() {
    open("/hosts/" + renamed);
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("name-history")));

    assertThat(browser.findElement(By.id("enrolled-as")).getText()).isEqualTo("(enrolled as lab-pc-30)");
    assertThat(browser.findElement(By.id("name-history")).getText()).contains("lab-pc-30").contains("lab-pc-31")
        .contains("current");
  }

  @Test
  void theLookAlikesPageShowsItsIdInTheTitleAndItsFalseMtaClaim() {
    open("/hosts/" + lookAlike.hostId());
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("mta-claims")));

    assertThat(browser.findElement(By.id("host-title")).getText()).contains("(" + lookAlike.hostId() + ")");
    assertThat(browser.findElement(By.id("mta-claims")).getText()).contains("10.20.0.25").contains("--trust 10.20.0.25");
  }
}
