package io.labscan.controller.web;

import io.labscan.controller.complaint.ComplaintTriage;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.cli.DemoStory;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.testsupport.TestWiring;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The demo's simulated lab in a real browser (Debian's chromium, headless, as
 * {@link BrowserDashboardTest}): demo hosts carry a badge, and the Triage page re-runs Janet's
 * complaint with one click. Skips (or fails under LABSCAN_STRICT=1), saying why, where chromium is not installed.
 */
class DemoStoryBrowserTest extends DashboardInBrowser {
  @BeforeAll
  void startControllerAndBrowser() throws Exception {
    startControllerAndBrowser("labscan-demo-browser-test");
    DemoStory.Loaded story = DemoStory.load(fixture.store, fixture.ingestor, fixture.verdicts,
        TestWiring.policies(fixture.store, fixture.clock), fixture.clock, dir.resolve("demo-story"));
    fixture.triage = new EngineTriageRunner(new ComplaintTriage(fixture.store, fixture.verdicts,
        TrustConfig.of(story.trustedMtas()), fixture.clock));
  }

  @BeforeEach
  void loggedInAsAdmin() {
    logIn(DashboardFixture.ADMIN);
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
