package io.labscan.controller.web;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labscan.contract.trust.OwnerOnlyFiles;
import io.labscan.controller.account.Role;
import io.labscan.controller.audit.AuditEntry;
import io.labscan.controller.audit.AuditQuery;
import io.labscan.controller.oidc.IdTokenVerifier;
import io.labscan.controller.oidc.OidcClient;
import io.labscan.controller.oidc.OidcOptions;
import io.labscan.controller.oidc.ProviderMetadata;
import io.labscan.controller.oidc.SingleSignOn;
import io.labscan.controller.oidc.SsoAccounts;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;

/**
 * Single sign-on against a real OpenID Connect provider: Keycloak (its Maven Central
 * distribution) started once on loopback with a realm of groups and users, LabScan's dashboard
 * configured by the real {@code serve --oidc-*} options, and Debian's headless Chromium clicking
 * through the provider's own login form. Then the ID token checks against tokens the same
 * Keycloak signed: the genuine one passes, a tampered, an expired and one for another client
 * are refused.
 *
 * <p>Skips, saying what is missing, without chromium or the Keycloak distribution (fails with
 * {@code LABSCAN_STRICT=1}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeycloakSingleSignOnIT {
  static final String CLIENT_SECRET = "labscan-" + UUID.randomUUID();
  static final String ADA = "ada";
  static final String GRACE = "grace";

  HeadlessChromium chromium;
  Path dir;
  Keycloak keycloak;
  DashboardFixture fixture;
  SingleSignOn sso;
  WebDriver browser;
  WebDriverWait wait;
  String callback;

  @BeforeAll
  void startKeycloakDashboardAndBrowser() throws Exception {
    chromium = HeadlessChromium.start("labscan-sso-test", Duration.ofSeconds(20));
    dir = chromium.dir();
    browser = chromium.browser();
    wait = chromium.waiting();
    int port = Keycloak.freePort();
    String dashboard = "http://127.0.0.1:" + port;
    callback = dashboard + "/login/oidc/callback";
    keycloak = Keycloak.start(dashboard, CLIENT_SECRET, dir);

    Path secretFile = dir.resolve("oidc-client-secret");
    OwnerOnlyFiles.writeSecret(secretFile, CLIENT_SECRET + "\n");
    OidcOptions options = new OidcOptions();
    new CommandLine(options).parseArgs("--oidc-issuer", keycloak.issuer(), "--oidc-client-id", Keycloak.CLIENT_ID,
        "--oidc-client-secret-file", secretFile.toString(), "--oidc-role-claim", "groups",
        "--oidc-role-map", "labscan-admins=admin", "--oidc-role-map", "lab-a-managers=lab-manager:physics-lab",
        "--oidc-redirect-base", dashboard, "--oidc-provider-name", "Campus login");
    OidcClient.Settings settings = options.settings().orElseThrow();
    sso = SingleSignOn.start(settings, SingleSignOn.httpClient(), Clock.systemUTC());
    assertThat(sso.ready()).as("discovery of the running Keycloak").isTrue();
    fixture = new DashboardFixture(dir, List.of(), port,
        (store, accounts) -> Optional.of(new WebServer.Sso(sso, new SsoAccounts(store, accounts, Clock.systemUTC()))));
    fixture.ingest(new FleetReports.Host("phys-pc-01").ip("10.20.3.11"), Duration.ofMinutes(10));
    fixture.ingest(new FleetReports.Host("chem-pc-07").lab("chemistry").ip("10.30.1.7"), Duration.ofMinutes(10));
  }

  @AfterAll
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
    if (keycloak != null) {
      keycloak.close();
    }
    if (chromium != null) {
      chromium.close(); // the browser, and the folder the fixture kept its database in
    }
  }

  @BeforeEach
  void noSessionAnywhere() {
    // Both LabScan's and Keycloak's cookies (another port of the same host): every test logs in afresh.
    ((ChromeDriver) browser).executeCdpCommand("Network.clearBrowserCookies", Map.of());
  }

  /** Clicks the single sign-on button and fills in Keycloak's own login form. */
  private void signInAtProvider(String username, String password) {
    browser.get(fixture.base() + "/login");
    wait.until(ExpectedConditions.elementToBeClickable(By.id("sso-login"))).click();
    wait.until(ExpectedConditions.urlContains("/realms/" + Keycloak.REALM + "/"));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys(username);
    browser.findElement(By.id("password")).sendKeys(password);
    browser.findElement(By.id("kc-login")).click();
  }

  private List<AuditEntry> audit(String action, String target) {
    return fixture.audit.find(AuditQuery.all(1000)).stream()
        .filter(e -> e.action().equals(action) && e.target().equals(target)).toList();
  }

  @Test
  void anAdminGroupMemberLogsInThroughTheProviderAsAnAdminWithoutALocalPassword() {
    signInAtProvider(ADA, "ada-campus-pass");
    wait.until(ExpectedConditions.urlToBe(fixture.base() + "/"));
    wait.until(d -> d.findElement(By.id("who")).getText().contains(ADA + " (admin"));
    assertThat(fixture.accounts.find(ADA).orElseThrow().role()).isEqualTo(Role.ADMIN);
    assertThat(fixture.accounts.hasLocalPassword(ADA)).isFalse();
    assertThat(audit("login", ADA)).anySatisfy(e -> {
      assertThat(e.detail()).contains("single sign-on " + keycloak.issuer()).contains("role admin");
      assertThat(e.source().address()).isEqualTo("127.0.0.1");
    });
  }

  @Test
  void aLabManagerGroupMemberSeesOnlyItsLab() {
    signInAtProvider(GRACE, "grace-campus-pass");
    wait.until(ExpectedConditions.urlToBe(fixture.base() + "/"));
    wait.until(d -> d.findElement(By.id("who")).getText().contains("lab-manager: physics-lab"));
    browser.get(fixture.base() + "/hosts");
    wait.until(d -> d.findElements(By.cssSelector("#hosts-table tbody tr")).size() == 1);
    assertThat(browser.findElement(By.id("hosts-table")).getText()).contains("phys-pc-01").doesNotContain("chem-pc-07");
    assertThat(fixture.accounts.find(GRACE).orElseThrow().labs()).containsExactly("physics-lab");
  }

  @Test
  void loggingOutEndsTheSessionHereAndAtTheProvider() {
    signInAtProvider(ADA, "ada-campus-pass");
    wait.until(d -> d.findElement(By.id("who")).getText().contains(ADA));
    browser.findElement(By.id("logout")).click();
    // Keycloak ends its session and sends the browser back to LabScan's login page.
    wait.until(ExpectedConditions.urlToBe(fixture.base() + "/login"));
    browser.get(fixture.base() + "/");
    wait.until(ExpectedConditions.urlToBe(fixture.base() + "/login"));
    // The provider's session ended too: signing in again asks for the password.
    browser.findElement(By.id("sso-login")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("kc-login")));
    assertThat(audit("logout", ADA)).anySatisfy(e -> assertThat(e.detail()).contains("identity provider"));
  }

  @Test
  void aProviderUserNamedLikeALocalAccountNeverLogsInAsIt() throws Exception {
    signInAtProvider(DashboardFixture.ADMIN, "it-staff-campus-pass");
    wait.until(d -> d.findElements(By.id("login-message")).stream().anyMatch(m -> m.getText().contains("local")));
    assertThat(browser.findElement(By.id("login-message")).getText())
        .contains("a local LabScan account named '" + DashboardFixture.ADMIN + "' exists");
    browser.get(fixture.base() + "/");
    wait.until(ExpectedConditions.urlToBe(fixture.base() + "/login"));
    assertThat(audit("login.failed", DashboardFixture.ADMIN)).anySatisfy(e ->
        assertThat(e.detail()).contains("single sign-on").contains("local LabScan account"));
    // The local account is untouched: its password still logs in (break-glass admin).
    assertThat(new ApiClient(fixture.base()).login(DashboardFixture.ADMIN, DashboardFixture.PASSWORD).statusCode())
        .isEqualTo(200);
  }

  @Test
  void aFirstLoginWhoseGroupsMapToNoRoleCreatesNobody() {
    signInAtProvider("linus", "linus-campus-pass");
    wait.until(d -> d.findElements(By.id("login-message")).stream().anyMatch(m -> m.getText().contains("no LabScan role")));
    assertThat(browser.findElement(By.id("login-message")).getText()).contains("library-staff");
    assertThat(fixture.accounts.find("linus")).isEmpty();
  }

  @Test
  void someoneTakenOutOfTheirMappedGroupAtTheProviderIsRefusedAtTheNextLogin() throws Exception {
    signInAtProvider("marie", "marie-campus-pass");
    wait.until(d -> d.findElement(By.id("who")).getText().contains("lab-manager: physics-lab"));
    assertThat(audit("sso.role", "marie")).singleElement().satisfies(e -> {
      assertThat(e.actor().name()).contains(keycloak.issuer());
      assertThat(e.detail()).contains("none -> lab-manager of physics-lab").contains("lab-a-managers");
    });

    keycloak.removeFromGroup("marie", "lab-a-managers");
    ((ChromeDriver) browser).executeCdpCommand("Network.clearBrowserCookies", Map.of());
    signInAtProvider("marie", "marie-campus-pass");

    wait.until(d -> d.findElements(By.id("login-message")).stream().anyMatch(m -> m.getText().contains("no longer map")));
    assertThat(browser.findElement(By.id("login-message")).getText()).contains("lab-manager of physics-lab came from them");
    assertThat(audit("login.failed", "marie")).anySatisfy(e -> assertThat(e.detail()).contains("no longer map"));
    browser.get(fixture.base() + "/");
    wait.until(ExpectedConditions.urlToBe(fixture.base() + "/login"));
  }

  @Test
  void aCallbackThisBrowserDidNotStartIsRefused() {
    browser.get(callback + "?state=forged-state&code=someone-elses-code");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("login-message")));
    assertThat(browser.findElement(By.id("login-message")).getText()).contains("not started in this browser");
    browser.get(fixture.base() + "/");
    wait.until(ExpectedConditions.urlToBe(fixture.base() + "/login"));
  }

  @Test
  void theLoginPageKeepsLocalAccountsBesideTheSingleSignOnButton() {
    browser.get(fixture.base() + "/login");
    assertThat(browser.findElement(By.id("sso-login")).getText()).isEqualTo("Sign in with Campus login");
    browser.findElement(By.id("username")).sendKeys(DashboardFixture.PHYSICS_MANAGER);
    browser.findElement(By.id("password")).sendKeys(DashboardFixture.PASSWORD);
    browser.findElement(By.id("login-button")).click();
    wait.until(d -> d.findElement(By.id("who")).getText().contains(DashboardFixture.PHYSICS_MANAGER));
  }

  // ID tokens Keycloak signed, checked as the callback checks them.

  private IdTokenVerifier verifier(Clock clock) throws Exception {
    ProviderMetadata metadata = ProviderMetadata.discover(keycloak.issuer(), SingleSignOn.httpClient(), Duration.ofSeconds(10));
    return new IdTokenVerifier(keycloak.issuer(), Keycloak.CLIENT_ID, metadata.jwksUri(), clock);
  }

  private String labscanToken(String nonce) throws Exception {
    return keycloak.idToken(Keycloak.CLIENT_ID, CLIENT_SECRET, callback, GRACE, "grace-campus-pass", nonce);
  }

  @Test
  void theGenuineIdTokenPassesTheChecks() throws Exception {
    var claims = verifier(Clock.systemUTC()).verify(labscanToken("n-genuine"), "n-genuine");
    assertThat(claims.getStringClaim("preferred_username")).isEqualTo(GRACE);
    assertThat(claims.getStringListClaim("groups")).containsExactly("lab-a-managers");
  }

  @Test
  void aTamperedIdTokenIsRefused() throws Exception {
    String[] parts = labscanToken("n-tampered").split("\\.");
    ObjectMapper json = new ObjectMapper();
    ObjectNode payload = (ObjectNode) json.readTree(Base64.getUrlDecoder().decode(parts[1]));
    payload.putArray("groups").add("labscan-admins");
    String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(json.writeValueAsString(payload).getBytes(UTF_8)) + "." + parts[2];
    assertThatThrownBy(() -> verifier(Clock.systemUTC()).verify(forged, "n-tampered"))
        .isInstanceOf(IdTokenVerifier.InvalidIdTokenException.class).hasMessageContaining("signature");
  }

  @Test
  void anExpiredIdTokenIsRefused() throws Exception {
    String token = labscanToken("n-expired");
    Instant expiry = com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant();
    Clock later = Clock.fixed(expiry.plusSeconds(IdTokenVerifier.CLOCK_SKEW_SECONDS + 60), ZoneOffset.UTC);
    assertThatThrownBy(() -> verifier(later).verify(token, "n-expired"))
        .isInstanceOf(IdTokenVerifier.InvalidIdTokenException.class).hasMessageContaining("xpired");
  }

  @Test
  void anIdTokenIssuedToAnotherClientIsRefused() throws Exception {
    String token = keycloak.idToken(Keycloak.OTHER_CLIENT_ID, Keycloak.OTHER_CLIENT_SECRET, callback, ADA,
        "ada-campus-pass", "n-audience");
    assertThatThrownBy(() -> verifier(Clock.systemUTC()).verify(token, "n-audience"))
        .isInstanceOf(IdTokenVerifier.InvalidIdTokenException.class).hasMessageContaining("aud claim rejected");
  }
}
