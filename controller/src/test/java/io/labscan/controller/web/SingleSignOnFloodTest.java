package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.labscan.controller.audit.AuditQuery;
import io.labscan.controller.oidc.OidcClient;
import io.labscan.controller.oidc.RoleMapping;
import io.labscan.controller.oidc.SingleSignOn;
import io.labscan.controller.oidc.SsoAccounts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repeated single sign-on logins (issue 18) cannot flood the audit log or the campus provider; against a provider the test serves
 * over real HTTP (discovery, JWKS, token endpoint) and a real dashboard. The provider's
 * "authorize" step is what a provider with a live session does: it hands out a code at once.
 */
class SingleSignOnFloodTest {
  @TempDir Path dir;
  private HttpServer provider;
  private String issuer;
  private RSAKey key;
  private final Map<String, String> nonceByCode = new ConcurrentHashMap<>();
  private final AtomicInteger tokenCalls = new AtomicInteger();
  private DashboardFixture fixture;

  @BeforeEach
  void start() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    issuer = "http://127.0.0.1:" + provider.getAddress().getPort() + "/realms/campus";
    provider.createContext("/realms/campus/.well-known/openid-configuration", ex -> send(ex, 200, "{\"issuer\":\""
        + issuer + "\",\"authorization_endpoint\":\"" + issuer + "/auth\",\"token_endpoint\":\"" + issuer
        + "/token\",\"jwks_uri\":\"" + issuer + "/certs\",\"code_challenge_methods_supported\":[\"S256\"]}"));
    provider.createContext("/realms/campus/certs", ex -> send(ex, 200, new JWKSet(key.toPublicJWK()).toString()));
    provider.createContext("/realms/campus/token", this::token);
    provider.start();
    OidcClient.Settings settings = new OidcClient.Settings(issuer, "labscan", "secret",
        URI.create("http://127.0.0.1:8080/login/oidc/callback"), "groups",
        RoleMapping.parseEntries(List.of("labscan-admins=admin")), "Campus login");
    SingleSignOn sso = SingleSignOn.start(settings, SingleSignOn.httpClient(), Clock.systemUTC());
    fixture = new DashboardFixture(dir, List.of(), 0,
        (store, accounts) -> Optional.of(new WebServer.Sso(sso, new SsoAccounts(store, accounts, Clock.systemUTC()))));
  }

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
    provider.stop(0);
  }

  /** The token endpoint: counts every call; an ID token for codes it issued (a student in no mapped group). */
  private void token(HttpExchange ex) throws IOException {
    tokenCalls.incrementAndGet();
    Map<String, String> form = parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String nonce = nonceByCode.remove(form.getOrDefault("code", ""));
    if (nonce == null) {
      send(ex, 400, "{\"error\":\"invalid_grant\"}");
      return;
    }
    try {
      Instant now = Instant.now();
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(),
          new JWTClaimsSet.Builder().issuer(issuer).subject("f3b1-student").audience("labscan")
              .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).claim("nonce", nonce)
              .claim("preferred_username", "mallory.student").claim("groups", List.of("students")).build());
      jwt.sign(new RSASSASigner(key));
      send(ex, 200, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"" + jwt.serialize() + "\"}");
    } catch (Exception e) {
      send(ex, 500, "{}");
    }
  }

  /** GET /login/oidc: the state cookie and the authorization request's query. */
  private record Started(String cookie, Map<String, String> query) {}

  /** Null when the controller turned the start away (429 with Retry-After). */
  private Started begin(ApiClient client) throws Exception {
    HttpResponse<String> r = client.get("/login/oidc");
    if (r.statusCode() == 429) {
      assertThat(r.headers().firstValue("Retry-After")).isPresent();
      return null;
    }
    assertThat(r.statusCode()).isEqualTo(302);
    String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("labscan_oidc_state="))
        .findFirst().orElseThrow().split(";", 2)[0];
    URI location = URI.create(r.headers().firstValue("Location").orElseThrow());
    return new Started(cookie, parse(location.getRawQuery()));
  }

  private HttpResponse<String> callback(ApiClient client, Started s, String code) throws Exception {
    return client.send(client.request("/login/oidc/callback?state=" + s.query().get("state") + "&code=" + code)
        .header("Cookie", s.cookie()).GET());
  }

  @Test
  void aProviderUserInNoMappedGroupLoggingInOverAndOverWritesABoundedNumberOfAuditEntries() throws Exception {
    ApiClient client = new ApiClient(fixture.base());
    for (int i = 0; i < 100; i++) {
      Started s = begin(client);
      if (s == null) {
        continue;
      }
      String code = "code-" + i;
      nonceByCode.put(code, s.query().get("nonce")); // the provider's live session answers with a code at once
      HttpResponse<String> r = callback(client, s, code);
      if (r.statusCode() == 429) {
        continue;
      }
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).contains("map to no LabScan role");
    }
    long refused = fixture.audit.find(AuditQuery.all(1000)).stream()
        .filter(e -> e.action().equals("login.failed") && e.detail().contains("map to no LabScan role")).count();
    assertThat(refused).as("audit entries written by one campus user's scripted logins").isLessThanOrEqualTo(
        RefusalAudit.PER_ADDRESS + 1);
  }

  @Test
  void anonymousCallbacksWithMadeUpCodesDoNotEachMakeTheControllerCallTheTokenEndpoint() throws Exception {
    ApiClient client = new ApiClient(fixture.base());
    int limited = 0;
    for (int i = 0; i < 100; i++) {
      Started s = begin(client); // costs the anonymous client nothing: no provider call, no server state
      if (s != null) {
        HttpResponse<String> r = callback(client, s, "made-up-" + i);
        assertThat(r.statusCode()).isIn(403, 429);
        if (r.statusCode() == 429) {
          limited++;
          assertThat(r.headers().firstValue("Retry-After")).isPresent();
        }
      }
    }
    assertThat(limited).as("callbacks turned away with 429 before any provider call").isPositive();
    assertThat(tokenCalls.get()).as("token endpoint calls (client secret sent each time) caused by one anonymous client")
        .isLessThanOrEqualTo(20);
  }

  private static Map<String, String> parse(String form) {
    Map<String, String> map = new HashMap<>();
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      map.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return map;
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }
}
