package io.labscan.controller.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The code flow against a token endpoint and JWKS the test serves over real HTTP: the token
 * endpoint answers only when the code verifier hashes to the challenge the login sent (as a real
 * provider does with PKCE required), and signs an ID token carrying the nonce of that login.
 */
class OidcClientTest {

  private static final Instant NOW = Instant.parse("2026-12-07T04:00:00Z");
  private HttpServer server;
  private String issuer;
  private RSAKey key;
  private final Map<String, String> challengeByCode = new HashMap<>();
  private final Map<String, String> nonceByCode = new HashMap<>();
  private OidcClient client;

  @BeforeEach
  void start() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/campus";
    server.createContext("/realms/campus/certs", ex -> send(ex, 200, new JWKSet(key.toPublicJWK()).toString()));
    server.createContext("/realms/campus/token", this::token);
    server.start();
    ProviderMetadata provider = new ProviderMetadata(issuer, URI.create(issuer + "/auth"), URI.create(issuer + "/token"),
        URI.create(issuer + "/certs"), Optional.of(URI.create(issuer + "/logout")));
    client = new OidcClient(new OidcClient.Settings(issuer, "labscan", "s3cret:with/odd&chars",
        URI.create("https://labscan.uni.example/login/oidc/callback"), "groups", RoleMapping.parse("it-staff=viewer"), "Campus login"),
        provider, HttpClient.newHttpClient(), Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void token(HttpExchange ex) throws IOException {
    Map<String, String> form = parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String code = form.get("code");
    String expectedAuth = "Basic " + java.util.Base64.getEncoder().encodeToString(
        "labscan:s3cret%3Awith%2Fodd%26chars".getBytes(StandardCharsets.UTF_8));
    if (!expectedAuth.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      send(ex, 401, "{\"error\":\"invalid_client\"}");
      return;
    }
    if (!challengeByCode.containsKey(code)
        || !OidcClient.codeChallenge(form.get("code_verifier")).equals(challengeByCode.get(code))) {
      send(ex, 400, "{\"error\":\"invalid_grant\"}");
      return;
    }
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), new JWTClaimsSet.Builder()
          .issuer(issuer).subject("9d2c").audience("labscan").issueTime(Date.from(NOW)).expirationTime(Date.from(NOW.plusSeconds(300)))
          .claim("nonce", nonceByCode.get(code)).claim("preferred_username", "jonas.weber").claim("groups", List.of("it-staff"))
          .build());
      jwt.sign(new RSASSASigner(key));
      send(ex, 200, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"" + jwt.serialize() + "\"}");
    } catch (Exception e) {
      send(ex, 500, "{}");
    }
  }

  /** What the provider does after the user logged in: issue a code bound to the request's challenge and nonce. */
  private String providerIssuesCode(URI authorization) {
    Map<String, String> query = parse(authorization.getRawQuery());
    assertThat(query).containsEntry("code_challenge_method", "S256").containsEntry("response_type", "code").containsEntry("client_id", "labscan");
    String code = "code-" + challengeByCode.size();
    challengeByCode.put(code, query.get("code_challenge"));
    nonceByCode.put(code, query.get("nonce"));
    return code;
  }

  @Test
  void aLoginCompletesWithTheCodeOfItsOwnRequest() throws Exception {
    OidcClient.Start start = client.begin();
    String code = providerIssuesCode(start.authorizationUri());

    OidcIdentity who = client.complete(start.sealed(), start.state(), code);

    assertThat(who.username()).isEqualTo("jonas.weber");
    assertThat(who.groups()).containsExactly("it-staff");
  }

  @Test
  void aReplayedCallbackIsRefused() throws Exception {
    OidcClient.Start start = client.begin();
    String code = providerIssuesCode(start.authorizationUri());
    client.complete(start.sealed(), start.state(), code);

    assertThatThrownBy(() -> client.complete(start.sealed(), start.state(), code))
        .hasMessageContaining("unknown or expired login state");
  }

  @Test
  void aCodeIssuedForAnotherLoginIsRefusedByThePkceCheck() throws Exception {
    OidcClient.Start victim = client.begin();
    String stolen = providerIssuesCode(victim.authorizationUri());
    OidcClient.Start attacker = client.begin();

    assertThatThrownBy(() -> client.complete(attacker.sealed(), attacker.state(), stolen)).hasMessageContaining("invalid_grant");
  }

  @Test
  void aFloodOfStartedLoginsCannotFailAnotherBrowsersLogin() throws Exception {
    OidcClient.Start victim = client.begin();
    // One anonymous address starting twice as many logins as the old server-side table held.
    for (int i = 0; i < 20_000; i++) {
      client.begin();
    }
    String code = providerIssuesCode(victim.authorizationUri());

    assertThat(client.complete(victim.sealed(), victim.state(), code).username()).isEqualTo("jonas.weber");
  }

  @Test
  void aCallbackWhoseStateIsNotTheOneSealedInThisBrowsersCookieIsRefused() {
    OidcClient.Start mine = client.begin();
    OidcClient.Start theirs = client.begin();
    String code = providerIssuesCode(theirs.authorizationUri());

    assertThatThrownBy(() -> client.complete(mine.sealed(), theirs.state(), code))
        .isInstanceOfSatisfying(OidcClient.LoginFailedException.class, e -> assertThat(e.notThisBrowser()).isTrue())
        .hasMessageContaining("does not match this browser's login");
  }

  @Test
  void aSealedLoginAlteredInTheBrowserIsRefused() {
    OidcClient.Start start = client.begin();
    String code = providerIssuesCode(start.authorizationUri());
    char[] sealed = start.sealed().toCharArray();
    sealed[20] = sealed[20] == 'A' ? 'B' : 'A';

    assertThatThrownBy(() -> client.complete(new String(sealed), start.state(), code))
        .hasMessageContaining("does not match this browser's login");
  }

  @Test
  void aLoginStartedBeforeTheTenMinutesRanOutOnlyCompletesWithinThem() throws Exception {
    OidcClient.Start start = client.begin();
    String code = providerIssuesCode(start.authorizationUri());
    ProviderMetadata provider = new ProviderMetadata(issuer, URI.create(issuer + "/auth"), URI.create(issuer + "/token"),
        URI.create(issuer + "/certs"), Optional.empty());
    LoginStates states = new LoginStates();
    OidcClient earlier = new OidcClient(client.settings(), provider, HttpClient.newHttpClient(),
        Clock.fixed(NOW.minus(OidcClient.PENDING_TTL).minusSeconds(1), ZoneOffset.UTC), states, java.time.Duration.ofSeconds(10));
    OidcClient now = new OidcClient(client.settings(), provider, HttpClient.newHttpClient(), Clock.fixed(NOW, ZoneOffset.UTC),
        states, java.time.Duration.ofSeconds(10));
    OidcClient.Start old = earlier.begin();

    assertThatThrownBy(() -> now.complete(old.sealed(), old.state(), providerIssuesCode(old.authorizationUri())))
        .hasMessageContaining("expired");
    assertThat(code).isNotBlank();
  }

  @Test
  void aTokenEndpointThatAcceptsTheConnectionAndNeverAnswersFailsTheLoginWithAClearError() throws Exception {
    try (SilentServer silent = new SilentServer(null)) {
      OidcClient hanging = clientWithTokenEndpoint(URI.create("http://127.0.0.1:" + silent.port() + "/token"));
      OidcClient.Start start = hanging.begin();

      assertThatThrownBy(() -> hanging.complete(start.sealed(), start.state(), "code-0"))
          .isInstanceOf(OidcClient.LoginFailedException.class)
          .hasMessageContaining("token endpoint")
          .hasMessageContaining("did not answer completely within 300 ms");
    }
  }

  @Test
  void aTokenEndpointThatStopsHalfwayThroughItsAnswerFailsTheLoginWithAClearError() throws Exception {
    String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"id_token\":\"eyJ";
    try (SilentServer stalling = new SilentServer(head)) {
      OidcClient hanging = clientWithTokenEndpoint(URI.create("http://127.0.0.1:" + stalling.port() + "/token"));
      OidcClient.Start start = hanging.begin();

      assertThatThrownBy(() -> hanging.complete(start.sealed(), start.state(), "code-0"))
          .hasMessageContaining("did not answer completely within 300 ms");
    }
  }

  @Test
  void discoveryFromAProviderThatNeverAnswersLeavesSingleSignOnUnreadyInsteadOfHanging() throws Exception {
    try (SilentServer silent = new SilentServer(null)) {
      String hangingIssuer = "http://127.0.0.1:" + silent.port() + "/realms/campus";
      SingleSignOn sso = SingleSignOn.start(new OidcClient.Settings(hangingIssuer, "labscan", "s",
          URI.create("https://labscan.uni.example/login/oidc/callback"), "groups", RoleMapping.parse(""), "Campus"),
          HttpClient.newHttpClient(), Clock.fixed(NOW, ZoneOffset.UTC), java.time.Duration.ofMillis(300));

      assertThat(sso.ready()).isFalse();
      assertThatThrownBy(sso::client).isInstanceOf(OidcClient.LoginFailedException.class)
          .hasMessageContaining("identity provider unreachable");
    }
  }

  private OidcClient clientWithTokenEndpoint(URI token) {
    ProviderMetadata provider = new ProviderMetadata(issuer, URI.create(issuer + "/auth"), token,
        URI.create(issuer + "/certs"), Optional.empty());
    return new OidcClient(client.settings(), provider, HttpClient.newHttpClient(), Clock.fixed(NOW, ZoneOffset.UTC),
        new LoginStates(), java.time.Duration.ofMillis(300));
  }

  /** A server that accepts connections, writes {@code head} (if any) and then never another byte. */
  private static final class SilentServer implements AutoCloseable {
    private final java.net.ServerSocket socket = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread acceptor;

    SilentServer(String head) throws IOException {
      acceptor = new Thread(() -> {
        while (!socket.isClosed()) {
          try {
            java.net.Socket s = socket.accept();
            held.add(s);
            if (head != null) {
              s.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
              s.getOutputStream().flush();
            }
          } catch (IOException e) {
            return;
          }
        }
      }, "silent-provider");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (java.net.Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void theCodeChallengeIsTheRfc7636ExampleForItsVerifier() {
    assertThat(OidcClient.codeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  }

  @Test
  void logoutGoesToTheProvidersEndSessionEndpointWithTheIdTokenHint() {
    URI out = client.logoutUri("eyJ.hint", URI.create("https://labscan.uni.example/login")).orElseThrow();

    assertThat(out.toString()).startsWith(issuer + "/logout?client_id=labscan&id_token_hint=eyJ.hint&post_logout_redirect_uri=https%3A%2F%2Flabscan");
  }

  private static Map<String, String> parse(String form) {
    Map<String, String> map = new HashMap<>();
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      map.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
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
