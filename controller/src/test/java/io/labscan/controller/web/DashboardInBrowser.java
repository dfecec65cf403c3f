package io.labscan.controller.web;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The skeleton of a browser test of the dashboard: one real headless Chromium
 * ({@link HeadlessChromium}: skips, saying why, without chromium) and one controller
 * ({@link DashboardFixture}, its database in the browser's temporary folder) for the whole
 * class; each test starts with no session. A test class starts both in its own
 * {@code @BeforeAll} ({@link #startControllerAndBrowser(String)}), then loads its fleet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DashboardInBrowser {
  HeadlessChromium chromium;
  /** The temporary folder of the browser and the controller's database. */
  Path dir;
  /** Where the browser saves downloads. */
  Path downloads;
  DashboardFixture fixture;
  ChromeDriver browser;
  WebDriverWait wait;

  /** Starts the browser (its folder named with {@code prefix}) and a controller on a database in that folder. */
  void startControllerAndBrowser(String prefix) throws Exception {
    startControllerAndBrowser(prefix, DashboardFixture::new);
  }

  /** As {@link #startControllerAndBrowser(String)}, the controller made by {@code controller} (e.g. with trust). */
  void startControllerAndBrowser(String prefix, java.util.function.Function<Path, DashboardFixture> controller)
      throws Exception {
    chromium = HeadlessChromium.start(prefix);
    dir = chromium.dir();
    downloads = chromium.downloads();
    browser = chromium.browser();
    wait = chromium.waiting();
    fixture = controller.apply(dir);
  }

  @AfterAll
  void stopControllerAndBrowser() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
    if (chromium != null) {
      chromium.close(); // the browser, and the folder the fixture kept its database in
    }
  }

  @BeforeEach
  void loggedOut() {
    browser.manage().deleteAllCookies();
  }

  /** Logs {@code username} in through the dashboard's login form. */
  void logIn(String username) {
    chromium.logIn(fixture.base(), username);
  }

  /** Opens {@code path} of the dashboard and waits until the document has loaded. */
  void open(String path) {
    chromium.open(fixture.base() + path);
  }
}
