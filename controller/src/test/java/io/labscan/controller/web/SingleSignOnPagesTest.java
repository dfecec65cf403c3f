package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.audit.AuditQuery;
import io.labscan.controller.oidc.OidcClient;
import io.labscan.controller.oidc.RoleMapping;
import io.labscan.controller.oidc.SingleSignOn;
import io.labscan.controller.oidc.SsoAccounts;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single sign-on pages without a provider that answers (the real provider is in {@link
 * KeycloakSingleSignOnIT}): the login page shows the button only when single sign-on is
 * configured, and an unreachable provider leaves local logins working.
 */
class SingleSignOnPagesTest {
  @TempDir Path dir;
  DashboardFixture fixture;

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  /** A provider on a loopback port nobody listens on. */
  private DashboardFixture withUnreachableProvider() throws Exception {
    int closed = Keycloak.freePort();
    OidcClient.Settings settings = new OidcClient.Settings("http://127.0.0.1:" + closed + "/realms/campus", "labscan",
        "secret", URI.create("http://127.0.0.1:8080/login/oidc/callback"), "groups",
        RoleMapping.parseEntries(List.of("labscan-admins=admin")), "Campus login");
    SingleSignOn sso = SingleSignOn.start(settings, SingleSignOn.httpClient(), Clock.systemUTC());
    return new DashboardFixture(dir, List.of(), 0,
        (store, accounts) -> Optional.of(new WebServer.Sso(sso, new SsoAccounts(store, accounts, Clock.systemUTC()))));
  }

  @Test
  void withoutSingleSignOnTheLoginPageHasNoButtonAndTheRoutesDoNotExist() throws Exception {
    fixture = new DashboardFixture(dir);
    ApiClient client = new ApiClient(fixture.base());
    assertThat(client.get("/login").body()).contains("login-form").doesNotContain("sso-login");
    assertThat(client.get("/login/oidc").statusCode()).isEqualTo(404);
    assertThat(client.get("/login/oidc/callback?state=a&code=b").statusCode()).isEqualTo(404);
  }

  @Test
  void anUnreachableProviderShowsTheButtonButAnswersUnavailableAndLocalLoginsWork() throws Exception {
    fixture = withUnreachableProvider();
    ApiClient client = new ApiClient(fixture.base());
    assertThat(client.get("/login").body()).contains("id=\"sso-login\"").contains("Sign in with Campus login");
    HttpResponse<String> start = client.get("/login/oidc");
    assertThat(start.statusCode()).isEqualTo(503);
    assertThat(start.body()).contains("cannot be reached");
    assertThat(fixture.audit.find(AuditQuery.all(100))).anySatisfy(e -> {
      assertThat(e.action()).isEqualTo("login.failed");
      assertThat(e.detail()).contains("single sign-on").contains("unreachable");
    });
    assertThat(client.login(DashboardFixture.ADMIN, DashboardFixture.PASSWORD).statusCode()).isEqualTo(200);
  }

  @Test
  void aCallbackWithoutTheStateCookieLogsNobodyInAndIsAudited() throws Exception {
    fixture = withUnreachableProvider();
    ApiClient client = new ApiClient(fixture.base());
    HttpResponse<String> r = client.get("/login/oidc/callback?state=guessed&code=stolen");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("labscan_session=") && !c.contains("Max-Age=0"));
    assertThat(fixture.audit.find(AuditQuery.all(100))).anySatisfy(e ->
        assertThat(e.detail()).contains("state does not match"));
  }

  @Test
  void aFloodOfAnonymousErrorCallbacksWritesABoundedNumberOfAuditEntries() throws Exception {
    fixture = withUnreachableProvider();
    ApiClient client = new ApiClient(fixture.base());
    for (int i = 0; i < 60; i++) {
      assertThat(client.get("/login/oidc/callback?error=access_denied&n=" + i).statusCode()).isEqualTo(403);
    }
    assertThat(fixture.audit.find(AuditQuery.all(1000)).stream()
        .filter(e -> e.detail().contains("identity provider answered error access_denied")))
        .hasSize(RefusalAudit.PER_ADDRESS);
  }

  @Test
  void aProviderErrorIsShownAsTextNotMarkup() throws Exception {
    fixture = withUnreachableProvider();
    HttpResponse<String> r = new ApiClient(fixture.base()).get("/login/oidc/callback?error=%3Cscript%3Ex%3C/script%3E");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).doesNotContain("<script>").contains("&lt;script&gt;");
  }
}
