package io.labscan.controller.oidc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The relying-party side of the OpenID Connect authorization code flow with PKCE (RFC 7636, S256),
 * {@code state} and {@code nonce}.
 *
 * <p>{@link #begin()} makes a fresh state, nonce and code verifier (32 random bytes each) and
 * returns the provider URL to redirect to and the login sealed for the browser's cookie ({@link
 * LoginStates}: AES-GCM, nothing kept on the server, so anonymous requests cannot crowd out
 * anyone's login). {@link #complete} opens that cookie, requires the callback's state to equal
 * the sealed one (the login finishes only in the browser that started it: no login CSRF), spends
 * the state (a replayed callback fails), redeems the code at the token endpoint with the verifier
 * and the client secret (HTTP Basic) within one overall deadline ({@link ProviderHttp}), and
 * checks the ID token with {@link IdTokenVerifier}.
 */
public final class OidcClient {
  /**
   * Token endpoint calls under way at once, at most: each can hold a web thread up to the HTTP
   * timeout, and they go out under LabScan's client credentials, so a flood of callbacks must
   * neither tie up the web server nor hammer the campus provider (issue 18). Beyond it: {@link
   * BusyException}.
   */
  public static final int MAX_CONCURRENT_TOKEN_CALLS = 8;
  private final java.util.concurrent.Semaphore tokenCalls = new java.util.concurrent.Semaphore(MAX_CONCURRENT_TOKEN_CALLS);


  public static final Duration PENDING_TTL = Duration.ofMinutes(10);
  static final int MAX_TOKEN_RESPONSE_BYTES = 256 * 1024;

  /** Configuration from {@code serve --oidc-*}. */
  public record Settings(String issuer, String clientId, String clientSecret, URI redirectUri, String roleClaim,
      RoleMapping roleMapping, String providerName) {
    public Settings {
      requireNonNull(issuer, "issuer");
      requireNonNull(clientId, "clientId");
      requireNonNull(clientSecret, "clientSecret");
      requireNonNull(redirectUri, "redirectUri");
      requireNonNull(roleClaim, "roleClaim");
      requireNonNull(roleMapping, "roleMapping");
      requireNonNull(providerName, "providerName");
    }

    @Override
    public String toString() {
      return "Settings[issuer=" + issuer + ", clientId=" + clientId + ", clientSecret=(hidden), redirectUri=" + redirectUri + "]";
    }
  }

  /** Where to send the browser, the state, and the sealed login for the browser's cookie. */
  public record Start(URI authorizationUri, String state, String sealed) {}

  private final Settings settings;
  private final ProviderMetadata provider;
  private final IdTokenVerifier verifier;
  private final HttpClient http;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final LoginStates states;
  private final Duration deadline;

  public OidcClient(Settings settings, ProviderMetadata provider, HttpClient http, Clock clock) {
    this(settings, provider, http, clock, new LoginStates(), ProviderHttp.DEFAULT_DEADLINE);
  }

  /**
   * A client whose logins are sealed with {@code states} (shared by the clients a re-read
   * discovery document makes, so logins in progress survive it) and whose every provider call
   * has {@code deadline}.
   */
  OidcClient(Settings settings, ProviderMetadata provider, HttpClient http, Clock clock, LoginStates states,
      Duration deadline) {
    this.settings = requireNonNull(settings, "settings");
    this.provider = requireNonNull(provider, "provider");
    this.http = requireNonNull(http, "http");
    this.clock = requireNonNull(clock, "clock");
    this.states = requireNonNull(states, "states");
    this.deadline = requireNonNull(deadline, "deadline");
    this.verifier = new IdTokenVerifier(settings.issuer(), settings.clientId(),
        new ProviderKeys(provider.jwksUri(), http, clock, deadline), clock);
  }

  ProviderMetadata provider() {
    return provider;
  }

  public Settings settings() {
    return settings;
  }

  /** Starts a login: the authorization request URL (response_type=code, S256 challenge). */
  public Start begin() {
    String state = randomToken();
    String nonce = randomToken();
    String codeVerifier = randomToken();
    String sealed = states.seal(new LoginStates.Pending(state, nonce, codeVerifier, clock.instant().plus(PENDING_TTL)));
    Map<String, String> query = new LinkedHashMap<>();
    query.put("response_type", "code");
    query.put("client_id", settings.clientId());
    query.put("redirect_uri", settings.redirectUri().toString());
    query.put("scope", "openid profile email");
    query.put("state", state);
    query.put("nonce", nonce);
    query.put("code_challenge", codeChallenge(codeVerifier));
    query.put("code_challenge_method", "S256");
    String base = provider.authorizationEndpoint().toString();
    return new Start(URI.create(base + (base.contains("?") ? "&" : "?") + form(query)), state, sealed);
  }

  /**
   * Completes a login from the browser's sealed login ({@link Start#sealed}, its cookie) and the
   * callback's {@code state} and {@code code}; throws {@link LoginFailedException} (message safe
   * to log) when anything does not check out.
   */
  public OidcIdentity complete(@org.jspecify.annotations.Nullable String sealed,
      @org.jspecify.annotations.Nullable String state, @org.jspecify.annotations.Nullable String code)
      throws LoginFailedException {
    if (state == null || code == null || state.isEmpty() || code.isEmpty() || code.length() > 4096) {
      throw new LoginFailedException("callback without state or code");
    }
    LoginStates.Pending p = sealed == null ? null : states.open(sealed).orElse(null);
    if (p == null || !MessageDigest.isEqual(p.state().getBytes(UTF_8), state.getBytes(UTF_8))) {
      throw new LoginFailedException("callback state does not match this browser's login (missing, other or altered "
          + "state cookie)", true);
    }
    Instant now = clock.instant();
    if (!p.expires().isAfter(now)) {
      throw new LoginFailedException("unknown or expired login state (started more than "
          + PENDING_TTL.toMinutes() + " min ago, or replayed)", true);
    }
    if (!states.spend(p, now)) {
      throw new LoginFailedException("unknown or expired login state (started more than "
          + PENDING_TTL.toMinutes() + " min ago, or replayed)");
    }
    if (!tokenCalls.tryAcquire()) {
      throw new BusyException("more than " + MAX_CONCURRENT_TOKEN_CALLS + " token endpoint calls at once");
    }
    String idToken;
    try {
      idToken = redeem(code, p.codeVerifier());
    } finally {
      tokenCalls.release();
    }
    JWTClaimsSet claims;
    try {
      claims = verifier.verify(idToken, p.nonce());
    } catch (IdTokenVerifier.InvalidIdTokenException e) {
      throw new LoginFailedException(String.valueOf(e.getMessage()));
    }
    return identity(claims, settings.roleClaim(), idToken);
  }

  /** The provider logout URL (RP-initiated logout) when the provider has an end_session_endpoint. */
  public Optional<URI> logoutUri(@org.jspecify.annotations.Nullable String idTokenHint, URI postLogoutRedirect) {
    return provider.endSessionEndpoint().map(end -> {
      Map<String, String> query = new LinkedHashMap<>();
      query.put("client_id", settings.clientId());
      if (idTokenHint != null) {
        query.put("id_token_hint", idTokenHint);
      }
      query.put("post_logout_redirect_uri", postLogoutRedirect.toString());
      String base = end.toString();
      return URI.create(base + (base.contains("?") ? "&" : "?") + form(query));
    });
  }

  /** Builds the identity from verified claims; the role claim may be a string or an array of strings. */
  static OidcIdentity identity(JWTClaimsSet claims, String roleClaim, String idToken) {
    String subject = claims.getSubject();
    Object preferred = claims.getClaim("preferred_username");
    String username = preferred instanceof String s && !s.isBlank() ? s : subject;
    Object name = claims.getClaim("name");
    List<String> groups = new ArrayList<>();
    Object raw = claims.getClaim(roleClaim);
    if (raw instanceof String s) {
      groups.add(s);
    } else if (raw instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof String s && groups.size() < 1000) {
          groups.add(s);
        }
      }
    }
    Object mail = claims.getClaim("email");
    Optional<String> email = mail instanceof String m && !m.isBlank() && m.length() <= 254 ? Optional.of(m.strip())
        : Optional.empty();
    // A boolean by the specification; some providers send the string "true".
    Object verified = claims.getClaim("email_verified");
    boolean emailVerified = Boolean.TRUE.equals(verified) || "true".equals(verified);
    return new OidcIdentity(subject, username, name instanceof String s ? s : username, groups, idToken, email,
        emailVerified);
  }

  private String redeem(String code, String codeVerifier) throws LoginFailedException {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("grant_type", "authorization_code");
    body.put("code", code);
    body.put("redirect_uri", settings.redirectUri().toString());
    body.put("code_verifier", codeVerifier);
    String basic = Base64.getEncoder().encodeToString(
        (enc(settings.clientId()) + ":" + enc(settings.clientSecret())).getBytes(UTF_8));
    HttpRequest request = HttpRequest.newBuilder(provider.tokenEndpoint())
        .timeout(deadline)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .header("Authorization", "Basic " + basic)
        .POST(HttpRequest.BodyPublishers.ofString(form(body)))
        .build();
    ProviderHttp.Answer answer;
    try {
      answer = ProviderHttp.send(http, request, MAX_TOKEN_RESPONSE_BYTES, deadline, "token endpoint");
    } catch (IOException e) {
      throw new LoginFailedException("identity provider: " + e.getMessage());
    }
    JsonNode json;
    try {
      json = new ObjectMapper().readTree(answer.body());
    } catch (IOException e) {
      throw new LoginFailedException("token endpoint answered HTTP " + answer.status() + " with no JSON");
    }
    if (answer.status() != 200) {
      throw new LoginFailedException("token endpoint answered HTTP " + answer.status() + " "
          + (json == null ? "" : json.path("error").asText("")).replaceAll("[^\\x20-\\x7e]", "?"));
    }
    String idToken = json == null ? "" : json.path("id_token").asText("");
    if (idToken.isEmpty()) {
      throw new LoginFailedException("token response has no id_token");
    }
    return idToken;
  }

  private String randomToken() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** RFC 7636 §4.2: BASE64URL(SHA-256(ASCII(code_verifier))). */
  static String codeChallenge(String codeVerifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(codeVerifier.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String form(Map<String, String> params) {
    StringBuilder sb = new StringBuilder();
    params.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
    return sb.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, UTF_8);
  }

  /** A login that must not succeed; the message names why and is safe to log. */
  /** The token endpoint already has {@link #MAX_CONCURRENT_TOKEN_CALLS} calls under way: try later (503). */
  public static final class BusyException extends LoginFailedException {
    private static final long serialVersionUID = 1L;

    public BusyException(String message) {
      super(message);
    }
  }

  public static class LoginFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean notThisBrowser;

    public LoginFailedException(String message) {
      this(message, false);
    }

    public LoginFailedException(String message, boolean notThisBrowser) {
      super(message);
      this.notThisBrowser = notThisBrowser;
    }

    /** True when the callback does not belong to a login this browser started (or it expired). */
    public boolean notThisBrowser() {
      return notThisBrowser;
    }
  }
}
