package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.controller.fleet.ComplianceHistory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The Reports page in a real browser (Debian's chromium and chromedriver, headless): a lab
 * manager sees only its lab in the form and the report, downloads the CSV, opens the printable
 * view, and in print media only the report remains (no navigation, no form). Skips, saying why,
 * without chromium.
 */
class ReportsBrowserTest extends DashboardInBrowser {
  @BeforeAll
  void startControllerAndBrowser() throws Exception {
    startControllerAndBrowser("labscan-reports-browser-test");
    fixture.ingest(new FleetReports.Host("phys-pc-01").ip("10.20.3.11"), Duration.ofMinutes(10));
    fixture.ingest(new FleetReports.Host("phys-pc-02").ip("10.20.3.12").staleDefinitions(), Duration.ofMinutes(10));
    fixture.ingest(new FleetReports.Host("chem-pc-07").lab("chemistry").ip("10.30.1.7")
        .infected("WINDOWS/SYSTEM32/WinkABCD.exe"), Duration.ofMinutes(10));
    new ComplianceHistory(fixture.fleet).snapshot();
  }

  @Test
  void aLabManagerSeesOnlyItsLabDownloadsTheCsvAndPrintsTheReport() throws Exception {
    logIn(DashboardFixture.PHYSICS_MANAGER);
    open("/reports");
    wait.until(d -> d.findElement(By.id("report")).isDisplayed());
    assertThat(new Select(browser.findElement(By.id("report-lab"))).getOptions()).extracting(WebElement::getText)
        .containsExactly("All my labs", DashboardFixture.PHYSICS_LAB);
    WebElement report = browser.findElement(By.id("report"));
    wait.until(d -> d.findElement(By.id("report-stale")).getText().contains("phys-pc-02"));
    assertThat(report.getText()).contains("phys-pc-02", DashboardFixture.PHYSICS_LAB)
        .doesNotContain("chem-pc-07", "chemistry");
    assertThat(browser.findElements(By.cssSelector("header.top nav a")).stream().map(WebElement::getText).toList())
        .contains("Reports");

    browser.findElement(By.id("report-csv")).click();
    await().atMost(Duration.ofSeconds(15)).until(() -> csvFiles().size() == 1);
    String csv = Files.readString(csvFiles().get(0), StandardCharsets.UTF_8);
    assertThat(csv).startsWith("section,day,lab,").contains("phys-pc-02").doesNotContain("chem-pc-07");

    browser.findElement(By.id("report-print-link")).click();
    wait.until(ExpectedConditions.urlContains("/reports/print?"));
    wait.until(d -> d.findElement(By.id("report")).isDisplayed());
    assertThat(browser.findElement(By.id("report-form")).isDisplayed()).isFalse();
    assertThat(browser.findElement(By.id("report-print")).isDisplayed()).isTrue();
    assertThat(browser.findElement(By.id("report")).getText()).contains("phys-pc-02").doesNotContain("chem-pc-07");

    browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", "print"));
    try {
      assertThat(browser.findElement(By.cssSelector("header.top")).isDisplayed()).as("no navigation on paper").isFalse();
      assertThat(browser.findElement(By.id("report-print")).isDisplayed()).as("no buttons on paper").isFalse();
      assertThat(browser.findElement(By.id("report-out")).isDisplayed()).isTrue();
    } finally {
      browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", ""));
    }
  }

  @Test
  void aLabManagerSubscribesItsLabFromThePage() {
    logIn(DashboardFixture.PHYSICS_MANAGER);
    open("/reports");
    wait.until(d -> !new Select(d.findElement(By.id("subscribe-lab"))).getOptions().isEmpty());
    assertThat(new Select(browser.findElement(By.id("subscribe-lab"))).getOptions()).extracting(WebElement::getText)
        .containsExactly(DashboardFixture.PHYSICS_LAB);
    new Select(browser.findElement(By.id("subscribe-cadence"))).selectByValue("monthly");
    browser.findElement(By.id("subscribe-email")).sendKeys("physics-office@campus.example");
    browser.findElement(By.id("subscribe")).click();
    wait.until(d -> d.findElement(By.id("subscription-list")).getText().contains("physics-office@campus.example"));
    assertThat(browser.findElement(By.id("subscription-list")).getText()).contains("monthly", DashboardFixture.PHYSICS_LAB,
        "confirmation mail about to be sent");
    browser.findElement(By.cssSelector("#subscription-list button.unsubscribe")).click();
    wait.until(d -> d.findElement(By.id("subscription-list")).getText().contains("No subscriptions."));
  }

  private List<Path> csvFiles() throws Exception {
    try (Stream<Path> files = Files.list(downloads)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".csv")).toList();
    }
  }
}
