package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.account.Role;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.Vocabulary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * The chrome every page shares, in a real browser (Debian's chromium, headless, as
 * {@link BrowserDashboardTest}): one navigation on every page, built from {@link UiPages#PAGES},
 * and verdict words read from {@code /api/v1/meta}. Skips, saying why, where chromium is not installed.
 */
class PageChromeBrowserTest extends DashboardInBrowser {
  FleetReports.Host host;

  @BeforeAll
  void startControllerAndBrowser() throws Exception {
    startControllerAndBrowser("labscan-chrome-browser-test");
    host = new FleetReports.Host("phys-pc-01").ip("10.20.3.11");
    fixture.ingest(host, Duration.ofMinutes(10));
  }

  /** Opens a page and waits until app.js has loaded the session (it writes who is logged in). */
  @Override
  void open(String path) {
    browser.get(fixture.base() + path);
    wait.until(d -> !d.findElement(By.id("who")).getText().isEmpty());
  }

  private List<String> navigation() {
    List<String> links = new ArrayList<>();
    for (WebElement a : browser.findElements(By.cssSelector("header.top nav a"))) {
      links.add(a.getText() + " " + a.getAttribute("href").replace(fixture.base(), ""));
    }
    return links;
  }

  private static List<String> expectedNavigation(boolean admin) {
    List<String> links = new ArrayList<>();
    for (UiPages.Page p : UiPages.PAGES) {
      if (p.inNav() && (admin || p.role() == Role.VIEWER)) {
        links.add(p.title() + " " + p.path());
      }
    }
    return links;
  }

  private static String concrete(UiPages.Page page, String hostId) {
    return page.path().replace("{hostId}", hostId);
  }

  @Test
  void everyPageShowsTheSameNavigationWithItsOwnSectionMarked() {
    logIn(DashboardFixture.ADMIN);
    assertThat(expectedNavigation(true)).contains("Overview /", "Hosts /hosts", "Triage /triage");
    for (UiPages.Page page : UiPages.PAGES) {
      open(concrete(page, host.hostId()));
      assertThat(navigation()).as(page.path()).isEqualTo(expectedNavigation(true));
      List<WebElement> current = browser.findElements(By.cssSelector("header.top nav a.current"));
      assertThat(current).as(page.path()).hasSize(1);
      assertThat(current.get(0).getAttribute("href")).as(page.path()).isEqualTo(fixture.base() + page.section());
      assertThat(current.get(0).getAttribute("aria-current")).isEqualTo("page");
      if (page.inNav()) {
        assertThat(browser.getTitle()).isEqualTo("LabScan · " + page.title());
      } else {
        // A detail page names what it shows in its title (one host's page names the host).
        assertThat(browser.getTitle()).startsWith("LabScan · ");
      }
      assertThat(browser.findElements(By.cssSelector("header.top"))).hasSize(1);
    }
  }

  @Test
  void aViewerSeesTheSameNavigationWithoutTheAdminPagesOnEveryPage() {
    logIn(DashboardFixture.VIEWER);
    for (UiPages.Page page : UiPages.PAGES) {
      if (page.role() != Role.VIEWER) {
        continue;
      }
      open(concrete(page, host.hostId()));
      assertThat(navigation()).as(page.path()).isEqualTo(expectedNavigation(false)).doesNotContain("Triage /triage");
    }
  }

  @Test
  void theVerdictLegendShowsTheVerdictsAndMeaningsThatApiMetaServes() {
    logIn(DashboardFixture.VIEWER);
    @SuppressWarnings("unchecked")
    Map<String, Object> meta = (Map<String, Object>) ((JavascriptExecutor) browser).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "fetch('/api/v1/meta').then(r => r.json()).then(done, e => done(String(e)));");
    List<String> served = new ArrayList<>();
    for (Object v : (List<?>) meta.get("verdicts")) {
      Map<?, ?> term = (Map<?, ?>) v;
      served.add(term.get("name") + ": " + term.get("meaning"));
    }
    Map<?, ?> pending = (Map<?, ?>) meta.get("pending");
    served.add(pending.get("name") + ": " + pending.get("meaning"));

    List<String> shown = new ArrayList<>();
    for (WebElement term : browser.findElements(By.cssSelector("#verdict-legend .term"))) {
      shown.add(term.getAttribute("data-verdict") + ": " + term.findElement(By.tagName("dd")).getText());
      assertThat(term.findElement(By.cssSelector("dt .badge")).getText()).isEqualTo(term.getAttribute("data-verdict"));
    }
    assertThat(shown).isEqualTo(served);
    assertThat(shown.get(0)).isEqualTo("INFECTED: " + Vocabulary.meaning(Verdict.INFECTED));
    assertThat(shown).hasSize(Verdict.values().length + 1);
    assertThat(browser.findElement(By.id("compliance-rule")).getText())
        .contains("seen in the last 1 h", "definitions are FRESH", "in the last 26 h", "verdict is CLEAN");
  }

  @Test
  void noPageOrScriptSpellsOutAVerdictNameOrAComplianceWindow() {
    logIn(DashboardFixture.ADMIN);
    List<String> urls = new ArrayList<>(List.of("/assets/app.js"));
    for (UiPages.Page page : UiPages.PAGES) {
      urls.add("/assets/" + page.name() + ".js");
      urls.add(concrete(page, host.hostId()));
    }
    for (String url : urls) {
      String text = (String) ((JavascriptExecutor) browser).executeAsyncScript(
          "const done = arguments[arguments.length - 1];"
              + "fetch(arguments[0]).then(r => r.text()).then(done, e => done(String(e)));", url);
      assertThat(text).as(url).isNotBlank().doesNotContain("26 h", "INFECTED", "SUSPECTED", "UNKNOWN", "AT_RISK", "CLEAN", "PENDING");
    }
  }
}
