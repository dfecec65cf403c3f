package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.controller.verdict.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The dashboard in a real browser: Debian's chromium and chromedriver, headless, against a
 * controller's web server on a temporary database seeded through the ingest path. Skips, and
 * says why, where chromium is not installed (CI installs it).
 */
class BrowserDashboardTest extends DashboardInBrowser {
  /** A hostname an attacker chose: markup and a script that would set window.__xss. */
  static final String HOSTILE_HOSTNAME = "<script>window.__xss=1</script>\"><img src=x onerror=window.__xss=2>";
  static final String HOSTILE_LAB = "\"><img src=x onerror=window.__xss=3>";
  static final String HOSTILE_PATH = "WINDOWS/<script>window.__xss=4</script>/WinkQZ.exe";
  static final String HOSTILE_PROCESS = "\"><img src=x onerror=window.__xss=5>";
  static final String HOSTILE_PROCESS_PATH = "C:\\<script>window.__xss=6</script>.exe";

  FleetReports.Host hostile;
  FleetReports.Host stale;

  @BeforeAll
  void startControllerAndBrowser() throws Exception {
    startControllerAndBrowser("labscan-browser-test");
    seed();
  }

  private void seed() {
    fixture.ingest(new FleetReports.Host("phys-pc-01").ip("10.20.3.11"), Duration.ofMinutes(10));
    stale = new FleetReports.Host("phys-pc-02").ip("10.20.3.12").staleDefinitions();
    fixture.ingest(stale, Duration.ofMinutes(10));
    fixture.ingest(new FleetReports.Host("chem-pc-07").lab("chemistry").ip("10.30.1.7")
        .infected("WINDOWS/SYSTEM32/WinkABCD.exe"), Duration.ofMinutes(10));
    hostile = new FleetReports.Host(HOSTILE_HOSTNAME).lab(HOSTILE_LAB).ip("10.40.0.66")
        .infected(HOSTILE_PATH).mailing(HOSTILE_PROCESS, HOSTILE_PROCESS_PATH);
    fixture.ingest(hostile, Duration.ofMinutes(10));
    // phys-pc-02's agent reported 150 MiB about itself: over the fleet's default 96 MiB budget.
    new io.labscan.controller.selfwatch.AgentResourceRepository(fixture.store).save(stale.hostId(),
        new io.labscan.controller.selfwatch.HostResources(150L << 20, java.util.OptionalLong.of(120L << 20),
            java.util.OptionalLong.of(30L << 20), 0.4, 0.3, 24, "ok", 3, 0, java.util.Optional.empty(), 96L << 20, 2.0,
            java.util.Optional.of(java.time.Instant.now()), java.time.Instant.now())).join();
  }

  private Object script(String js, Object... args) {
    return chromium.script(js, args);
  }

  /** No script ran: the flag the hostile strings would set is still undefined, and no dialog opened. */
  private void assertNothingRan() {
    assertThat(script("return typeof window.__xss")).isEqualTo("undefined");
    try {
      browser.switchTo().alert();
      throw new AssertionError("a JavaScript dialog opened");
    } catch (NoAlertPresentException expected) {
      // nothing ran
    }
    assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();
  }

  @Test
  void wrongPasswordShowsAnErrorAndStaysOnTheLoginPage() {
    open("/login");
    browser.findElement(By.id("username")).sendKeys(DashboardFixture.VIEWER);
    browser.findElement(By.id("password")).sendKeys("not the password");
    browser.findElement(By.id("login-button")).click();
    WebElement message = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#login-message.error")));
    assertThat(message.getText()).contains("wrong user name or password");
    assertThat(browser.getCurrentUrl()).endsWith("/login");
  }

  @Test
  void overviewNumbersMatchTheStore() {
    logIn(DashboardFixture.VIEWER);
    long infected = fixture.store.verdicts().stream().filter(v -> v.verdict() == Verdict.INFECTED).count();
    long clean = fixture.store.verdicts().stream().filter(v -> v.verdict() == Verdict.CLEAN).count();
    assertThat(browser.findElement(By.cssSelector("#count-hosts .n")).getText())
        .isEqualTo(Integer.toString(fixture.store.hosts().size()));
    assertThat(browser.findElement(By.cssSelector("#count-INFECTED .n")).getText()).isEqualTo(Long.toString(infected));
    assertThat(browser.findElement(By.cssSelector("#count-CLEAN .n")).getText()).isEqualTo(Long.toString(clean));
    assertThat(browser.findElement(By.cssSelector("#count-compliant .n")).getText()).isEqualTo("1");
    WebElement physics = browser.findElement(By.cssSelector("#lab-compliance tr[data-lab='physics-lab']"));
    assertThat(physics.getText()).contains("physics-lab").contains("50 %");
    assertThat(browser.findElements(By.cssSelector("#trend-chart svg path.line"))).isNotEmpty();
  }

  @Test
  void filteringHostsNarrowsTheTable() {
    logIn(DashboardFixture.VIEWER);
    open("/hosts");
    wait.until(d -> d.findElements(By.cssSelector("#hosts-table tbody tr")).size() == 4);
    browser.findElement(By.id("filter-q")).sendKeys("chem");
    wait.until(d -> d.findElements(By.cssSelector("#hosts-table tbody tr")).size() == 1);
    assertThat(browser.findElement(By.cssSelector("#hosts-table tbody tr")).getText()).contains("chem-pc-07", "INFECTED");
    assertThat(browser.findElement(By.id("export-csv")).getAttribute("href")).contains("q=chem").contains("format=csv");
  }

  @Test
  void sortingByVerdictPutsTheInfectedFirst() {
    logIn(DashboardFixture.VIEWER);
    open("/hosts");
    wait.until(d -> d.findElements(By.cssSelector("#hosts-table tbody tr")).size() == 4);
    browser.findElement(By.cssSelector("#hosts-table th[data-key='verdict']")).click();
    List<WebElement> rows = browser.findElements(By.cssSelector("#hosts-table tbody tr"));
    assertThat(rows.get(0).getText()).contains("INFECTED");
    assertThat(rows.get(3).getText()).contains("CLEAN");
  }

  @Test
  void openingAHostShowsItsVerdictReasonsTimelineAndAddresses() {
    logIn(DashboardFixture.VIEWER);
    open("/hosts");
    wait.until(ExpectedConditions.elementToBeClickable(By.linkText("phys-pc-02"))).click();
    wait.until(ExpectedConditions.urlContains("/hosts/" + stale.hostId()));
    WebElement reasons = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("reasons")));
    assertThat(browser.findElement(By.id("host-title")).getText()).contains("phys-pc-02", "AT_RISK");
    assertThat(reasons.getText()).contains("STALE", "9 days");
    assertThat(browser.findElement(By.id("timeline")).getText()).contains("full report #1");
    assertThat(browser.findElement(By.id("address-history")).getText()).contains("10.20.3.12", "current");
    assertThat(browser.findElement(By.id("inventory")).getText()).contains("Microsoft Windows XP Professional SP3");
    assertThat(browser.findElement(By.id("agent-resources")).getText())
        .contains("150.0 MiB (anon 120.0 MiB, file 30.0 MiB)", "96.0 MiB, 2 % of a core");
    assertThat(browser.findElements(By.cssSelector("#agent-resources .agent-flag"))).isNotEmpty();
  }

  @Test
  void theLabsPageShowsEachLabsAgentFootprint() {
    logIn(DashboardFixture.VIEWER);
    open("/labs");
    wait.until(d -> d.findElements(By.cssSelector("#labs-table tbody tr")).size() == 3);

    WebElement physics = browser.findElement(By.cssSelector("#labs-table tr[data-lab='physics-lab'] .agent-memory"));
    assertThat(physics.getText()).contains("150.0 MiB", "1 over budget");
  }

  @Test
  void triageShowsTheEnginesAnswer() {
    fixture.triage = message -> ApiClient.JSON.createObjectNode()
        .put("sender", "phys-pc-01").put("confidence", 0.93).put("note", "<img src=x onerror=window.__xss=7>");
    logIn(DashboardFixture.ADMIN);
    open("/triage");
    browser.findElement(By.id("triage-text")).sendKeys(
        "Received: from pc11 ([10.20.3.11]) by mx.physics.example.edu\nSubject: let's be friends\n\nhello\n");
    browser.findElement(By.id("triage-run")).click();
    WebElement answer = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("triage-answer")));
    assertThat(answer.getText()).contains("sender", "phys-pc-01", "0.93", "<img src=x onerror=window.__xss=7>");
    assertThat(new String(fixture.triaged.get(fixture.triaged.size() - 1), StandardCharsets.UTF_8))
        .contains("by mx.physics.example.edu\r\nSubject: let's be friends\r\n");
    assertNothingRan();
  }

  @Test
  void triageStartsWithTheSentenceAndShowsHostileNamesAsText() throws Exception {
    String summary = "Sent by <img src=x onerror=window.__xss=1> (10.20.3.17) at 17:32:11 UTC on 2026-12-06"
        + " — confidence high (0.88).";
    com.fasterxml.jackson.databind.JsonNode answer = ApiClient.JSON.readTree("{"
        + "\"summary\": " + ApiClient.JSON.writeValueAsString(summary) + ", \"recordable\": false,"
        + " \"recordableBecause\": \"hop 0 was written by <b>mx.outside</b>, which is not an MTA of ours\","
        + " \"candidates\": [{\"hostId\": \"h-7\", \"hostname\": \"<script>window.__xss=2</script>\","
        + " \"confidence\": 0.88, \"reasons\": [\"held 10.20.3.17\"]}],"
        + " \"complaints\": [{\"hops\": [{\"index\": 0, \"trust\": \"BOUNDARY\", \"byHost\": \"<i>mx</i>\","
        + " \"fromIp\": \"10.20.3.17\", \"trustSource\": \"delivering MTA (top line)\"}]}],"
        + " \"warnings\": []}");
    fixture.triage = message -> answer;
    logIn(DashboardFixture.ADMIN);
    open("/triage");
    browser.findElement(By.id("triage-text")).sendKeys("Received: from pc ([10.20.3.17]) by mx\nSubject: x\n\nhi\n");
    browser.findElement(By.id("triage-run")).click();

    WebElement sentence = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("triage-summary")));
    assertThat(sentence.getText()).isEqualTo(summary);
    assertThat(browser.findElement(By.id("triage-unverified")).getText())
        .contains("Not recordable as evidence: hop 0 was written by <b>mx.outside</b>");
    assertThat(browser.findElement(By.id("triage-answer")).getText())
        .contains("<script>window.__xss=2</script>", "BOUNDARY (origin)", "<i>mx</i>", "delivering MTA (top line)");
    assertThat(browser.findElements(By.id("triage-record"))).isEmpty();
    assertNothingRan();
  }

  @Test
  void exportCsvDownloadsTheHostTable() throws Exception {
    logIn(DashboardFixture.VIEWER);
    open("/hosts");
    wait.until(d -> d.findElements(By.cssSelector("#hosts-table tbody tr")).size() == 4);
    browser.findElement(By.id("export-csv")).click();
    Path csv = downloads.resolve("labscan-hosts.csv");
    await().atMost(Duration.ofSeconds(15)).until(() -> Files.isRegularFile(csv) && Files.size(csv) > 0);
    String text = Files.readString(csv, StandardCharsets.UTF_8);
    assertThat(text).startsWith("host_id,hostname,").contains("phys-pc-01", "chem-pc-07");
    assertThat(text.split("\r\n")).hasSize(5);
  }

  @Test
  void hostileEndpointStringsShowAsTextAndRunNothing() {
    logIn(DashboardFixture.ADMIN);
    assertNothingRan();
    assertThat(browser.findElement(By.id("lab-compliance")).getText()).contains(HOSTILE_LAB);

    open("/hosts");
    wait.until(d -> d.findElements(By.cssSelector("#hosts-table tbody tr")).size() == 4);
    assertThat(browser.findElement(By.id("hosts-table")).getText()).contains(HOSTILE_HOSTNAME);
    assertNothingRan();

    open("/infected");
    WebElement entry = wait.until(ExpectedConditions.visibilityOfElementLocated(
        By.cssSelector(".infected-host[data-host-id='" + hostile.hostId() + "']")));
    assertThat(entry.getText()).contains(HOSTILE_HOSTNAME, HOSTILE_PATH, HOSTILE_PROCESS, HOSTILE_PROCESS_PATH);
    assertNothingRan();

    open("/hosts/" + hostile.hostId());
    WebElement reasons = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("reasons")));
    assertThat(browser.findElement(By.id("host-title")).getText()).contains(HOSTILE_HOSTNAME);
    assertThat(reasons.getText()).contains(HOSTILE_PATH, HOSTILE_PROCESS, HOSTILE_PROCESS_PATH);
    assertNothingRan();

    open("/labs");
    wait.until(d -> d.findElements(By.cssSelector("#labs-table tbody tr")).size() == 3);
    assertThat(browser.findElement(By.id("labs-table")).getText()).contains(HOSTILE_LAB, HOSTILE_HOSTNAME);
    assertNothingRan();
  }

  @Test
  void aViewerSeesNoCampaignControlsAndTheApiRefusesThem() {
    logIn(DashboardFixture.VIEWER);
    assertThat(browser.findElements(By.cssSelector("header.top nav a[href='/triage']"))).isEmpty();
    open("/schedules");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#campaigns-table tbody tr")));
    assertThat(browser.findElements(By.id("campaign-form"))).isEmpty();
    assertThat(browser.findElements(By.cssSelector("button.run-now"))).isEmpty();

    Object status = ((JavascriptExecutor) browser).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "fetch('/api/v1/session').then(r => r.json()).then(s => fetch('/api/v1/campaigns', {method: 'POST',"
            + " headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken},"
            + " body: JSON.stringify({name: 'sneaky scan'})})).then(r => done(r.status), e => done(String(e)));");
    assertThat(status).isEqualTo(403L);
    assertThat(fixture.campaigns.list()).noneMatch(c -> c.name().equals("sneaky scan"));
  }

  @Test
  void anAdminSchedulesANightlyCampaign() {
    logIn(DashboardFixture.ADMIN);
    open("/schedules");
    WebElement name = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("campaign-name")));
    name.sendKeys("Nightly chemistry");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("campaign-lab"))).selectByValue("chemistry");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("campaign-when"))).selectByValue("nightly");
    browser.findElement(By.id("campaign-create")).click();
    WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(
        By.xpath("//table[@id='campaigns-table']//tr[td[text()='Nightly chemistry']]")));
    assertThat(row.getText()).contains("chemistry", "0 0 1 * * ?");
    assertThat(fixture.campaigns.list()).anySatisfy(c -> {
      assertThat(c.name()).isEqualTo("Nightly chemistry");
      assertThat(fixture.campaigns.nextFire(c.campaignId())).isPresent();
    });
  }
}
