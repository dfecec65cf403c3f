package io.labscan.controller.web;

import io.labscan.testsupport.Requirements;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The real browser of the dashboard's browser tests: Debian's chromium driven through its
 * chromedriver, headless, in a temporary folder of the test's own (the browser profile, the
 * downloads, chromedriver's log, and whatever the test keeps there, such as its
 * {@link DashboardFixture}'s database). Where chromium is not installed, {@link #start} skips the
 * test class and says why ({@link Requirements}; CI installs it and fails instead).
 *
 * <p>One place for what every browser test needs the same way: the options that make chromium
 * run headless and quietly in a container, a downloads folder without prompts, waits that read
 * an element again when a page rebuilt it mid-read (the pages rebuild their tables after every
 * fetch), the login form, and tearing it all down.
 */
final class HeadlessChromium implements AutoCloseable {
  private final Path dir;
  private final Path downloads;
  private final ChromeDriverService service;
  private final ChromeDriver browser;
  private final WebDriverWait wait;

  private HeadlessChromium(Path dir, Path downloads, ChromeDriverService service, ChromeDriver browser,
      WebDriverWait wait) {
    this.dir = dir;
    this.downloads = downloads;
    this.service = service;
    this.browser = browser;
    this.wait = wait;
  }

  /** A browser whose waits give up after 15 seconds, in a new temporary folder named {@code prefix...}. */
  static HeadlessChromium start(String prefix) throws IOException {
    return start(prefix, Duration.ofSeconds(15));
  }

  /** A browser whose waits give up after {@code patience}, in a new temporary folder named {@code prefix...}. */
  static HeadlessChromium start(String prefix, Duration patience) throws IOException {
    Path chromium = Requirements.command("chromium", "chromium");
    Path chromedriver = Requirements.command("chromedriver", "chromium-driver");
    Path dir = Files.createTempDirectory(prefix);
    ChromeDriverService service = null;
    try {
      Path downloads = Files.createDirectories(dir.resolve("downloads"));
      System.setProperty("webdriver.chrome.driver", chromedriver.toString());
      ChromeOptions options = new ChromeOptions();
      options.setBinary(chromium.toFile());
      options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
          "--disable-extensions", "--window-size=1400,1000",
          "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")));
      Map<String, Object> prefs = new HashMap<>();
      prefs.put("download.default_directory", downloads.toString());
      prefs.put("download.prompt_for_download", false);
      options.setExperimentalOption("prefs", prefs);
      service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort()
          .withLogFile(dir.resolve("chromedriver.log").toFile()).build();
      ChromeDriver browser = new ChromeDriver(service, options);
      WebDriverWait wait = new WebDriverWait(browser, patience);
      // Pages rebuild their tables after each fetch: an element read mid-rebuild is simply read again.
      wait.ignoring(StaleElementReferenceException.class);
      return new HeadlessChromium(dir, downloads, service, browser, wait);
    } catch (IOException | RuntimeException e) {
      if (service != null) {
        service.stop();
      }
      deleteTree(dir);
      throw e;
    }
  }

  /** The test's temporary folder, deleted by {@link #close}. */
  Path dir() {
    return dir;
  }

  /** Where the browser saves downloads (no prompt). */
  Path downloads() {
    return downloads;
  }

  ChromeDriver browser() {
    return browser;
  }

  /** The wait every step of a test uses: it reads a rebuilt element again. */
  WebDriverWait waiting() {
    return wait;
  }

  /**
   * Logs {@code username} in with {@link DashboardFixture#PASSWORD} through the login form of the
   * dashboard at {@code base}, from a browser with no session: the dashboard first sends it to
   * {@code /login}; the overview's host count shows once logged in.
   */
  void logIn(String base, String username) {
    browser.get(base + "/");
    wait.until(ExpectedConditions.urlToBe(base + "/login"));
    browser.findElement(By.id("username")).sendKeys(username);
    browser.findElement(By.id("password")).sendKeys(DashboardFixture.PASSWORD);
    browser.findElement(By.id("login-button")).click();
    // The login form's POST redirects to the overview: a look-up that lands while the browser
    // navigates is aborted ("aborted by navigation", a WebDriverException, not a NotFound): look
    // again rather than fail (it failed a CI run once).
    wait.until(d -> {
      try {
        return !d.findElements(By.id("count-hosts")).isEmpty();
      } catch (org.openqa.selenium.WebDriverException navigating) {
        return false;
      }
    });
  }

  /** Opens {@code url} and waits until the document has loaded. */
  void open(String url) {
    browser.get(url);
    wait.until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
  }

  /** Runs {@code js} in the page, {@code args} as {@code arguments[i]}. */
  Object script(String js, Object... args) {
    return browser.executeScript(js, args);
  }

  /** Quits the browser and chromedriver and deletes the temporary folder. */
  @Override
  public void close() throws IOException {
    try {
      browser.quit();
    } finally {
      service.stop();
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted((a, b) -> b.compareTo(a)).map(Path::toFile).forEach(File::delete);
    }
  }
}
