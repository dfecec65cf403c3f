package io.labscan.controller.web;

import io.labscan.controller.complaint.ComplaintTriage;
import io.labscan.testsupport.Requirements;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.cli.DemoStory;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.testsupport.TestWiring;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo's simulated lab in a real browser (Debian's chromium, headless, as
 * {@link BrowserDashboardTest}): demo hosts carry a badge, and the Triage page re-runs Janet's
 * complaint with one click. Skips (or fails under LABSCAN_STRICT=1), saying why, where chromium is not installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoStoryBrowserTest {
  Path dir;
  DashboardFixture fixture;
  ChromeDriverService service;
  WebDriver browser;
  WebDriverWait wait;

  @BeforeAll
  void startControllerAndBrowser() throws Exception {
    Path chromium = Requirements.command("chromium", "chromium");
    Path chromedriver = Requirements.command("chromedriver", "chromium-driver");
    dir = Files.createTempDirectory("labscan-demo-browser-test");
    fixture = new DashboardFixture(dir);
    DemoStory.Loaded story = DemoStory.load(fixture.store, fixture.ingestor, fixture.verdicts,
        TestWiring.policies(fixture.store, fixture.clock), fixture.clock, dir.resolve("demo-story"));
    fixture.triage = new EngineTriageRunner(new ComplaintTriage(fixture.store, fixture.verdicts,
        TrustConfig.of(story.trustedMtas()), fixture.clock));
    System.setProperty("webdriver.chrome.driver", chromedriver.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-extensions", "--window-size=1400,1000",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")));
    service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
        .usingAnyFreePort().withLogFile(dir.resolve("chromedriver.log").toFile()).build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(15));
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (service != null) {
      service.stop();
    }
    if (fixture != null) {
      fixture.close();
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted((a, b) -> b.compareTo(a)).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  @BeforeEach
  void loggedInAsAdmin() {
    browser.manage().deleteAllCookies();
    browser.get(fixture.base() + "/");
    wait.until(ExpectedConditions.urlToBe(fixture.base() + "/login"));
    browser.findElement(By.id("username")).sendKeys(DashboardFixture.ADMIN);
    browser.findElement(By.id("password")).sendKeys(DashboardFixture.PASSWORD);
    browser.findElement(By.id("login-button")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("count-hosts")));
  }

  private void open(String path) {
    browser.get(fixture.base() + path);
    wait.until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
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
