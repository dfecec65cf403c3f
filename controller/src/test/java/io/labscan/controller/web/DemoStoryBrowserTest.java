package io.labscan.controller.web;

import io.labscan.controller.complaint.ComplaintTriage;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.cli.DemoStory;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.testsupport.TestWiring;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo's simulated lab in a real browser (Debian's chromium, headless, as
 * {@link BrowserDashboardTest}): demo hosts carry a badge, and the Triage page re-runs Janet's
 * complaint with one click. Skips (or fails under LABSCAN_STRICT=1), saying why, where chromium is not installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoStoryBrowserTest {
  HeadlessChromium chromium;
  Path dir;
  DashboardFixture fixture;
  WebDriver browser;
  WebDriverWait wait;

  @BeforeAll
  void startControllerAndBrowser() throws Exception {
    chromium = HeadlessChromium.start("labscan-demo-browser-test");
    dir = chromium.dir();
    browser = chromium.browser();
    wait = chromium.waiting();
    fixture = new DashboardFixture(dir);
    DemoStory.Loaded story = DemoStory.load(fixture.store, fixture.ingestor, fixture.verdicts,
        TestWiring.policies(fixture.store, fixture.clock), fixture.clock, dir.resolve("demo-story"));
    fixture.triage = new EngineTriageRunner(new ComplaintTriage(fixture.store, fixture.verdicts,
        TrustConfig.of(story.trustedMtas()), fixture.clock));
  }

  @AfterAll
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
    if (chromium != null) {
      chromium.close(); // the browser, and the folder the fixture kept its database in
    }
  }

  @BeforeEach
  void loggedInAsAdmin() {
    browser.manage().deleteAllCookies();
    chromium.logIn(fixture.base(), DashboardFixture.ADMIN);
  }

  private void open(String path) {
    chromium.open(fixture.base() + path);
  }

  @Test
  void theHostListMarksSimulatedHostsAsDemo() {
    open("/hosts");
    WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(
        By.cssSelector("tr[data-host-id='" + DemoStory.demoHostId("lab-pc-07") + "']")));
    assertThat(row.getText()).contains("lab-pc-07", "demo", "INFECTED");
    assertThat(browser.findElements(By.cssSelector("#hosts-table .badge.demo"))).hasSize(13);
  }

  @Test
  void theHostPageOfLindasPcSaysDemoDataAndShowsItsReasons() {
    open("/hosts/" + DemoStory.demoHostId("lab-pc-07"));
    WebElement reasons = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("reasons")));
    assertThat(browser.findElement(By.id("demo-badge")).getText()).isEqualTo("demo");
    assertThat(browser.findElement(By.id("inventory")).getText()).contains("Demo data");
    assertThat(reasons.getText()).contains("klez.system.wink-exe");
  }

  @Test
  void theTriagePageReRunsJanetsComplaintWithOneClick() {
    open("/triage");
    wait.until(ExpectedConditions.elementToBeClickable(By.id("triage-sample-load"))).click();
    assertThat(browser.findElement(By.id("triage-text")).getAttribute("value")).contains("From: Harold");
    browser.findElement(By.id("triage-run")).click();
    WebElement answer = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("triage-answer")));
    assertThat(answer.getText()).contains("lab-pc-07", "lab-pc-12", "CLEAN", "10.20.3.17");
  }
}
