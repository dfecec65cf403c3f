package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * Lab managers, API tokens and the audit log in a real browser (Debian's chromium and
 * chromedriver, headless): the lab manager's pages show its lab only and no admin page, the
 * tokens page shows a new token once and revokes it, the audit page lists, filters and exports
 * with a hostile failed-login name shown as text. Skips, saying why, without chromium.
 */
class BrowserAccessTest extends DashboardInBrowser {
  static final String HOSTILE_LOGIN = "<img src=x onerror=window.__xss=7>";

  FleetReports.Host physics1;
  FleetReports.Host physics2;
  FleetReports.Host chemistry;

  @BeforeAll
  void startControllerAndBrowser() throws Exception {
    startControllerAndBrowser("labscan-browser-access-test");
    physics1 = new FleetReports.Host("phys-pc-01").ip("10.20.3.11");
    physics2 = new FleetReports.Host("phys-pc-02").ip("10.20.3.12").staleDefinitions();
    chemistry = new FleetReports.Host("chem-pc-07").lab("chemistry").ip("10.30.1.7")
        .infected("WINDOWS/SYSTEM32/WinkABCD.exe");
    fixture.ingest(physics1, Duration.ofMinutes(10));
    fixture.ingest(physics2, Duration.ofMinutes(10));
    fixture.ingest(chemistry, Duration.ofMinutes(10));
    new ApiClient(fixture.base()).login(HOSTILE_LOGIN, "not the right password");
  }

  @Test
  void aLabManagerSeesItsLabOnlyAndNoAdminPage() {
    logIn(DashboardFixture.PHYSICS_MANAGER);
    wait.until(d -> d.findElement(By.id("who")).getText().contains("physics-lab"));
    assertThat(browser.findElement(By.id("who")).getText()).contains("lab-manager");
    wait.until(d -> "2".equals(d.findElement(By.cssSelector("#count-hosts .n")).getText()));
    assertThat(browser.findElement(By.id("lab-compliance")).getText()).contains("physics-lab").doesNotContain("chemistry");
    List<String> nav = browser.findElements(By.cssSelector("header.top nav a")).stream().map(WebElement::getText).toList();
    assertThat(nav).contains("Overview", "Hosts", "Schedules").doesNotContain("Triage", "Settings", "Tokens", "Audit");

    open("/hosts");
    wait.until(d -> d.findElements(By.cssSelector("#hosts-table tbody tr")).size() == 2);
    assertThat(browser.findElement(By.id("hosts-table")).getText()).contains("phys-pc-01", "phys-pc-02")
        .doesNotContain("chem-pc-07");

    open("/infected");
    assertThat(browser.findElement(By.tagName("main")).getText()).doesNotContain("chem-pc-07");

    open("/hosts/" + chemistry.hostId());
    WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("main .error")));
    assertThat(error.getText()).contains("no host with id");
    assertThat(browser.findElement(By.tagName("main")).getText()).doesNotContain("chem-pc-07");

    open("/triage");
    assertThat(browser.findElement(By.tagName("body")).getText()).contains("Forbidden");
  }

  @Test
  void aLabManagerStartsAScanOfItsLabFromTheSchedulesPage() {
    fixture.online.addAll(List.of(physics1.hostId(), physics2.hostId(), chemistry.hostId()));
    logIn(DashboardFixture.PHYSICS_MANAGER);
    open("/schedules");
    WebElement name = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("campaign-name")));
    wait.until(d -> !new Select(d.findElement(By.id("campaign-lab"))).getOptions().isEmpty());
    assertThat(new Select(browser.findElement(By.id("campaign-lab"))).getOptions()).extracting(WebElement::getText)
        .containsExactly("physics-lab");
    name.sendKeys("Physics now");
    browser.findElement(By.id("campaign-create")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.xpath("//table[@id='campaigns-table']//tr[td[text()='Physics now']]")));
    assertThat(fixture.sent).extracting(Map.Entry::getKey)
        .containsExactlyInAnyOrder(physics1.hostId(), physics2.hostId());
  }

  @Test
  void theAuditPageListsFiltersAndExportsWithHostileNamesAsText() throws Exception {
    logIn(DashboardFixture.ADMIN);
    open("/audit");
    wait.until(d -> !d.findElements(By.cssSelector("#audit tbody tr[data-action='login.failed']")).isEmpty());
    assertThat(browser.findElement(By.id("audit")).getText()).contains(HOSTILE_LOGIN, "login.failed", "login");
    assertThat(((JavascriptExecutor) browser).executeScript("return typeof window.__xss")).isEqualTo("undefined");
    assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();

    browser.findElement(By.id("audit-action")).sendKeys("login.failed");
    browser.findElement(By.id("audit-apply")).click();
    wait.until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
        "const rows = [...document.querySelectorAll('#audit tbody tr')];"
            + " return rows.length > 0 && rows.every(r => r.getAttribute('data-action') === 'login.failed');")));
    assertThat(browser.findElement(By.id("audit-csv")).getAttribute("href")).contains("format=csv")
        .contains("action=login.failed");

    browser.findElement(By.id("audit-csv")).click();
    Path csv = downloads.resolve("labscan-audit.csv");
    await().atMost(Duration.ofSeconds(15)).until(() -> Files.isRegularFile(csv) && Files.size(csv) > 0);
    String text = Files.readString(csv, StandardCharsets.UTF_8);
    assertThat(text).startsWith("seq,at,actorKind,actor,action").contains("login.failed", HOSTILE_LOGIN)
        .doesNotContain(",\"login\",");
  }

  @Test
  void theTokensPageShowsANewTokenOnceAndRevokesIt() {
    logIn(DashboardFixture.ADMIN);
    open("/tokens");
    WebElement name = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-name")));
    name.sendKeys("physics sheet");
    new Select(browser.findElement(By.id("token-role"))).selectByValue("lab-manager");
    browser.findElement(By.id("token-labs")).sendKeys("physics-lab");
    browser.findElement(By.id("token-create")).click();
    WebElement secret = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("new-token")));
    assertThat(secret.getText()).matches("LST1\\.[0-9a-f]{12}\\.[A-Za-z0-9_-]{43}");
    String id = secret.getText().split("\\.")[1];
    WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#tokens tr[data-token-id='" + id + "']")));
    assertThat(row.getText()).contains("physics sheet", "lab-manager", "physics-lab", "active", "never")
        .doesNotContain(secret.getText());

    row.findElement(By.cssSelector("button.revoke")).click();
    wait.until(ExpectedConditions.alertIsPresent()).accept();
    wait.until(d -> "revoked".equals(((JavascriptExecutor) d).executeScript(
        "const c = document.querySelector(arguments[0]); return c ? c.textContent : null;",
        "#tokens tr[data-token-id='" + id + "'] .token-state")));
    assertThat(fixture.tokens.find(id)).hasValueSatisfying(t -> assertThat(t.revoked()).isPresent());
  }
}
