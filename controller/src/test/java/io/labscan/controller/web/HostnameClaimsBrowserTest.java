package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Hostnames are claims (issue 15, D), in a real browser (Debian's chromium and chromedriver,
 * headless): a host named like another — here with a Cyrillic "а" — is shown with its host id on
 * the Hosts list and on its own page; a unique name is not; a host reporting a configured MTA's
 * exact address shows the false claim on its page. Skips, saying why, without chromium.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostnameClaimsBrowserTest {
  HeadlessChromium chromium;
  Path dir;
  DashboardFixture fixture;
  WebDriver browser;
  WebDriverWait wait;
  FleetReports.Host real;
  FleetReports.Host lookAlike;
  FleetReports.Host unique;

  @BeforeAll
  void startControllerAndBrowser() throws Exception {
    chromium = HeadlessChromium.start("labscan-hostname-claims-test");
    dir = chromium.dir();
    browser = chromium.browser();
    wait = chromium.waiting();
    fixture = DashboardFixture.withTrust(dir, "10.20.0.25");
    real = new FleetReports.Host("lab-pc-07").ip("10.20.3.17");
    lookAlike = new FleetReports.Host(HostnameClaimsWebTest.CYRILLIC_LOOK_ALIKE).ip("10.20.0.25");
    unique = new FleetReports.Host("lab-pc-08").ip("10.20.3.18");
    fixture.ingest(real, Duration.ofMinutes(10));
    fixture.ingest(lookAlike, Duration.ofMinutes(10));
    fixture.ingest(unique, Duration.ofMinutes(10));
  }

  @AfterAll
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
    if (chromium != null) {
      chromium.close();
    }
  }

  @BeforeEach
  void loggedIn() {
    browser.manage().deleteAllCookies();
    chromium.logIn(fixture.base(), DashboardFixture.VIEWER);
  }

  private String hostCell(FleetReports.Host h) {
    return browser.findElement(By.cssSelector("#hosts-table tr[data-host-id='" + h.hostId() + "'] td")).getText();
  }

  @Test
  void theHostsListShowsTheIdBesideBothLookAlikesAndNotBesideAUniqueName() {
    chromium.open(fixture.base() + "/hosts");
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#hosts-table tr[data-host-id='" + unique.hostId() + "']")));

    assertThat(hostCell(real)).contains("lab-pc-07").contains("(" + real.hostId() + ")");
    assertThat(hostCell(lookAlike)).contains("(" + lookAlike.hostId() + ")");
    assertThat(hostCell(unique)).contains("lab-pc-08").doesNotContain(unique.hostId());
  }

  @Test
  void theLookAlikesPageShowsItsIdInTheTitleAndItsFalseMtaClaim() {
    chromium.open(fixture.base() + "/hosts/" + lookAlike.hostId());
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("mta-claims")));

    assertThat(browser.findElement(By.id("host-title")).getText()).contains("(" + lookAlike.hostId() + ")");
    assertThat(browser.findElement(By.id("mta-claims")).getText()).contains("10.20.0.25").contains("--trust 10.20.0.25");
  }
}
